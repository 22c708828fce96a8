"""Reminders as members read them: the DM, the channel post, moved/cancelled notices, /remind replies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord

from bot.events.changes import ChangeKind, HistoryEntry
from bot.events.models import Event, EventDate
from bot.events.places import place
from bot.i18n import language_for, t
from bot.reminders.leads import describe_lead, describe_leads
from bot.rendering.events import shown, when_text
from bot.rendering.style import BRAND_COLOUR, discord_timestamp
from bot.services.reminders import ListedSubscription, Overview, Subscribed

TITLE_LIMIT = 256
FIELD_LIMIT = 1024
PAGE_BUDGET = 3500
ENTRIES_PER_PAGE = 8
# Fields whose change a subscriber hears about in their next reminder.
_FOLLOWED_FIELDS = ("date", "timezone", "status", "venue", "city", "country", "name_en", "name_fr")
_CHANGE_ACTIONS = (ChangeKind.MOVED, ChangeKind.POSTPONED, ChangeKind.EDITED, ChangeKind.CORRECTED)


def _title(text: str) -> str:
    return text if len(text) <= TITLE_LIMIT else text[: TITLE_LIMIT - 1] + "…"


def _clip(text: str, limit: int = FIELD_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def date_phrase(event_date: EventDate, lang: str) -> str:
    """ "15 March 2027, 09:00 (<t:…:F>)" for a dated event, "first half of 2027" otherwise."""
    described = event_date.describe(lang, with_note=False)
    starts = event_date.reminder_instant()
    return f"{described} ({discord_timestamp(starts, 'F')})" if starts is not None else described


def _footer(embed: discord.Embed, server: str | None, reference: str, lang: str) -> discord.Embed:
    text = (
        t("reminders.footer", lang, server=server, ref=reference)
        if server
        else t("reminders.footer_no_server", lang, ref=reference)
    )
    return embed.set_footer(text=text)


# --- what changed since a member subscribed -------------------------------------------------------


def _value(field: str, value: str | None, lang: str) -> str:
    if value is None:
        return t("events.history.empty", lang)
    if field == "date":
        return EventDate.model_validate_json(value).describe(lang)
    if field == "status":
        return t(f"events.state.{value}", lang)
    return shown(value.replace("\n", ", "))


def changes_since(entries: Sequence[HistoryEntry], since: datetime, lang: str) -> list[str]:
    """One line per field moderators (or a release) changed after `since`: "date: X → Y"."""
    lines = []
    for entry in entries:
        if entry.at <= since or entry.action not in _CHANGE_ACTIONS or entry.field not in _FOLLOWED_FIELDS:
            continue
        lines.append(
            t(
                "reminders.dm.change",
                lang,
                field=t(f"events.field.{entry.field}", lang),
                old=_value(entry.field, entry.old, lang),
                new=_value(entry.field, entry.new, lang),
            )
        )
    return lines


# --- the reminder ---------------------------------------------------------------------------------


def reminder_embed(
    event: Event,
    *,
    lang: str,
    lead: int | None,
    reference: str,
    server: str | None,
    late_due: datetime | None = None,
    changes: Sequence[str] = (),
) -> discord.Embed:
    """The reminder itself (`lead` None: a snoozed one). `late_due` set: it is late, say since when."""
    starts = event.reminder_instant()
    assert starts is not None
    lines = []
    if late_due is not None:
        lines.append(t("reminders.dm.late", lang, due=discord_timestamp(late_due, "R")))
    relative = discord_timestamp(starts, "R")
    if lead is None:
        lines.append(t("reminders.dm.starts_snoozed", lang, relative=relative))
    else:
        lead_text = describe_lead(lead, lang, attributive=True)  # "your 2-minute reminder"
        lines.append(t("reminders.dm.starts", lang, relative=relative, lead=lead_text))
    embed = discord.Embed(
        title=_title(t("reminders.dm.title", lang, name=event.name(lang))),
        description="\n".join(lines),
        colour=BRAND_COLOUR,
    )
    embed.add_field(name=t("events.detail.when", lang), value=_clip(when_text(event.date, lang)), inline=False)
    where = place(event, lang)
    if where:
        embed.add_field(name=t("events.detail.where", lang), value=_clip(shown(where)), inline=False)
    if changes:
        embed.add_field(name=t("reminders.dm.changed", lang), value=_clip("\n".join(changes)), inline=False)
    return _footer(embed, server, reference, lang)


def channel_post(
    event: Event, *, lang: str, lead: int, role_id: int | None, reference: str, server: str | None,
    late_due: datetime | None = None,
) -> tuple[str, discord.Embed]:  # fmt: skip
    """The post in the announcements channel: the role's ping (if any) in the text, the details below."""
    starts = event.reminder_instant()
    assert starts is not None
    text = t("reminders.channel.text", lang, name=shown(event.name(lang)), relative=discord_timestamp(starts, "R"),
             lead=describe_lead(lead, lang))  # fmt: skip
    if role_id:
        text = f"<@&{role_id}> {text}"
    embed = reminder_embed(event, lang=lang, lead=lead, reference=reference, server=server, late_due=late_due)
    return text, embed


