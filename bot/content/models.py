"""The content the bot serves (declaration, signatories, shipped events) as pydantic models.

The data lives in data/ as TOML that people edit, so the models are strict: an unknown key or an
inconsistency (a skipped number, a footnote call that is not in the text, an unknown event key) is
reported at load time instead of being served.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationInfo,
    field_validator,
    model_validator,
)

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TO_SUPERSCRIPT = str.maketrans("0123456789", SUPERSCRIPT_DIGITS)
_FROM_SUPERSCRIPT = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")
_FOOTNOTE_CALL = re.compile(f"[{SUPERSCRIPT_DIGITS}]+")
# Only ASCII whitespace is folded: a no-break space typed on purpose is kept.
_ASCII_WHITESPACE = re.compile(r"[ \t\r\n]+")
# The body is glued to the headline when it starts with punctuation (clause 6: "…sur ce sujet, notamment…").
_GLUED_PUNCTUATION = tuple(",.;:)…")


def superscript(number: int) -> str:
    """The footnote call for `number` as it is written in the text: 2 -> "²"."""
    return str(number).translate(_TO_SUPERSCRIPT)


def footnote_calls(text: str) -> list[int]:
    """The footnote numbers called in `text`, in order ("fondateurs²" -> [2]; "3ᵉ" is not a call)."""
    return [int(match.group().translate(_FROM_SUPERSCRIPT)) for match in _FOOTNOTE_CALL.finditer(text)]


def join_headline(headline: str, body: str) -> str:
    if not body:
        return headline
    return headline + body if body.startswith(_GLUED_PUNCTUATION) else f"{headline} {body}"


def _fold_whitespace(value: object) -> object:
    # TOML multi-line strings are wrapped for reading; line breaks are not part of the text.
    return _ASCII_WHITESPACE.sub(" ", value).strip() if isinstance(value, str) else value


def _https_url(value: str) -> str:
    if not value.startswith("https://"):
        raise ValueError("must be an https:// address")
    HttpUrl(value)
    return value


def _local_date(value: object) -> object:
    # datetime is a subclass of date; a TOML date-time here is a mistake, not a date.
    if isinstance(value, datetime):
        raise ValueError("must be a local date such as 2025-02-10, not a date and time")
    return value


Text = Annotated[str, BeforeValidator(_fold_whitespace), Field(min_length=1)]
OptionalText = Annotated[str, BeforeValidator(_fold_whitespace)]
Key = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
ItemNumber = Annotated[str, Field(pattern=r"^[1-9][0-9]*\.[1-9][0-9]*$")]
Iso2 = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Iso3 = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
HttpsUrl = Annotated[str, AfterValidator(_https_url)]
LocalDate = Annotated[date, BeforeValidator(_local_date)]
Number = Annotated[int, Field(ge=1)]


class _Model(BaseModel):
    # A misspelt key in data/ is reported, not silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_sequence(numbers: Iterable[object], expected: Iterable[object], what: str) -> None:
    for found, wanted in zip(numbers, expected, strict=False):
        if found != wanted:
            raise ValueError(f"{what} must run in order without gaps: found {found} where {wanted} was due")


def _check_unique(values: Iterable[object], what: str) -> None:
    duplicates = sorted(str(value) for value, count in Counter(values).items() if count > 1)
    if duplicates:
        raise ValueError(f"duplicate {what}: {', '.join(duplicates)}")


def _ordered_unique(values: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(values))


# --- The declaration ------------------------------------------------------------------------------


class ClauseItem(_Model):
    number: ItemNumber  # "3.7": clause number, then the item's rank in the clause
    headline: Text | None = None  # the bold lead, when the item has one
    text: Text  # the whole item as it reads, headline included

    @model_validator(mode="after")
    def _headline_leads_text(self) -> ClauseItem:
        if self.headline is not None and not self.text.startswith(self.headline):
            raise ValueError(f"item {self.number}: text must begin with its headline")
        return self


class ClauseList(_Model):
    key: Key
    heading: Text | None = None  # "À cet effet :"; none when the clause headline introduces the list
    items: tuple[ClauseItem, ...] = Field(min_length=1)


class Clause(_Model):
    number: Number
    headline: Text
    body: OptionalText = ""
    footnotes: tuple[Number, ...] = ()
    events: tuple[Key, ...] = ()
    initiatives: tuple[Key, ...] = ()
    lists: tuple[ClauseList, ...] = ()

    @property
    def items(self) -> tuple[ClauseItem, ...]:
        return tuple(item for clause_list in self.lists for item in clause_list.items)

    @property
    def paragraph(self) -> str:
        """Headline and body as one paragraph."""
        return join_headline(self.headline, self.body)

    @property
    def text(self) -> str:
        """The whole clause as it reads: the paragraph, then each list's heading and items, one per line."""
        lines = [self.paragraph]
        for clause_list in self.lists:
            if clause_list.heading:
                lines.append(clause_list.heading)
            lines.extend(item.text for item in clause_list.items)
        return "\n".join(lines)

    def item(self, number: str) -> ClauseItem:
        for item in self.items:
            if item.number == number:
                return item
        raise KeyError(f"clause {self.number} has no item {number}")

    @model_validator(mode="after")
    def _consistent(self) -> Clause:
        numbers = [item.number for item in self.items]
        expected = (f"{self.number}.{rank}" for rank in range(1, len(numbers) + 1))
        _check_sequence(numbers, expected, "item numbers")
        _check_unique((clause_list.key for clause_list in self.lists), "list keys")
        _check_unique(self.events, "event keys")
        _check_unique(self.initiatives, "initiative keys")
        called = _ordered_unique(footnote_calls(self.text))
        if list(self.footnotes) != called:
            raise ValueError(f"footnotes says {list(self.footnotes)} but the clause's text calls {called}")
        return self


