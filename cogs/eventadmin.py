"""/eventadmin add|edit|postpone|cancel|delete|history|settings — the moderators' side of events.

Discord hides the group from members without Manage Events (default_permissions); every call is checked
again here (Manage Events or a configured moderator role), since a server's admins can change who sees it.
Each change is told to the listeners this cog registers: the announcements channel and the scheduled-event
mirror (the reminders feature registers its own).
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import SummitBot
from bot.errors import UserFacingError
from bot.events.changes import ChangeOutcome
from bot.events.dates import zone_suggestions
from bot.events.models import EventKind
from bot.i18n import language_for, t, text
from bot.rendering.events import autocomplete_label, confirmation, history_pages, settings_embed, shown
from bot.rendering.reminders import reminder_leads_field
from bot.replies import reply
from bot.services.events.announcements import Announcer
from bot.services.events.board import EventBoard
from bot.services.events.mirror import ScheduledEventMirror
from bot.services.events.service import EventDraft, EventPatch
from bot.storage.repositories.boards import BoardRepository
from bot.storage.repositories.guild_settings import KEEP
from bot.views.events import delete_confirmation_view, require_moderator, with_notices
from bot.views.pagination import send_pages
from bot.web.discord_side import FEED_CHOICES, apply_feed_choice, require_web, settings_feed_field
from bot.web.lifecycle import web_of
from cogs.events import event_choices

KIND_CHOICES = [
    app_commands.Choice(name=text(f"commands.eventadmin.choices.kind.{kind.value}"), value=kind.value)
    for kind in EventKind
]
FEED_CHOICES_SHOWN = [
    app_commands.Choice(name=text(f"commands.eventadmin.choices.calendar_feed.{what}"), value=what)
    for what in FEED_CHOICES
]
RESET_CHOICES = [
    app_commands.Choice(name=text(f"commands.eventadmin.choices.reset.{what}"), value=what)
    for what in ("channel", "role")
]


def _opt(key: str) -> app_commands.locale_str:
    return text(f"commands.eventadmin.options.{key}.name")


def _desc(key: str) -> app_commands.locale_str:
    return text(f"commands.eventadmin.options.{key}.description")


async def timezone_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=zone, value=zone) for zone in zone_suggestions(current)]


async def history_choices(interaction: discord.Interaction[SummitBot], current: str) -> list[app_commands.Choice[str]]:
    """The server's events and, marked, its deleted ones: their history is kept and can be read."""
    if interaction.guild_id is None:
        return []
    try:
        require_moderator(interaction)  # autocomplete skips the cog's interaction_check: deleted events stay hidden
    except UserFacingError:
        return []
    lang = language_for(interaction.locale)
    found = await interaction.client.services.events.history_suggestions(interaction.guild_id, current)
    return [
        app_commands.Choice(name=autocomplete_label(event, lang, deleted=deleted), value=event.key)
        for event, deleted in found
    ]


