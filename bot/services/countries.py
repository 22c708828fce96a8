"""The country directory: every name a member may type for a country or a signatory organisation.

It joins three sources, each for what it knows best:
- pycountry: every ISO 3166-1 country with its codes and its English names, and French names from
  pycountry's own translations (no list of 250 names typed by hand);
- the signatories (data/signatories.toml): the names the declaration's list uses ("Vatican",
  "République de Corée") and the two organisations, which have no ISO code ("EU" and "AUC" here);
- data/country_aliases.toml: short forms and usual names pycountry lacks (UK, EAU, Turkey …).

Everything typed is compared in a normalized form (`normalize`). The directory is built once and only
read afterwards: autocomplete asks it on every keystroke.
"""

from __future__ import annotations

import gettext
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pycountry
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.content.models import EntityType, Signatory

DEFAULT_ALIASES_FILE = Path(__file__).resolve().parents[2] / "data" / "country_aliases.toml"

# The stable codes of the two signatories that are not countries. ISO 3166-1 only exceptionally
# reserves "EU" and has nothing for the African Union Commission.
ORGANISATION_CODES: Mapping[EntityType, str] = {
    EntityType.EUROPEAN_UNION: "EU",
    EntityType.AFRICAN_UNION_COMMISSION: "AUC",
}

MAX_SUGGESTIONS = 5
MAX_CHOICES = 25
# No name is longer than this once normalized; longer input is not worth comparing.
MAX_QUERY_LENGTH = 80
# difflib ratios: a typo is taken for the country when it is this close…
ACCEPT_RATIO = 0.8
# …and clearly closer than any other country; anything this close is at least suggested.
CLEAR_LEAD = 0.1
SUGGEST_RATIO = 0.6
# A unique prefix this long is taken for the country ("Tchéq" → Czechia); shorter ones only suggest.
MIN_PREFIX = 3

_LEADING_ARTICLES = frozenset({"le", "la", "les", "l", "the"})
# A flag emoji is two regional indicator symbols: 🇫🇷 reads as "fr".
_FLAG_LETTERS = {0x1F1E6 + offset: chr(ord("a") + offset) for offset in range(26)}
_PARENTHESIS = re.compile(r"\s*\(([^)]*)\)")


def normalize(text: str) -> str:
    """The form names are compared in: no case, no accents, no punctuation, no leading article.

    "L’Allemagne" -> "allemagne", "Côte-d'Ivoire" -> "cote d ivoire", "🇫🇷" -> "fr".
    """
    folded = unicodedata.normalize("NFKD", text.translate(_FLAG_LETTERS).casefold())
    cleaned = "".join(char if char.isalnum() else " " for char in folded if not unicodedata.combining(char))
    words = cleaned.split()
    if len(words) > 1 and words[0] in _LEADING_ARTICLES:
        words = words[1:]
    return " ".join(words)


def signatory_code(signatory: Signatory) -> str:
    """The stable code of a signatory: its ISO alpha-2 code, or "EU" / "AUC" for the organisations."""
    if signatory.iso2 is not None:
        return signatory.iso2
    return ORGANISATION_CODES[signatory.entity_type]


@dataclass(frozen=True)
class Country:
    """A country or a signatory organisation, named as the bot shows it."""

    code: str  # ISO 3166-1 alpha-2, or "EU" / "AUC"
    name_en: str
    name_fr: str
    alpha3: str | None = None
    signatory: bool = False

    def name(self, lang: str) -> str:
        return self.name_fr if lang == "fr" else self.name_en


@dataclass(frozen=True)
class Found:
    country: Country
    exact: bool  # False when a typo or a partial name was taken for it


@dataclass(frozen=True)
class NotFound:
    suggestions: tuple[Country, ...]  # best first, at most MAX_SUGGESTIONS


Resolution = Found | NotFound


# --- data/country_aliases.toml ------------------------------------------------------------------------


class AliasFileError(ValueError):
    """data/country_aliases.toml cannot be used; the message names the entry at fault."""


class AliasEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Display names, for countries that are not signatories whose pycountry name reads badly.
    name_en: str | None = Field(default=None, min_length=1)
    name_fr: str | None = Field(default=None, min_length=1)
    aliases: tuple[str, ...] = ()