class Footnote(_Model):
    number: Number
    text: Text
    called_from: Annotated[str, Field(pattern=r"^(title|[1-9][0-9]*(\.[1-9][0-9]*)?)$")]
    # Footnote 2: the founding members it names, as ISO 3166-1 alpha-2 codes, in its order.
    members: tuple[Iso2, ...] = ()

    @field_validator("members")
    @classmethod
    def _unique_members(cls, members: tuple[str, ...]) -> tuple[str, ...]:
        _check_unique(members, "members")
        return members


class Initiative(_Model):
    key: Key
    name_fr: Text
    name_en: Text
    clause: Number
    item: ItemNumber | None = None
    description_fr: Text
    description_en: Text
    source_url: HttpsUrl | None = None


class Declaration(_Model):
    title: Text
    title_footnotes: tuple[Number, ...] = ()
    summit: Text
    co_chairs: Text
    dates_place: Text
    issued: Text
    issuer: Text
    translation_note: Text
    language: Annotated[str, Field(pattern=r"^[a-z]{2}$")]
    source_url: HttpsUrl
    english_title: Text
    english_text_url: HttpsUrl  # the English text, offered to English readers (the quotes stay French)
    clauses: tuple[Clause, ...] = Field(min_length=1)
    footnotes: tuple[Footnote, ...] = ()
    initiatives: tuple[Initiative, ...] = ()

    def clause(self, number: int) -> Clause:
        if 1 <= number <= len(self.clauses):
            return self.clauses[number - 1]  # numbers run 1..n in order (validated)
        raise KeyError(f"no clause {number}")

    def item(self, number: str) -> ClauseItem:
        """An item by its number, e.g. "3.7"."""
        clause_number, _, _ = number.partition(".")
        return self.clause(int(clause_number)).item(number)

    def footnote(self, number: int) -> Footnote:
        if 1 <= number <= len(self.footnotes):
            return self.footnotes[number - 1]
        raise KeyError(f"no footnote {number}")

    def initiative(self, key: str) -> Initiative:
        for initiative in self.initiatives:
            if initiative.key == key:
                return initiative
        raise KeyError(f"no initiative {key!r}")

    @field_validator("clauses")
    @classmethod
    def _clauses_in_order(cls, clauses: tuple[Clause, ...]) -> tuple[Clause, ...]:
        _check_sequence((clause.number for clause in clauses), range(1, len(clauses) + 1), "clause numbers")
        return clauses

    @field_validator("footnotes")
    @classmethod
    def _footnotes_in_order(cls, footnotes: tuple[Footnote, ...]) -> tuple[Footnote, ...]:
        _check_sequence((note.number for note in footnotes), range(1, len(footnotes) + 1), "footnote numbers")
        return footnotes

    @field_validator("initiatives")
    @classmethod
    def _unique_initiatives(cls, initiatives: tuple[Initiative, ...]) -> tuple[Initiative, ...]:
        _check_unique((initiative.key for initiative in initiatives), "initiative keys")
        return initiatives

    @model_validator(mode="after")
    def _footnote_calls_match(self) -> Declaration:
        title_calls = _ordered_unique(footnote_calls(self.title))
        if list(self.title_footnotes) != title_calls:
            declared = list(self.title_footnotes)
            raise ValueError(f"title_footnotes is {declared} but the title calls {title_calls}")
        known = {note.number for note in self.footnotes}
        places = self._call_places()
        unknown = sorted(places.keys() - known)
        if unknown:
            number = unknown[0]
            raise ValueError(f"footnote {number} is called from {places[number]} but does not exist")
        for note in self.footnotes:
            found = places.get(note.number, [])
            if found != [note.called_from]:
                raise ValueError(
                    f"footnotes[number={note.number}].called_from is {note.called_from!r} "
                    f"but the text calls it from {found or 'nowhere'}"
                )
        return self

    def _call_places(self) -> dict[int, list[str]]:
        """Where each footnote is called: "title", a clause number ("4") or an item number ("3.7")."""
        places: dict[int, list[str]] = {}
        texts = [("title", self.title)]
        for clause in self.clauses:
            headings = " ".join(clause_list.heading or "" for clause_list in clause.lists)
            texts.append((str(clause.number), f"{clause.paragraph} {headings}"))
            texts.extend((item.number, item.text) for item in clause.items)
        for place, text in texts:
            for number in footnote_calls(text):
                places.setdefault(number, []).append(place)
        return places

    @model_validator(mode="after")
    def _initiatives_match_clauses(self) -> Declaration:
        named = {key: clause.number for clause in self.clauses for key in clause.initiatives}
        for key, clause_number in named.items():
            if key not in {initiative.key for initiative in self.initiatives}:
                raise ValueError(
                    f"clauses[number={clause_number}].initiatives names {key!r}, not in [[initiatives]]"
                )
        for initiative in self.initiatives:
            where = f"initiatives[key={initiative.key}]"
            if named.get(initiative.key) != initiative.clause:
                raise ValueError(f"{where}.clause is {initiative.clause} but that clause does not list it")
            if initiative.item is not None:
                try:
                    self.clause(initiative.clause).item(initiative.item)
                except KeyError:
                    raise ValueError(f"{where}.item {initiative.item} is not an item of its clause") from None
        return self