@app_commands.guild_only()
@app_commands.default_permissions(manage_events=True)
class EventAdmin(
    commands.GroupCog,
    group_name=text("commands.eventadmin.name"),
    group_description=text("commands.eventadmin.description"),
):
    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot
        service = bot.services.events
        self.announcer = Announcer(bot, service)
        self.mirror = ScheduledEventMirror(bot, service, self.announcer, bot.clock)
        self.board = EventBoard(bot, service, self.announcer, bot.clock, BoardRepository(bot.database), bot.scheduler)
        super().__init__()

    async def cog_load(self) -> None:
        service = self.bot.services.events
        service.add_listener(self.announcer.on_change)
        service.add_listener(self.mirror.on_change)
        service.add_listener(self.board.on_change)

    async def cog_unload(self) -> None:
        service = self.bot.services.events
        service.remove_listener(self.announcer.on_change)
        service.remove_listener(self.mirror.on_change)
        service.remove_listener(self.board.on_change)

    async def interaction_check(self, interaction: discord.Interaction[SummitBot]) -> bool:
        try:
            require_moderator(interaction)
        except UserFacingError as exc:
            # Wrapped so the tree's one error path answers it (a bare exception here would escape it).
            raise app_commands.CommandInvokeError(interaction.command, exc) from exc  # type: ignore[arg-type]
        return True

    async def _done(self, interaction: discord.Interaction, outcome: ChangeOutcome) -> None:
        assert outcome.change is not None
        message = with_notices(confirmation(outcome.change, interaction.locale), outcome.notices, interaction.locale)
        await reply(interaction, message, ephemeral=True)

    # --- add -------------------------------------------------------------------------------------

    @app_commands.command(
        name=text("commands.eventadmin.add.name"), description=text("commands.eventadmin.add.description")
    )
    @app_commands.rename(
        name=_opt("name"), date=_opt("date"), timezone=_opt("timezone"), end=_opt("end"), name_fr=_opt("name_fr"),
        kind=_opt("kind"), venue=_opt("venue"), city=_opt("city"), city_fr=_opt("city_fr"), country=_opt("country"),
        description=_opt("description"), description_fr=_opt("description_fr"), source_url=_opt("source_url"),
        key=_opt("key"), reason=_opt("reason"),
    )  # fmt: skip
    @app_commands.describe(
        name=_desc("name"), date=_desc("date"), timezone=_desc("timezone"), end=_desc("end"),
        name_fr=_desc("name_fr"), kind=_desc("kind"), venue=_desc("venue"), city=_desc("city"),
        city_fr=_desc("city_fr"), country=_desc("country"), description=_desc("description"),
        description_fr=_desc("description_fr"), source_url=_desc("source_url"), key=_desc("key"),
        reason=_desc("reason"),
    )  # fmt: skip
    @app_commands.choices(kind=KIND_CHOICES)
    @app_commands.autocomplete(timezone=timezone_choices)
    async def add(
        self,
        interaction: discord.Interaction[SummitBot],
        name: str,
        date: str,
        timezone: str,
        end: str | None = None,
        name_fr: str | None = None,
        kind: app_commands.Choice[str] | None = None,
        venue: str | None = None,
        city: str | None = None,
        city_fr: str | None = None,
        country: str | None = None,
        description: str | None = None,
        description_fr: str | None = None,
        source_url: str | None = None,
        key: str | None = None,
        reason: str | None = None,
    ) -> None:
        draft = EventDraft(
            name_en=name,
            date=date,
            timezone=timezone,
            end=end,
            name_fr=name_fr,
            kind=EventKind(kind.value) if kind else EventKind.SUMMIT,
            venue=venue,
            city=city,
            city_fr=city_fr,
            country=country,
            description_en=description,
            description_fr=description_fr,
            source_url=source_url,
            key=key,
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.bot.services.events.add(interaction.guild_id or 0, interaction.user.id, draft, reason)
        await self._done(interaction, outcome)

    # --- edit ------------------------------------------------------------------------------------

    @app_commands.command(
        name=text("commands.eventadmin.edit.name"), description=text("commands.eventadmin.edit.description")
    )
    @app_commands.rename(
        event=_opt("event"), name=_opt("name"), name_fr=_opt("name_fr"), date=_opt("date"), end=_opt("end"),
        timezone=_opt("timezone"), kind=_opt("kind"), venue=_opt("venue"), city=_opt("city"),
        city_fr=_opt("city_fr"), country=_opt("country"), description=_opt("description"),
        description_fr=_opt("description_fr"), source_url=_opt("source_url"), reason=_opt("reason"),
    )  # fmt: skip
    @app_commands.describe(
        event=_desc("event"), name=_desc("name"), name_fr=_desc("name_fr"), date=_desc("date"), end=_desc("end"),
        timezone=_desc("timezone"), kind=_desc("kind"), venue=_desc("venue_edit"), city=_desc("city_edit"),
        city_fr=_desc("city_fr_edit"), country=_desc("country_edit"), description=_desc("description_edit"),
        description_fr=_desc("description_fr_edit"), source_url=_desc("source_url_edit"), reason=_desc("reason"),
    )  # fmt: skip
    @app_commands.choices(kind=KIND_CHOICES)
    @app_commands.autocomplete(event=event_choices, timezone=timezone_choices)
    async def edit(
        self,
        interaction: discord.Interaction[SummitBot],
        event: str,
        name: str | None = None,
        name_fr: str | None = None,
        date: str | None = None,
        end: str | None = None,
        timezone: str | None = None,
        kind: app_commands.Choice[str] | None = None,
        venue: str | None = None,
        city: str | None = None,
        city_fr: str | None = None,
        country: str | None = None,
        description: str | None = None,
        description_fr: str | None = None,
        source_url: str | None = None,
        reason: str | None = None,
    ) -> None:
        patch = EventPatch(
            name_en=name,
            name_fr=name_fr,
            kind=EventKind(kind.value) if kind else None,
            venue=venue,
            city=city,
            city_fr=city_fr,
            country=country,
            description_en=description,
            description_fr=description_fr,
            source_url=source_url,
            date=date,
            end=end,
            timezone=timezone,
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.bot.services.events.edit(
            interaction.guild_id or 0, event, interaction.user.id, patch, reason
        )
        await self._done(interaction, outcome)

    # --- postpone, cancel ------------------------------------------------------------------------

    @app_commands.command(
        name=text("commands.eventadmin.postpone.name"), description=text("commands.eventadmin.postpone.description")
    )
    @app_commands.rename(
        event=_opt("event"), date=_opt("date"), end=_opt("end"), timezone=_opt("timezone"), reason=_opt("reason")
    )
    @app_commands.describe(
        event=_desc("event"), date=_desc("new_date"), end=_desc("end"), timezone=_desc("timezone"),
        reason=_desc("reason"),
    )  # fmt: skip
    @app_commands.autocomplete(event=event_choices, timezone=timezone_choices)
    async def postpone(
        self,
        interaction: discord.Interaction[SummitBot],
        event: str,
        date: str | None = None,
        end: str | None = None,
        timezone: str | None = None,
        reason: str | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.bot.services.events.postpone(
            interaction.guild_id or 0,
            event,
            interaction.user.id,
            date=date,
            end=end,
            timezone=timezone,
            reason=reason,
        )
        await self._done(interaction, outcome)

    @app_commands.command(
        name=text("commands.eventadmin.cancel.name"), description=text("commands.eventadmin.cancel.description")
    )
    @app_commands.rename(event=_opt("event"), reason=_opt("reason"))
    @app_commands.describe(event=_desc("event"), reason=_desc("reason"))
    @app_commands.autocomplete(event=event_choices)
    async def cancel(self, interaction: discord.Interaction[SummitBot], event: str, reason: str | None = None) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.bot.services.events.cancel(interaction.guild_id or 0, event, interaction.user.id, reason)
        await self._done(interaction, outcome)

    # --- delete (confirmed with a button) ----------------------------------------------------------

    @app_commands.command(
        name=text("commands.eventadmin.delete.name"), description=text("commands.eventadmin.delete.description")
    )
    @app_commands.rename(event=_opt("event"), reason=_opt("reason"))
    @app_commands.describe(event=_desc("event"), reason=_desc("reason"))
    @app_commands.autocomplete(event=event_choices)
    async def delete(self, interaction: discord.Interaction[SummitBot], event: str, reason: str | None = None) -> None:
        pending = await self.bot.services.events.request_deletion(
            interaction.guild_id or 0, event, interaction.user.id, reason
        )
        question = t(
            "events.admin.delete_confirm",
            interaction.locale,
            name=shown(pending.event.name(language_for(interaction.locale))),
            key=pending.event.key,
        )
        await reply(
            interaction, question, view=delete_confirmation_view(pending.token, interaction.locale), ephemeral=True
        )

    # --- history ---------------------------------------------------------------------------------

    @app_commands.command(
        name=text("commands.eventadmin.history.name"), description=text("commands.eventadmin.history.description")
    )
    @app_commands.rename(event=_opt("event"))
    @app_commands.describe(event=_desc("event"))
    @app_commands.autocomplete(event=history_choices)
    async def history(self, interaction: discord.Interaction[SummitBot], event: str) -> None:
        found = await self.bot.services.events.history(interaction.guild_id or 0, event)
        pages = history_pages(found.event, found.entries, interaction.locale, deleted=found.deleted)
        await send_pages(interaction, pages, ephemeral=True)

    # --- the live events board ------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # After a restart (or a new session): every board catches up, and a deleted one is posted again.
        await self.board.refresh_all()

    @app_commands.command(
        name=text("commands.eventadmin.board.name"), description=text("commands.eventadmin.board.description")
    )
    @app_commands.rename(channel=_opt("board_channel"))
    @app_commands.describe(channel=_desc("board_channel"))
    async def board_command(self, interaction: discord.Interaction[SummitBot], channel: discord.TextChannel) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.board.place(interaction.guild_id or 0, channel.id)
        await reply(interaction, t("events.board.placed", interaction.locale, channel=channel.mention), ephemeral=True)

    # --- settings --------------------------------------------------------------------------------

    @app_commands.command(
        name=text("commands.eventadmin.settings.name"), description=text("commands.eventadmin.settings.description")
    )
    @app_commands.rename(channel=_opt("channel"), role=_opt("role"), mirroring=_opt("mirroring"), reset=_opt("reset"),
                         reminder_leads=_opt("reminder_leads"), calendar_feed=_opt("calendar_feed"))  # fmt: skip
    @app_commands.describe(
        channel=_desc("channel"), role=_desc("role"), mirroring=_desc("mirroring"), reset=_desc("reset"),
        reminder_leads=_desc("reminder_leads"), calendar_feed=_desc("calendar_feed"),
    )  # fmt: skip
    @app_commands.choices(reset=RESET_CHOICES, calendar_feed=FEED_CHOICES_SHOWN)
    async def settings(
        self,
        interaction: discord.Interaction[SummitBot],
        channel: discord.TextChannel | None = None,
        role: discord.Role | None = None,
        mirroring: bool | None = None,
        reset: app_commands.Choice[str] | None = None,
        reminder_leads: str | None = None,
        calendar_feed: app_commands.Choice[str] | None = None,
    ) -> None:
        service = self.bot.services.events
        guild_id = interaction.guild_id or 0
        # Read before anything is stored: a bad value changes nothing.
        leads = None if reminder_leads is None else self.bot.services.reminders.channel_leads_typed(reminder_leads)
        web = require_web(web_of(self.bot)) if calendar_feed is not None else web_of(self.bot)
        await interaction.response.defer(ephemeral=True, thinking=True)
        before = await service.guild_settings(guild_id)
        if leads is not None:
            await self.bot.services.reminders.set_channel_leads(guild_id, leads)
        changed = channel is not None or role is not None or mirroring is not None or reset is not None
        notices = []
        if changed:
            reset_what = reset.value if reset else None
            updated = await service.update_settings(
                guild_id,
                announcements_channel_id=channel.id if channel else (None if reset_what == "channel" else KEEP),
                ping_role_id=role.id if role else (None if reset_what == "role" else KEEP),
                mirroring=mirroring if mirroring is not None else KEEP,
            )
            if mirroring and updated.mirroring:
                # Turning it on (again) mirrors every dated event: also how to retry after a fixed permission.
                notices.append(await self.mirror.sync_guild(guild_id))
            elif before.mirroring and not updated.mirroring:
                notices.append(await self.mirror.unmirror_guild(guild_id))
        else:
            updated = before
        feed_line = await apply_feed_choice(web, guild_id, calendar_feed.value) if web and calendar_feed else None
        changed = changed or leads is not None or calendar_feed is not None
        lines = [t("events.settings.saved" if changed else "events.settings.current", interaction.locale)]
        if feed_line:
            lines.append(t(feed_line, interaction.locale))
        lines.extend(t(notice.key, interaction.locale, **notice.params) for notice in notices if notice)
        embed = settings_embed(updated, interaction.locale)
        channel_leads = await self.bot.services.reminders.channel_leads(guild_id)
        if channel_leads or leads is not None:  # shown once the server uses them
            reminder_leads_field(embed, channel_leads, updated.announcements_channel_id is not None, interaction.locale)
        await settings_feed_field(embed, web, guild_id, interaction.locale)
        await reply(interaction, "\n".join(lines), embed=embed, ephemeral=True)


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(EventAdmin(bot))
