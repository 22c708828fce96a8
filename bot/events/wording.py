"""How an event's date reads in French and English, at the venue: "10–11 February 2025", "premier semestre 2027"."""

from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING

from bot.i18n import t

if TYPE_CHECKING:
    from bot.events.models import EventDate


def describe_date(event_date: EventDate, lang: str, *, with_note: bool = True) -> str:
    from bot.events.models import Precision

    precision = event_date.precision
    if precision is Precision.TBA:
        return t("events.date.tba", lang)
    start, end = event_date.start, event_date.end
    assert start is not None and end is not None
    if precision is Precision.DAY:
        return day_span(start, end, lang)
    if precision is Precision.EXACT:
        return _exact(event_date, lang)
    if precision is Precision.MONTH:
        period = t("events.date.month", lang, month=month_name(start.month, lang), year=start.year)
    elif precision is Precision.QUARTER:
        period = t(f"events.date.q{(start.month - 1) // 3 + 1}", lang, year=start.year)
    elif precision is Precision.HALF_YEAR:
        period = t("events.date.h1" if start.month == 1 else "events.date.h2", lang, year=start.year)
    else:
        period = str(start.year)
    return t("events.date.imprecise", lang, period=period) if with_note else period


def month_name(month: int, lang: str) -> str:
    return t(f"events.month.m{month}", lang)


def day_text(day: date, lang: str) -> str:
    number = t("events.date.first_of_month", lang) if day.day == 1 else str(day.day)
    return t("events.date.day", lang, day=number, month=month_name(day.month, lang), year=day.year)


def time_text(at: time, lang: str) -> str:
    return t("events.date.time", lang, hour=at.hour, minute=at.minute)


def day_span(start: date, end: date, lang: str) -> str:
    """ "10 February 2025", "10–11 February 2025", "30 June – 2 July 2025", "30 Dec 2025 – 2 Jan 2026"."""
    if start == end:
        return day_text(start, lang)
    first = t("events.date.first_of_month", lang) if start.day == 1 else str(start.day)
    if (start.year, start.month) == (end.year, end.month):
        return t(
            "events.date.days_in_month",
            lang,
            start=first,
            end=end.day,
            month=month_name(end.month, lang),
            year=end.year,
        )
    if start.year == end.year:
        return t(
            "events.date.days_in_year",
            lang,
            start=first,
            start_month=month_name(start.month, lang),
            end=day_text(end, lang),
        )
    return t("events.date.range", lang, start=day_text(start, lang), end=day_text(end, lang))


def _exact(event_date: EventDate, lang: str) -> str:
    start, end = event_date.start, event_date.end
    starts_at = event_date.start_time
    assert start is not None and end is not None and starts_at is not None
    ends_at = event_date.end_time
    if start == end:
        if ends_at is None:
            return t("events.date.at", lang, day=day_text(start, lang), time=time_text(starts_at, lang))
        return t(
            "events.date.at_until",
            lang,
            day=day_text(start, lang),
            time=time_text(starts_at, lang),
            until=time_text(ends_at, lang),
        )
    first = t("events.date.at", lang, day=day_text(start, lang), time=time_text(starts_at, lang))
    last = (
        day_text(end, lang)
        if ends_at is None
        else t("events.date.at", lang, day=day_text(end, lang), time=time_text(ends_at, lang))
    )
    return t("events.date.range", lang, start=first, end=last)