class CountryAliases(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    countries: dict[str, AliasEntry] = {}


def load_aliases(path: Path = DEFAULT_ALIASES_FILE) -> CountryAliases:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return CountryAliases.model_validate(raw)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AliasFileError(f"{path}: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise AliasFileError(f"{path}: {problems}") from None


# --- The directory ---------------------------------------------------------------------------------


_ALIKE = 5


@dataclass(frozen=True)
class _Ranked:
    # 0 is it, 1 a usual name starts with it, 2 a formal name does, 3 a word of a name does,
    # 4 a name contains it, 5 a name looks alike (difflib)
    tier: int
    closeness: float
    country: Country


class CountryDirectory:
    def __init__(
        self,
        countries: Iterable[Country],
        codes: Mapping[str, str],
        names: Mapping[str, Iterable[str]],
        formal_names: Mapping[str, Iterable[str]],
    ) -> None:
        """Keys are normalized. `codes`: key -> code; `names`: code -> its usual names and aliases;
        `formal_names`: code -> its official names ("Federal Republic of Germany")."""
        self._countries = {country.code: country for country in countries}
        self._codes = dict(codes)
        # Usual names are matched before formal ones: "f" offers Finland before "Federal Republic of …".
        self._usual = {code: tuple(dict.fromkeys(names.get(code, ()))) for code in self._countries}
        self._formal = {code: tuple(dict.fromkeys(formal_names.get(code, ()))) for code in self._countries}
        self._names = {code: self._usual[code] + self._formal[code] for code in self._countries}
        by_name: dict[str, set[str]] = {}
        for code, keys in self._names.items():
            for key in keys:
                by_name.setdefault(key, set()).add(code)
        self._by_name = by_name
        # Ties in a ranking go to signatories, then to the name in each language.
        self._order = {
            lang: {code: (not c.signatory, normalize(c.name(lang))) for code, c in self._countries.items()}
            for lang in ("en", "fr")
        }

    @classmethod
    def build(cls, signatories: Sequence[Signatory], aliases: CountryAliases) -> CountryDirectory:
        return _Builder(signatories, aliases).build()

    def __len__(self) -> int:
        return len(self._countries)

    def get(self, code: str) -> Country | None:
        return self._countries.get(code)

    def resolve(self, text: str, *, lang: str = "en") -> Resolution:
        """What `text` names.

        In order: a code (ISO alpha-2/alpha-3, EU, AUC), a name or alias, a prefix only one
        country's name starts with, a typo clearly closest to one country; else suggestions.
        """
        key = normalize(text)
        if not key or len(key) > MAX_QUERY_LENGTH:
            return NotFound(())
        code = self._codes.get(key)
        if code is not None:
            return Found(self._countries[code], exact=True)
        named = self._by_name.get(key, set())
        if len(named) == 1:
            return Found(self._countries[next(iter(named))], exact=True)
        ranked = self._rank(key, lang)
        if not named:
            starting = [entry for entry in ranked if entry.tier in (1, 2)]
            if len(starting) == 1 and len(key) >= MIN_PREFIX:
                return Found(starting[0].country, exact=False)
            alike = [entry for entry in ranked if entry.tier == _ALIKE]
            if alike and alike[0].closeness >= ACCEPT_RATIO and _clear_lead(alike):
                return Found(alike[0].country, exact=False)
        return NotFound(tuple(entry.country for entry in ranked[:MAX_SUGGESTIONS]))

    def candidates(self, typed: str, *, lang: str, limit: int = MAX_CHOICES) -> list[Country]:
        """What autocomplete offers for `typed`: the best matches, signatories first in each tier.

        With nothing typed yet: the signatories, alphabetically in the reader's language.
        """
        key = normalize(typed)
        if not key:
            signatories = [country for country in self._countries.values() if country.signatory]
            return sorted(signatories, key=lambda country: self._order[_lang(lang)][country.code])[:limit]
        if len(key) > MAX_QUERY_LENGTH:
            return []
        return [entry.country for entry in self._rank(key, lang, limit=limit)[:limit]]

    def _rank(self, key: str, lang: str, *, limit: int = MAX_SUGGESTIONS) -> list[_Ranked]:
        tiers: dict[str, int] = {}
        code = self._codes.get(key)
        if code is not None:
            tiers[code] = 0
        for code in self._by_name.get(key, ()):
            tiers[code] = 0
        spaced = f" {key}"
        for code, names in self._names.items():
            if code in tiers:
                continue
            if any(name.startswith(key) for name in self._usual[code]):
                tiers[code] = 1
            elif any(name.startswith(key) for name in self._formal[code]):
                tiers[code] = 2
            elif any(spaced in f" {name}" for name in names):
                tiers[code] = 3
            elif len(key) >= 2 and any(key in name for name in names):
                tiers[code] = 4
        order = self._order[_lang(lang)]
        ranked = sorted(
            (_Ranked(tier, 1.0, self._countries[code]) for code, tier in tiers.items()),
            key=lambda entry: (entry.tier, order[entry.country.code]),
        )
        if len(ranked) < limit and len(key) >= MIN_PREFIX:
            alike = self._alike(key, exclude=tiers.keys())
            ranked.extend(sorted(alike, key=lambda entry: (-entry.closeness, order[entry.country.code])))
        return ranked

    def _alike(self, key: str, *, exclude: Iterable[str]) -> list[_Ranked]:
        """Countries with a name that difflib finds close to `key`, with their closest ratio."""
        excluded = set(exclude)
        matcher = SequenceMatcher(autojunk=False)
        matcher.set_seq2(key)  # SequenceMatcher caches what it learns about seq2
        best: dict[str, float] = {}
        for code, names in self._names.items():
            if code in excluded:
                continue
            for name in names:
                matcher.set_seq1(name)
                if (
                    matcher.real_quick_ratio() >= SUGGEST_RATIO
                    and matcher.quick_ratio() >= SUGGEST_RATIO
                    and (ratio := matcher.ratio()) >= SUGGEST_RATIO
                ):
                    best[code] = max(ratio, best.get(code, 0.0))
        return [_Ranked(_ALIKE, ratio, self._countries[code]) for code, ratio in best.items()]


def _clear_lead(alike: Sequence[_Ranked]) -> bool:
    return len(alike) == 1 or alike[0].closeness - alike[1].closeness >= CLEAR_LEAD


def _lang(lang: str) -> str:
    return "fr" if lang == "fr" else "en"


# --- Building it -----------------------------------------------------------------------------------


def _name_variants(name: str) -> list[str]:
    """A pycountry name and the forms people type: "Korea, Republic of" -> also "Republic of Korea";
    "Holy See (Vatican City State)" -> also "Holy See"."""
    variants = [name]
    bare = _PARENTHESIS.sub("", name).strip()
    if bare != name:
        variants.append(bare)
    head, comma, tail = bare.partition(", ")
    if comma and ", " not in tail:
        # "Iran, République islamique d'" -> "République islamique d'Iran"
        variants.append(f"{tail}{head}" if tail.endswith("'") else f"{tail} {head}")
    return variants


class _Builder:
    def __init__(self, signatories: Sequence[Signatory], aliases: CountryAliases) -> None:
        self._signatories = signatories
        self._aliases = aliases
        self._countries: dict[str, Country] = {}
        self._codes: dict[str, str] = {}
        self._names: dict[str, list[str]] = {}
        self._formal: dict[str, list[str]] = {}

    def build(self) -> CountryDirectory:
        french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"]).gettext
        for record in pycountry.countries:
            self._add_iso_country(record, french)
        for signatory in self._signatories:
            self._add_signatory(signatory)
        # A code wins over a name that reads the same: the code is what autocomplete sends.
        for names in (self._names, self._formal):
            for code, keys in names.items():
                keys[:] = [key for key in keys if self._codes.get(key, code) == code]
        for code, entry in self._aliases.countries.items():
            self._add_aliases(code, entry)
        return CountryDirectory(self._countries.values(), self._codes, self._names, self._formal)

    def _add_iso_country(self, record: Any, french: Callable[[str], str]) -> None:
        code: str = record.alpha_2
        alpha3: str = record.alpha_3
        usual = [name for name in (getattr(record, "common_name", None), record.name) if name]
        formal = [name for name in (getattr(record, "official_name", None),) if name]
        self._countries[code] = Country(code, usual[0], french(usual[0]), alpha3=alpha3)
        self._codes[normalize(code)] = code
        self._codes[normalize(alpha3)] = code
        for names, target in ((usual, self._names), (formal, self._formal)):
            translated = [*names, *map(french, names)]
            keys = (normalize(variant) for name in translated for variant in _name_variants(name))
            target.setdefault(code, []).extend(key for key in keys if key)

    def _add_signatory(self, signatory: Signatory) -> None:
        code = signatory_code(signatory)
        known = self._countries.get(code)
        self._countries[code] = Country(
            code,
            signatory.name_en,
            signatory.name_fr,
            alpha3=signatory.iso3 or (known.alpha3 if known else None),
            signatory=True,
        )
        self._codes[normalize(code)] = code
        if signatory.iso3:
            self._codes[normalize(signatory.iso3)] = code
        self._names.setdefault(code, []).extend(normalize(name) for name in (signatory.name_en, signatory.name_fr))

    def _add_aliases(self, code: str, entry: AliasEntry) -> None:
        where = f"country_aliases.toml [countries.{code}]"
        country = self._countries.get(code)
        if country is None:
            raise AliasFileError(f"{where}: {code!r} is neither an ISO 3166-1 alpha-2 code nor EU/AUC")
        if country.signatory and (entry.name_en or entry.name_fr):
            raise AliasFileError(f"{where}: a signatory's names come from signatories.toml, not from here")
        if entry.name_en or entry.name_fr:
            self._countries[code] = Country(
                code,
                entry.name_en or country.name_en,
                entry.name_fr or country.name_fr,
                alpha3=country.alpha3,
            )
        for alias in (entry.name_en, entry.name_fr, *entry.aliases):
            if alias is None:
                continue
            key = normalize(alias)
            if not key:
                raise AliasFileError(f"{where}: alias {alias!r} has no letters or digits")
            clash = self._codes.get(key)
            others = {
                other
                for names in (self._names, self._formal)
                for other, keys in names.items()
                if other != code and key in keys
            }
            if clash not in (None, code):
                raise AliasFileError(f"{where}: alias {alias!r} is the code of {clash}")
            if others:
                raise AliasFileError(f"{where}: alias {alias!r} already names {', '.join(sorted(others))}")
            self._names[code].append(key)