# --- The signatories -------------------------------------------------------------------------------


class EntityType(StrEnum):
    STATE = "state"
    EUROPEAN_UNION = "european_union"
    AFRICAN_UNION_COMMISSION = "african_union_commission"


class Signatory(_Model):
    position: Number
    name_fr: Text
    name_en: Text
    entity_type: EntityType
    iso2: Iso2 | None = None
    iso3: Iso3 | None = None
    founding_member: bool = False

    @model_validator(mode="after")
    def _codes_for_states_only(self) -> Signatory:
        has_codes = (self.iso2 is not None, self.iso3 is not None)
        if self.entity_type is EntityType.STATE and has_codes != (True, True):
            raise ValueError(f"{self.name_fr}: a state needs both iso2 and iso3")
        # ISO 3166-1 only exceptionally reserves "EU"; the AU Commission has no code at all.
        if self.entity_type is not EntityType.STATE and any(has_codes):
            raise ValueError(f"{self.name_fr}: only states have ISO 3166-1 codes")
        return self


# --- The shipped events ----------------------------------------------------------------------------


class EventKind(StrEnum):
    SUMMIT = "summit"
    FORUM = "forum"
    CONFERENCE = "conference"
    MEETING = "meeting"


class DatePrecision(StrEnum):
    """How precisely an event's dates are known; start..end then spans the whole period."""

    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


_PERIOD_MONTHS = {
    DatePrecision.MONTH: 1,
    DatePrecision.QUARTER: 3,
    DatePrecision.HALF_YEAR: 6,
    DatePrecision.YEAR: 12,
}


class EventStatus(StrEnum):
    """The status stored in data; whether an event is over is computed from its dates, not stored."""

    SCHEDULED = "scheduled"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


