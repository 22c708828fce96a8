"""Discord's `<t:unix:style>` timestamps as a Discord client shows them, in the console's language and zone.

`R` is relative to now ("in 2 minutes", "il y a 3 jours"), rounded as Discord's client rounds
(moment.js thresholds); the other styles are the absolute forms t T d D f F in the local zone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from bot.i18n import t

TIMESTAMP = re.compile(r"<t:(-?\d{1,13})(?::([tTdDfFR]))?>")
DEFAULT_STYLE = "f"  # what Discord shows for <t:unix> without a style

# (the largest span shown in this unit, in seconds; the unit's length; its catalogue key)
_UNITS = (
    (45 * 60, 60, "minute"),
    (22 * 3600, 3600, "hour"),
    (26 * 86400, 86400, "day"),
    (320 * 86400, 30 * 86400, "month"),
)
_YEAR = 365 * 86400


class TimestampRenderer:
    def __init__(self, lang: str, zone: tzinfo, now: Callable[[], datetime]) -> None:
        self.lang = lang
        self.zone = zone
        self.now = now

    def render(self, text: str) -> str:
        return TIMESTAMP.sub(self._one, text) if "<t:" in text else text

    def _one(self, match: re.Match[str]) -> str:
        try:
            moment = datetime.fromtimestamp(int(match.group(1)), UTC)
        except (OverflowError, OSError, ValueError):
            return match.group(0)  # Discord too leaves a timestamp it cannot show as typed
        style = match.group(2) or DEFAULT_STYLE
        if style == "R":
            return self.relative(moment)
        return self.absolute(moment, style)

    def absolute(self, moment: datetime, style: str) -> str:
        local = moment.astimezone(self.zone)
        return t(
            f"console.time.{style}",
            self.lang,
            hour=local.hour,
            minute=local.minute,
            second=local.second,
            day=local.day,
            month_number=local.month,
            month=t(f"events.month.m{local.month}", self.lang),
            year=local.year,
            weekday=t(f"console.weekday.d{local.weekday()}", self.lang),
        )

    def relative(self, moment: datetime) -> str:
        seconds = (moment - self.now()).total_seconds()
        span = self.span(abs(seconds))
        return t("console.time.future" if seconds > 0 else "console.time.past", self.lang, span=span)

    def span(self, seconds: float) -> str:
        if seconds < 45:
            return t("console.time.seconds", self.lang)
        for largest, unit, key in _UNITS:
            if seconds < largest:
                return self._count(key, max(1, round(seconds / unit)))
        return self._count("year", max(1, round(seconds / _YEAR)))

    def _count(self, key: str, n: int) -> str:
        return t(f"console.time.{key}_{'one' if n == 1 else 'many'}", self.lang, n=n)