def moved_embed(
    event: Event, *, old: EventDate, new: EventDate, reason: str | None, lang: str, reference: str,
    server: str | None,
) -> discord.Embed:  # fmt: skip
    lines = [t("reminders.moved.text", lang, old=date_phrase(old, lang), new=date_phrase(new, lang))]
    if reason:
        lines.append(t("reminders.notice.reason", lang, reason=shown(reason)))
    follow = "reminders.moved.follow" if new.reminder_instant() is not None else "reminders.moved.undated"
    lines.append(t(follow, lang))
    embed = discord.Embed(
        title=_title(t("reminders.moved.title", lang, name=event.name(lang))),
        description="\n".join(lines),
        colour=BRAND_COLOUR,
    )
    return _footer(embed, server, reference, lang)


def cancelled_embed(
    event: Event, *, reason: str | None, lang: str, reference: str, server: str | None
) -> discord.Embed:
    lines = [t("reminders.cancelled.text", lang, when=date_phrase(event.date, lang))]
    if reason:
        lines.append(t("reminders.notice.reason", lang, reason=shown(reason)))
    embed = discord.Embed(
        title=_title(t("reminders.cancelled.title", lang, name=event.name(lang))),
        description="\n".join(lines),
        colour=BRAND_COLOUR,
    )
    return _footer(embed, server, reference, lang)


# --- /remind replies ------------------------------------------------------------------------------


def _scope_name(event: Event | None, lang: str) -> str:
    return f"**{shown(event.name(lang))}**" if event else t("reminders.all_events_bold", lang)


def subscribed_text(result: Subscribed, lang: str) -> str:
    key = "reminders.subscribed.new" if result.created else "reminders.subscribed.updated"
    lines = [t(key, lang, scope=_scope_name(result.event, lang),
               leads=describe_leads(result.subscription.leads, lang))]  # fmt: skip
    if result.next_at is not None:
        lines.append(t("reminders.subscribed.next", lang, at=discord_timestamp(result.next_at, "f"),
                       relative=discord_timestamp(result.next_at, "R")))  # fmt: skip
    elif result.event is not None and result.event.reminder_instant() is None:
        lines.append(t("reminders.subscribed.undated", lang))
    if result.passed:
        lines.append(t("reminders.subscribed.passed", lang, leads=describe_leads(result.passed, lang)))
    return "\n".join(lines)


def _entry(entry: ListedSubscription, now: datetime, lang: str) -> str:
    subscription = entry.subscription
    lines = [t("reminders.list.entry", lang, scope=_scope_name(entry.event, lang),
               leads=describe_leads(subscription.leads, lang))]  # fmt: skip
    if entry.next_at is not None:
        at = discord_timestamp(entry.next_at, "f")
        relative = discord_timestamp(entry.next_at, "R")
        if entry.event is None and entry.next_event is not None:
            lines.append(t("reminders.list.next_for", lang, at=at, relative=relative,
                           name=shown(entry.next_event.name(lang))))  # fmt: skip
        else:
            lines.append(t("reminders.list.next", lang, at=at, relative=relative))
    elif entry.event is None:
        lines.append(t("reminders.list.none_dated", lang))
    elif entry.event.cancelled:
        lines.append(t("reminders.list.cancelled", lang))
    elif entry.event.reminder_instant() is None:
        lines.append(t("reminders.list.undated", lang, when=entry.event.date.describe(lang)))
    elif entry.event.is_over(now) or (entry.event.reminder_instant() or now) <= now:
        lines.append(t("reminders.list.started", lang))
    else:
        lines.append(t("reminders.list.no_more", lang))
    return "\n".join(lines)


def overview_pages(overview: Overview, now: datetime, lang: str, *, limit: int) -> list[discord.Embed]:
    title = t("reminders.list.title", lang)
    intro = []
    if overview.closed_dm is not None:
        intro.append(t("reminders.list.closed_dm", lang, at=discord_timestamp(overview.closed_dm.due_at, "f")))
    blocks = [_entry(entry, now, lang) for entry in overview.entries]
    blocks.extend(
        t("reminders.list.snoozed", lang, name=shown(event.name(lang)), at=discord_timestamp(snooze.due_at, "f"))
        for snooze, event in overview.snoozes
    )
    if not blocks:
        intro.append(t("reminders.list.empty", lang))
    pages: list[list[str]] = [list(intro)]
    size = sum(len(part) for part in intro)
    for block in blocks:
        if len(pages[-1]) >= ENTRIES_PER_PAGE or (pages[-1] and size + len(block) + 2 > PAGE_BUDGET):
            pages.append([])
            size = 0
        pages[-1].append(block)
        size += len(block) + 2
    footer = t("reminders.list.footer", lang, count=len(overview.entries), limit=limit)
    return [
        discord.Embed(title=title, description="\n\n".join(page), colour=BRAND_COLOUR).set_footer(text=footer)
        for page in pages
    ]


def closed_dm_notice(event: Event | None, lang: str) -> str:
    if event is None:
        return t("reminders.closed_dm.notice_generic", lang)
    return t("reminders.closed_dm.notice", lang, name=shown(event.name(lang)))


def reminder_leads_field(
    embed: discord.Embed, leads: Sequence[int], has_channel: bool, locale: discord.Locale | str
) -> discord.Embed:
    """The announcements channel's reminder lead times, in /eventadmin settings."""
    lang = language_for(locale)
    value = describe_leads(leads, lang) if leads else t("reminders.settings.leads_none", lang)
    if leads and not has_channel:
        value = f"{value}\n{t('reminders.settings.no_channel', lang)}"
    return embed.add_field(name=t("reminders.settings.leads", lang), value=value, inline=False)
