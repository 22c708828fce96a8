"""Events as members and moderators read them: list pages, the /event embed, history, announcements."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import discord
from discord.utils import escape_markdown

from bot.events.changes import ChangeKind, EventChange, HistoryEntry
from bot.events.models import Event, EventDate, Precision
from bot.events.places import place
from bot.i18n import language_for, t
from bot.rendering.style import BRAND_COLOUR, discord_timestamp
from bot.services.events.service import EventListing, When
from bot.storage.repositories.guild_settings import GuildSettings

# A page of the list stays well under the 4096-character description limit, and short enough to read.
PAGE_BUDGET = 3500
EVENTS_PER_PAGE = 8
FIELD_LIMIT = 1024
HISTORY_CHANGES_PER_PAGE = 5


def _lang(locale: discord.Locale | str) -> str:
    return language_for(locale)


def shown(text: str) -> str:
    """Moderator-typed text shown as typed: markdown characters kept literal (mentions never ping anyway)."""
    return escape_markdown(text)


# --- dates ----------------------------------------------------------------------------------------


def when_text(event_date: EventDate, lang: str) -> str:
    """The date at the venue in words, with Discord timestamps (each reader's own zone) when it is dated."""
    described = event_date.describe(lang)
    starts = event_date.starts_at()
    if not event_date.precision.dated or starts is None:
        return described
    return t(
        "events.list.dated",
        lang,
        local=described,
        full=discord_timestamp(starts, "F"),
        relative=discord_timestamp(starts, "R"),
    )


def state_label(event: Event, now: datetime, lang: str) -> str:
    return t(f"events.state.{event.state(now)}", lang)


def event_line(event: Event, now: datetime, lang: str) -> str:
    title = f"**{shown(event.name(lang))}**"
    state = event.state(now)
    if state != "scheduled":
        title = t("events.list.title_with_state", lang, title=title, state=state_label(event, now, lang))
    where = place(event, lang)
    lines = [title, when_text(event.date, lang)]
    if where:
        lines.append(t("events.list.where", lang, place=shown(where)))
    return "\n".join(lines)


# --- /events --------------------------------------------------------------------------------------


def listing_intro(listing: EventListing, lang: str) -> str | None:
    if listing.when is not When.UPCOMING:
        if listing.events:
            return None
        return t("events.list.nothing_past" if listing.when is When.PAST else "events.list.nothing_at_all", lang)
    if not listing.events:
        return t("events.list.nothing_upcoming", lang)
    if listing.dated_upcoming == 0:
        return t("events.list.no_dated_upcoming", lang)
    return None


def listing_pages(listing: EventListing, now: datetime, locale: discord.Locale | str) -> list[discord.Embed]:
    lang = _lang(locale)
    title = t(f"events.list.title_{listing.when.value}", lang)
    intro = listing_intro(listing, lang)
    blocks = [event_line(event, now, lang) for event in listing.events]
    pages: list[list[str]] = [[]]
    size = len(intro or "")
    for block in blocks:
        page = pages[-1]
        if page and (len(page) >= EVENTS_PER_PAGE or size + len(block) + 2 > PAGE_BUDGET):
            pages.append([])
            size = 0
        pages[-1].append(block)
        size += len(block) + 2
    embeds = []
    for number, page in enumerate(pages):
        parts = [intro] if intro and number == 0 else []
        parts.extend(page)
        embed = discord.Embed(title=title, description="\n\n".join(parts) or None, colour=BRAND_COLOUR)
        embed.set_footer(text=t("events.list.footer", lang))
        embeds.append(embed)
    return embeds


# --- /event ---------------------------------------------------------------------------------------


def event_embed(event: Event, now: datetime, locale: discord.Locale | str) -> discord.Embed:
    lang = _lang(locale)
    embed = discord.Embed(
        title=event.name(lang),
        description=shown(event.description(lang)) or None,
        colour=BRAND_COLOUR,
    )
    embed.add_field(name=t("events.detail.when", lang), value=when_text(event.date, lang), inline=False)
    if event.date.precision.dated:
        embed.add_field(
            name=t("events.detail.local", lang),
            value=t("events.detail.local_value", lang, zone=event.timezone),
            inline=False,
        )
    embed.add_field(name=t("events.detail.where", lang), value=shown(place(event, lang)) or "—", inline=False)
    embed.add_field(name=t("events.detail.status", lang), value=state_label(event, now, lang))
    embed.add_field(name=t("events.detail.kind", lang), value=t(f"events.kind.{event.kind.value}", lang))
    if event.clauses:
        numbers = ", ".join(str(number) for number in event.clauses)
        named = t("events.detail.clauses_value", lang, n=numbers, count=len(event.clauses))  # "clauses 4, 6"
        embed.add_field(name=t("events.detail.clauses", lang), value=named)
    for number, chunk in enumerate(_chunks(event.source_urls, FIELD_LIMIT)):
        name = t("events.detail.sources", lang) if number == 0 else t("events.detail.sources_more", lang)
        embed.add_field(name=name, value=chunk, inline=False)
    embed.set_footer(text=t("events.detail.footer", lang, key=event.key))
    return embed


def _chunks(lines: Iterable[str], limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit and current:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


# --- history --------------------------------------------------------------------------------------


def _value(entry_field: str | None, value: str | None, lang: str) -> str:
    if value is None:
        return t("events.history.empty", lang)
    if entry_field == "date":
        return EventDate.model_validate_json(value).describe(lang)
    if entry_field == "status":
        return t(f"events.state.{value}", lang)
    if entry_field == "kind":
        return t(f"events.kind.{value}", lang)
    return shown(value.replace("\n", ", "))


def history_block(entries: Sequence[HistoryEntry], lang: str) -> str:
    """One change: when, who, what it did; then each field (old → new) and the reason, once."""
    first = entries[0]
    actor = f"<@{first.actor_id}>" if first.actor_id is not None else t("events.history.release", lang)
    lines = [
        t(
            "events.history.head",
            lang,
            at=discord_timestamp(first.at, "f"),
            actor=actor,
            action=t(f"events.history.action.{first.action.value}", lang),
        )
    ]
    for entry in entries:
        if not entry.field or entry.field == "deleted":
            continue
        label = t(f"events.field.{entry.field}", lang)
        new = _value(entry.field, entry.new, lang)
        if entry.action is ChangeKind.ADDED:
            lines.append(t("events.history.set", lang, field=label, value=new))
        else:
            old = _value(entry.field, entry.old, lang)
            lines.append(t("events.history.change", lang, field=label, old=old, new=new))
    if first.reason:
        lines.append(t("events.history.reason", lang, reason=shown(first.reason)))
    return "\n".join(lines)


def _fitting(block: str) -> list[str]:
    """A change too long for one page (two long descriptions, old and new) continues on the next."""
    if len(block) <= PAGE_BUDGET:
        return [block]
    parts: list[str] = []
    for line in block.split("\n"):
        if parts and len(parts[-1]) + len(line) + 1 <= PAGE_BUDGET:
            parts[-1] = f"{parts[-1]}\n{line}"
        else:
            parts.append(line)
    return parts


def _changes(entries: Sequence[HistoryEntry]) -> list[list[HistoryEntry]]:
    """The entries grouped by change (they share the event's sequence), in order."""
    groups: list[list[HistoryEntry]] = []
    for entry in entries:
        if groups and groups[-1][0].sequence == entry.sequence:
            groups[-1].append(entry)
        else:
            groups.append([entry])
    return groups


def history_pages(
    event: Event, entries: Sequence[HistoryEntry], locale: discord.Locale | str, *, deleted: bool = False
) -> list[discord.Embed]:
    lang = _lang(locale)
    title = t("events.history.title_deleted" if deleted else "events.history.title", lang, name=event.name(lang))
    title = title if len(title) <= 256 else title[:255] + "…"
    if not entries:
        return [discord.Embed(title=title, description=t("events.history.none", lang), colour=BRAND_COLOUR)]
    changes = _changes(entries)
    pages: list[list[str]] = [[]]
    size = 0
    for group in reversed(changes):  # the latest change first
        for block in _fitting(history_block(group, lang)):
            if pages[-1] and (len(pages[-1]) >= HISTORY_CHANGES_PER_PAGE or size + len(block) + 2 > PAGE_BUDGET):
                pages.append([])
                size = 0
            pages[-1].append(block)
            size += len(block) + 2
    footer = t("events.history.footer", lang, count=len(changes))
    return [
        discord.Embed(title=title, description="\n\n".join(page), colour=BRAND_COLOUR).set_footer(text=footer)
        for page in pages
    ]


# --- announcements and confirmations --------------------------------------------------------------


def _announced_date(event_date: EventDate, lang: str) -> str:
    described = event_date.describe(lang, with_note=False)
    starts = event_date.starts_at()
    if event_date.precision is Precision.EXACT and starts is not None:
        return t("events.announce.exact_date", lang, local=described, full=discord_timestamp(starts, "F"))
    return described


def _reason_suffix(reason: str | None, lang: str) -> str:
    return t("events.announce.reason", lang, reason=reason) if reason else ""


def announcement(change: EventChange, lang: str) -> str | None:
    """The post for the announcements channel, or None when the change is not worth a post."""
    event = change.event
    name = shown(event.name(lang))
    reason = _reason_suffix(change.reason, lang)
    if change.kind is ChangeKind.ADDED:
        return t("events.announce.added", lang, name=name, when=_announced_date(event.date, lang))
    if change.kind is ChangeKind.CANCELLED:
        return t("events.announce.cancelled", lang, name=name, reason=reason)
    moved = change.kind in (ChangeKind.MOVED, ChangeKind.POSTPONED, ChangeKind.CORRECTED) and change.date_moved
    if not moved or change.old_date is None or change.new_date is None:
        return None
    key = "events.announce.postponed" if change.kind is ChangeKind.POSTPONED else "events.announce.moved"
    return t(
        key,
        lang,
        name=name,
        old=_announced_date(change.old_date, lang),
        new=_announced_date(change.new_date, lang),
        reason=reason,
    )


def confirmation(change: EventChange, locale: discord.Locale | str) -> str:
    lang = _lang(locale)
    labels = ", ".join(t(f"events.field.{field}", lang) for field in change.fields if field != "deleted")
    return t(
        f"events.admin.done.{change.kind.value}",
        lang,
        name=shown(change.event.name(lang)),
        key=change.event.key,
        fields=labels,
    )


def settings_embed(settings: GuildSettings, locale: discord.Locale | str) -> discord.Embed:
    lang = _lang(locale)
    embed = discord.Embed(title=t("events.settings.title", lang), colour=BRAND_COLOUR)
    channel = (
        f"<#{settings.announcements_channel_id}>"
        if settings.announcements_channel_id
        else t("events.settings.none", lang)
    )
    role = f"<@&{settings.ping_role_id}>" if settings.ping_role_id else t("events.settings.none", lang)
    mirroring = t("events.settings.on" if settings.mirroring else "events.settings.off", lang)
    embed.add_field(name=t("events.settings.channel", lang), value=channel, inline=False)
    embed.add_field(name=t("events.settings.role", lang), value=role, inline=False)
    embed.add_field(name=t("events.settings.mirroring", lang), value=mirroring, inline=False)
    return embed


def autocomplete_label(event: Event, lang: str, *, deleted: bool = False) -> str:
    """A choice's name: the event's name and, when it has one, its year (at most 100 characters); a deleted
    event (offered only by history) says so at the end, where a cut name cannot hide it."""
    year = event.date.start.year if event.date.start else None
    name = event.name(lang)
    label = name if year is None or str(year) in name else f"{name} ({year})"
    mark = " " + t("events.history.deleted_mark", lang) if deleted else ""
    room = 100 - len(mark)
    return (label if len(label) <= room else label[: room - 1] + "…") + mark