class ShippedEvent(_Model):
    key: Key
    name_fr: Text
    name_en: Text
    kind: EventKind
    venue: Text | None = None
    city: Text | None = None
    city_fr: Text | None = None  # the city's French name where it differs (Genève); city otherwise
    country: Iso2
    timezone: str
    start: LocalDate
    end: LocalDate
    precision: DatePrecision = DatePrecision.DAY
    date_note: Text | None = None
    status: EventStatus = EventStatus.SCHEDULED
    description_fr: Text
    description_en: Text
    organisers: tuple[Text, ...] = ()
    source_urls: tuple[HttpsUrl, ...] = Field(min_length=1)
    clauses: tuple[Number, ...] = ()
    notes: tuple[Text, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def starts_at(self) -> datetime:
        """Midnight at the venue on the first day."""
        return datetime.combine(self.start, time(), tzinfo=self.zone)

    @property
    def ends_at(self) -> datetime:
        """Midnight at the venue after the last day: the event is over from then on."""
        return datetime.combine(self.end + timedelta(days=1), time(), tzinfo=self.zone)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Paris") from None
        return value

    @field_validator("end")
    @classmethod
    def _end_not_before_start(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and end < start:
            raise ValueError(f"{end} is before start {start}")
        return end

    @field_validator("clauses")
    @classmethod
    def _unique_clauses(cls, clauses: tuple[int, ...]) -> tuple[int, ...]:
        _check_unique(clauses, "clauses")
        return clauses

    @model_validator(mode="after")
    def _dates_fit_precision(self) -> ShippedEvent:
        months = _PERIOD_MONTHS.get(self.precision)
        if months is None:
            return self
        period_end = _add_months(self.start, months) - timedelta(days=1)
        if self.start.day != 1 or (self.start.month - 1) % months or self.end != period_end:
            first = date(self.start.year, 1, 1)
            example = f"{first} to {_add_months(first, months) - timedelta(days=1)}"
            raise ValueError(
                f"precision {self.precision.value!r} needs start..end to span a whole period, e.g. {example}"
            )
        return self


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return day.replace(year=day.year + index // 12, month=index % 12 + 1)


# --- Everything together ---------------------------------------------------------------------------


class Content(_Model):
    declaration: Declaration
    signatories: tuple[Signatory, ...]
    events: tuple[ShippedEvent, ...]

    def event(self, key: str) -> ShippedEvent:
        for event in self.events:
            if event.key == key:
                return event
        raise KeyError(f"no shipped event {key!r}")

    @property
    def founding_members(self) -> tuple[Signatory, ...]:
        """The signatories footnote 2 names as founding members, in its order."""
        by_code = {signatory.iso2: signatory for signatory in self.signatories if signatory.iso2}
        return tuple(by_code[code] for note in self.declaration.footnotes for code in note.members)

    @field_validator("signatories")
    @classmethod
    def _signatories_in_order(cls, signatories: tuple[Signatory, ...]) -> tuple[Signatory, ...]:
        _check_sequence((s.position for s in signatories), range(1, len(signatories) + 1), "positions")
        _check_unique((s.name_fr for s in signatories), "name_fr")
        _check_unique((s.iso2 for s in signatories if s.iso2), "iso2")
        _check_unique((s.iso3 for s in signatories if s.iso3), "iso3")
        return signatories

    @field_validator("events")
    @classmethod
    def _unique_event_keys(cls, events: tuple[ShippedEvent, ...]) -> tuple[ShippedEvent, ...]:
        _check_unique((event.key for event in events), "event keys")
        return events

    @model_validator(mode="after")
    def _events_match_clauses(self) -> Content:
        keys = {event.key for event in self.events}
        clause_numbers = {clause.number for clause in self.declaration.clauses}
        for clause in self.declaration.clauses:
            for key in clause.events:
                if key not in keys:
                    raise ValueError(
                        f"declaration.toml clauses[number={clause.number}].events names {key!r}, "
                        "which is not an event in events.toml"
                    )
        for event in self.events:
            for number in event.clauses:
                if number not in clause_numbers:
                    raise ValueError(f"events.toml events[key={event.key}].clauses: no clause {number}")
            naming = {clause.number for clause in self.declaration.clauses if event.key in clause.events}
            if naming != set(event.clauses):
                raise ValueError(
                    f"events.toml events[key={event.key}].clauses is {sorted(event.clauses)} but in "
                    f"declaration.toml the clauses naming it are {sorted(naming)}"
                )
        return self

    @model_validator(mode="after")
    def _founding_members_are_signatories(self) -> Content:
        codes = {signatory.iso2 for signatory in self.signatories if signatory.iso2}
        members = {code for note in self.declaration.footnotes for code in note.members}
        strangers = sorted(members - codes)
        if strangers:
            raise ValueError(
                f"declaration.toml footnotes: members {strangers} are not signatories in signatories.toml"
            )
        flagged = {signatory.iso2 for signatory in self.signatories if signatory.founding_member}
        if flagged != members:
            raise ValueError(
                f"signatories.toml founding_member is set for {sorted(c or '?' for c in flagged)} but "
                f"declaration.toml footnotes name {sorted(members)}"
            )
        return self
