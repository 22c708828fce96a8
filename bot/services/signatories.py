"""Who signed the declaration: one country looked up, the whole list filtered, names to autocomplete."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import discord

from bot.content.models import EntityType, Footnote, Signatory
from bot.errors import NotFoundError
from bot.services.countries import (
    Country,
    CountryAliases,
    CountryDirectory,
    Found,
    signatory_code,
)
from bot.storage.repositories.content import ContentRepository

# What is echoed back of unknown input: enough to recognise it, too little to abuse.
ECHO_LENGTH = 40
_WHITESPACE = re.compile(r"\s+")


class SignatoryFilter(StrEnum):
    ALL = "all"
    FOUNDING = "founding"  # the founding members of the public-interest AI platform (footnote 2)
    STATES = "states"
    ORGANISATIONS = "organisations"


@dataclass(frozen=True)
class Totals:
    total: int
    states: int
    european_union: int
    african_union_commission: int


@dataclass(frozen=True)
class Signed:
    signatory: Signatory
    country: Country
    total: int
    founding_note: Footnote | None  # the footnote naming it a founding member, when it does
    exact: bool  # False when what was typed was taken for its closest match


@dataclass(frozen=True)
class NotSignatory:
    country: Country
    total: int
    exact: bool


LookupResult = Signed | NotSignatory


@dataclass(frozen=True)
class SignatoryListing:
    selection: SignatoryFilter
    entries: tuple[Signatory, ...]  # source order; footnote order for FOUNDING
    totals: Totals  # of the whole list, whatever the selection
    founding_note: Footnote | None  # set for FOUNDING: its text is quoted


@dataclass(frozen=True)
class _Snapshot:
    """The signatories and everything derived from them; content only changes when the bot restarts."""

    signatories: tuple[Signatory, ...]
    by_code: dict[str, Signatory]
    founding_note: Footnote | None
    directory: CountryDirectory
    totals: Totals


class SignatoryService:
    def __init__(self, content: ContentRepository, aliases: CountryAliases) -> None:
        self._content = content
        self._aliases = aliases
        self._snapshot: _Snapshot | None = None

    async def load(self) -> None:
        """Build the country directory now rather than on the first keystroke of an autocomplete."""
        await self._load()

    async def lookup(self, query: str, *, lang: str) -> LookupResult:
        """Whether what the member typed names a signatory; NotFoundError with suggestions otherwise."""
        snapshot = await self._load()
        resolution = snapshot.directory.resolve(query, lang=lang)
        if not isinstance(resolution, Found):
            raise _unknown(query, resolution.suggestions, lang)
        country = resolution.country
        total = snapshot.totals.total
        signatory = snapshot.by_code.get(country.code)
        if signatory is None:
            return NotSignatory(country=country, total=total, exact=resolution.exact)
        note = snapshot.founding_note
        founding = note if note is not None and country.code in note.members else None
        return Signed(signatory=signatory, country=country, total=total, founding_note=founding, exact=resolution.exact)

    async def listing(self, selection: SignatoryFilter = SignatoryFilter.ALL) -> SignatoryListing:
        snapshot = await self._load()
        note = snapshot.founding_note if selection is SignatoryFilter.FOUNDING else None
        if selection is SignatoryFilter.FOUNDING:
            members = snapshot.founding_note.members if snapshot.founding_note else ()
            entries = tuple(snapshot.by_code[code] for code in members)
        elif selection is SignatoryFilter.STATES:
            entries = tuple(s for s in snapshot.signatories if s.entity_type is EntityType.STATE)
        elif selection is SignatoryFilter.ORGANISATIONS:
            entries = tuple(s for s in snapshot.signatories if s.entity_type is not EntityType.STATE)
        else:
            entries = snapshot.signatories
        return SignatoryListing(selection=selection, entries=entries, totals=snapshot.totals, founding_note=note)

    async def autocomplete(self, typed: str, *, lang: str) -> list[Country]:
        snapshot = await self._load()
        return snapshot.directory.candidates(typed, lang=lang)

    async def _load(self) -> _Snapshot:
        if self._snapshot is None:
            signatories = tuple(await self._content.signatories())
            declaration = await self._content.declaration()
            self._snapshot = _Snapshot(
                signatories=signatories,
                by_code={signatory_code(s): s for s in signatories},
                # Footnote 2 is the one naming members; found by content, not by number.
                founding_note=next((note for note in declaration.footnotes if note.members), None),
                directory=CountryDirectory.build(signatories, self._aliases),
                totals=_totals(signatories),
            )
        return self._snapshot


def _totals(signatories: tuple[Signatory, ...]) -> Totals:
    def count(kind: EntityType) -> int:
        return sum(1 for s in signatories if s.entity_type is kind)

    return Totals(
        total=len(signatories),
        states=count(EntityType.STATE),
        european_union=count(EntityType.EUROPEAN_UNION),
        african_union_commission=count(EntityType.AFRICAN_UNION_COMMISSION),
    )


def _unknown(query: str, suggestions: tuple[Country, ...], lang: str) -> NotFoundError:
    shown = echo(query)
    if not shown:
        return NotFoundError("signatories.unknown_blank")
    if not suggestions:
        return NotFoundError("signatories.unknown", query=shown)
    names = ", ".join(country.name(lang) for country in suggestions)
    return NotFoundError("signatories.unknown_with_suggestions", query=shown, suggestions=names)


def echo(text: str) -> str:
    """What the member typed, safe to show back: one line, short, no markdown, no mention syntax."""
    line = _WHITESPACE.sub(" ", text).strip()
    if len(line) > ECHO_LENGTH:
        line = line[: ECHO_LENGTH - 1].rstrip() + "…"
    escaped = discord.utils.escape_mentions(discord.utils.escape_markdown(line))
    # <@id>, <#id>, <t:…> would render as mentions or timestamps: break the opening bracket.
    return escaped.replace("<", "<\u200b")
