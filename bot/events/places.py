"""Where an event is, as people read it: "Palexpo, Geneva, Switzerland" / "Palexpo, Genève, Suisse".

Venues are proper names and read the same in both languages; cities have a French name where it
differs (the event's city_fr), and countries are named from ISO 3166 in the reader's language.
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry

from bot.events.models import Event


@cache
def _french() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)


def is_country_code(code: str) -> bool:
    return len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None


def country_name(code: str, lang: str) -> str:
    """The country's usual name in `lang`; the code itself when ISO 3166 does not know it."""
    record = pycountry.countries.get(alpha_2=code.upper())
    if record is None:
        return code
    name = getattr(record, "common_name", None) or record.name
    return _french().gettext(record.name) if lang == "fr" else name


def place(event: Event, lang: str) -> str:
    """Venue, city and country, each when known; empty when nothing is."""
    country = country_name(event.country, lang) if event.country else None
    return ", ".join(part for part in (event.venue, event.city_in(lang), country) if part)
