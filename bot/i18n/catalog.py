"""Every user-facing string, in French and English, read from data/i18n/<lang>/*.toml.

Each file holds one area's strings (core, clauses, signatories …) under full dotted keys; a key
defined in two files of one language is an error.

Strings are templates first and formatted after (`{name}` placeholders), so a translator can
move words around. French serves the `fr` locale; every other Discord locale gets English.

A string that depends on a number is a table of plural forms, `one` and `other`
(`notified = { one = "{count} follower …", other = "{count} followers …" }`); `t` picks the form
from the `count` parameter (or `n`) by the language's rule: English says "1 follower" and
"0 followers", French "0 abonné" and "1 abonné" (CLDR: 0 and 1 are singular in French).

Quantities are grouped by thousands from five digits on, as each language writes them: "10,000",
"10 000" (U+202F); four-digit numbers, years among them, stay as they are.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import discord

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
DEFAULT_I18N_DIR = Path(__file__).resolve().parents[2] / "data" / "i18n"


def language_for(locale: discord.Locale | str | None) -> str:
    """The language a reply is written in for this Discord locale."""
    value = locale.value if isinstance(locale, discord.Locale) else (locale or "")
    return "fr" if value.lower().startswith("fr") else DEFAULT_LANGUAGE


PLURAL_FORMS = ("one", "other")
# The parameter that carries the number a plural string agrees with, by preference.
_COUNT_PARAMS = ("count", "n")


# Only these parameters are quantities: an id formatted into a mention must keep its bare digits.
_QUANTITY_PARAMS = frozenset({"count", "n", "total", "limit", "length"})
_THOUSANDS_SEPARATOR = {"en": ",", "fr": "\u202f"}


class _Quantity(int):
    """An int that prints grouped by thousands in its language when no format spec asks otherwise."""

    lang: str

    def __new__(cls, value: int, lang: str) -> _Quantity:
        quantity = super().__new__(cls, value)
        quantity.lang = lang
        return quantity

    def __format__(self, spec: str) -> str:
        if spec or abs(self) < 10_000:
            return int.__format__(self, spec)
        return f"{int(self):,}".replace(",", _THOUSANDS_SEPARATOR.get(self.lang, ","))


def _quantities(params: Mapping[str, object], lang: str) -> dict[str, object]:
    return {
        name: _Quantity(value, lang) if name in _QUANTITY_PARAMS and type(value) is int else value
        for name, value in params.items()
    }


def plural_form(count: int, lang: str) -> str:
    """The CLDR plural category of an integer: "one" or "other"."""
    if lang == "fr":
        return "one" if count in (0, 1) else "other"
    return "one" if count == 1 else "other"


def _flatten(table: Mapping[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{path}."))
        elif isinstance(value, str):
            flat[path] = value
        else:
            raise ValueError(f"{path}: expected a string, got {type(value).__name__}")
    return flat


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


class Catalog:
    def __init__(self, messages: Mapping[str, Mapping[str, str]]) -> None:
        self._messages = {lang: dict(messages.get(lang, {})) for lang in LANGUAGES}

    @classmethod
    def load(cls, folder: Path = DEFAULT_I18N_DIR) -> Catalog:
        messages: dict[str, dict[str, str]] = {}
        for lang in LANGUAGES:
            merged: dict[str, str] = {}
            for path in sorted((folder / lang).glob("*.toml")):
                with path.open("rb") as handle:
                    strings = _flatten(tomllib.load(handle))
                clash = merged.keys() & strings.keys()
                if clash:
                    raise ValueError(f"{path}: keys already defined in another file: {sorted(clash)}")
                merged.update(strings)
            messages[lang] = merged
        return cls(messages)

    def keys(self, lang: str) -> set[str]:
        return set(self._messages[lang])

    def raw(self, key: str, lang: str) -> str:
        return self._messages[lang][key]

    def has(self, key: str) -> bool:
        return all(key in self._messages[lang] for lang in LANGUAGES)

    def t(self, key: str, lang: str, /, **params: object) -> str:
        """The string `key` in `lang`, formatted; English, then the key itself, if it is missing."""
        template = self._template(key, lang, params) or self._template(key, DEFAULT_LANGUAGE, params) or key
        return template.format_map(_quantities(params, lang)) if params else template

    def _template(self, key: str, lang: str, params: Mapping[str, object]) -> str | None:
        messages = self._messages.get(lang, {})
        if key in messages:
            return messages[key]
        count = next((params[name] for name in _COUNT_PARAMS if name in params), None)
        if isinstance(count, int) and f"{key}.other" in messages:
            return messages.get(f"{key}.{plural_form(count, lang)}") or messages[f"{key}.other"]
        return None

    def problems(self) -> list[str]:
        """Keys missing or empty in a language, and placeholders that differ between languages."""
        found = []
        everything = set().union(*(self.keys(lang) for lang in LANGUAGES))
        for key in sorted(everything):
            for lang in LANGUAGES:
                if not self._messages[lang].get(key, "").strip():
                    found.append(f"{key}: missing or empty in {lang}")
            if key.endswith(".one") and not self.has(f"{key.removesuffix('.one')}.other"):
                found.append(f"{key}: a plural table needs an 'other' form")
            if self.has(key):
                names = {lang: placeholders(self._messages[lang][key]) for lang in LANGUAGES}
                if len({frozenset(value) for value in names.values()}) > 1:
                    found.append(f"{key}: placeholders differ {names}")
        return found


@cache
def get_catalog() -> Catalog:
    return Catalog.load()


def t(key: str, locale: discord.Locale | str | None, /, **params: object) -> str:
    """Translate `key` for a Discord locale (or a language code)."""
    return get_catalog().t(key, language_for(locale), **params)
