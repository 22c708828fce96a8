"""The public events page: plain server-rendered HTML, no script, in French or English.

Everything moderators typed (names, descriptions, places, the server's name) goes through html.escape,
quotes included, and only http(s) source links become links. Without a script a page cannot know the
reader's time zone: dates are given at the venue (with its UTC offset) and in UTC for timed events,
in <time datetime> elements, and the page says that a calendar shows them in the reader's own zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape

from bot.events.models import Event, Precision
from bot.events.places import place
from bot.events.wording import day_text, time_text
from bot.i18n import t

LANGUAGES = ("en", "fr")


def negotiate_language(accept_language: str | None, asked: str | None = None) -> str:
    """`?lang=` when it names one we have, else the reader's preferred one of French and English (q-values)."""
    if asked in LANGUAGES:
        return asked
    best, best_q = "en", 0.0
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower().split("-")[0]
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        quality -= position * 1e-6  # equal q-values: the first listed wins
        if lang in LANGUAGES and quality > best_q:
            best, best_q = lang, quality
    return best


@dataclass(frozen=True)
class PageLinks:
    feed_https: str
    feed_webcal: str
    page: str
    event_ics: dict[str, str]  # event key → its "Add to calendar" address


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _offset(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _when(event: Event, lang: str) -> str:
    when = event.date
    described = _e(when.describe(lang))
    start = when.local_start
    if not when.precision.dated or start is None:
        return f'<p class="when">{described}</p>'
    zone = _e(t("events.page.zone", lang, zone=when.timezone, offset=_offset(start)))
    venue = (
        f'<p class="when"><span class="label">{_e(t("events.page.at_venue", lang))}</span> '
        f'<time datetime="{_e(start.isoformat())}">{described}</time> <span class="zone">({zone})</span></p>'
    )
    if when.precision is not Precision.EXACT:
        return venue  # a whole day at the venue: the same days wherever the reader is
    utc = start.astimezone(UTC)
    utc_text = t("events.date.at", lang, day=day_text(utc.date(), lang), time=time_text(utc.time(), lang))
    return venue + (
        f'<p class="when"><span class="label">{_e(t("events.page.in_utc", lang))}</span> '
        f'<time datetime="{_e(utc.strftime("%Y-%m-%dT%H:%MZ"))}">{_e(utc_text)} UTC</time></p>'
    )


def _event(event: Event, now: datetime, lang: str, links: PageLinks) -> str:
    name = event.name(lang)
    state = event.state(now)
    badge = ""
    if state in ("cancelled", "postponed"):
        badge = f' <span class="state state-{state}">{_e(t(f"events.state.{state}", lang))}</span>'
    parts = [f"<article><h3>{_e(name)}{badge}</h3>", _when(event, lang)]
    where = place(event, lang)
    if where:
        parts.append(f'<p class="where"><span class="label">{_e(t("events.page.where", lang))}</span> {_e(where)}</p>')
    description = event.description(lang)
    if description:
        parts.append(f'<p class="description">{_e(description)}</p>')
    actions = []
    ics = links.event_ics.get(event.key)
    if ics and event.date.precision.dated and not event.cancelled:
        label = t("events.page.add_label", lang, name=name)
        actions.append(f'<a href="{_e(ics)}" aria-label="{_e(label)}">{_e(t("events.page.add", lang))}</a>')
    source = next((url for url in event.source_urls if url.startswith(("https://", "http://"))), None)
    if source:
        label = t("events.page.source_label", lang, name=name)
        actions.append(
            f'<a href="{_e(source)}" rel="noopener noreferrer nofollow" aria-label="{_e(label)}">'
            f"{_e(t('events.page.source', lang))}</a>"
        )
    if actions:
        parts.append(f'<p class="actions">{" ".join(actions)}</p>')
    parts.append("</article>")
    return "<li>" + "".join(parts) + "</li>"


def _section(
    anchor: str, title: str, empty: str, events: list[Event], now: datetime, lang: str, links: PageLinks
) -> str:
    body = (
        '<ol class="events">' + "".join(_event(event, now, lang, links) for event in events) + "</ol>"
        if events
        else f'<p class="empty">{_e(empty)}</p>'
    )
    return f'<section aria-labelledby="{anchor}"><h2 id="{anchor}">{_e(title)}</h2>{body}</section>'


def render_page(
    *, server: str, upcoming: list[Event], past: list[Event], now: datetime, lang: str, links: PageLinks
) -> str:
    title = t("events.page.title", lang, server=server)
    other = "fr" if lang == "en" else "en"
    subscribe = (
        f'<section class="subscribe" aria-labelledby="subscribe"><h2 id="subscribe">'
        f"{_e(t('events.page.subscribe_heading', lang))}</h2>"
        f'<p><a class="button" href="{_e(links.feed_webcal)}">{_e(t("events.page.subscribe", lang))}</a></p>'
        f'<p>{_e(t("events.page.subscribe_https", lang))} <code>{_e(links.feed_https)}</code></p>'
        f'<p class="note">{_e(t("events.page.subscribe_help", lang))}</p></section>'
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{_e(title)}</title>"
        '<link rel="stylesheet" href="/assets/page.css">'
        f'<link rel="alternate" type="text/calendar" href="{_e(links.feed_https)}">'
        "</head><body>"
        f'<a class="skip" href="#main">{_e(t("events.page.skip", lang))}</a>'
        f'<header><h1>{_e(title)}</h1><p>{_e(t("events.page.intro", lang))}</p>'
        f'<nav aria-label="{_e(t("events.page.nav", lang))}"><ul>'
        f'<li><a href="#upcoming">{_e(t("events.page.upcoming", lang))}</a></li>'
        f'<li><a href="#past">{_e(t("events.page.past", lang))}</a></li>'
        f'<li><a href="?lang={other}" hreflang="{other}" lang="{other}">'
        f'{_e(t("events.page.other_language", other))}</a></li>'
        "</ul></nav></header>"
        f'<main id="main">{subscribe}'
        + _section("upcoming", t("events.page.upcoming", lang), t("events.page.none_upcoming", lang), upcoming, now,
                   lang, links)
        + _section("past", t("events.page.past", lang), t("events.page.none_past", lang), past, now, lang, links)
        + "</main>"
        f'<footer><p>{_e(t("events.page.zone_note", lang))}</p></footer>'
        "</body></html>\n"
    )  # fmt: skip
