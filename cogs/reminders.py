"""/remind subscribe|list|unsubscribe|forget-me|feed — members' reminders; and the reminder runtime.

The cog owns the runtime (jobs, sender, start-up after the guilds are seeded) and registers its
listeners on the events and reminder services. A member whose reminder could not be DMed (closed DMs)
is told after their next command in that server.
"""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import SummitBot
from bot.errors import InvalidInputError, UserFacingError
from bot.i18n import language_for, t, text
from bot.reminders.feed import FEED_FILENAME, feed_calendar
from bot.reminders.leads import MAX_TYPED, PRESETS, describe_leads, parse_leads
from bot.reminders.runtime import ReminderRuntime
from bot.rendering.events import autocomplete_label, shown
from bot.rendering.reminders import closed_dm_notice, overview_pages, subscribed_text
from bot.replies import reply
from bot.services.reminders import ALL_EVENTS
from bot.views.pagination import send_pages
from bot.views.reminders import forget_view
from bot.web.discord_side import member_feed_lines
from bot.web.lifecycle import web_of

CHOICE_LIMIT = 100
MAX_CHOICES = 25


def _opt(key: str) -> app_commands.locale_str:
    return text(f"commands.remind.options.{key}.name")


def _desc(key: str) -> app_commands.locale_str:
    return text(f"commands.remind.options.{key}.description")


def _member_key(interaction: discord.Interaction) -> tuple[int | None, int]:
    return interaction.guild_id, interaction.user.id


def _locale(interaction: discord.Interaction) -> str:
    locale = interaction.locale
    return locale.value if isinstance(locale, discord.Locale) else str(locale)


def _clipped(name: str) -> str:
    return name if len(name) <= CHOICE_LIMIT else name[: CHOICE_LIMIT - 1] + "…"


async def event_or_all_choices(
    interaction: discord.Interaction[SummitBot], current: str
) -> list[app_commands.Choice[str]]:
    """ "All events of this server", then the upcoming events matching what is typed."""
    if interaction.guild_id is None:
        return []
    lang = language_for(interaction.locale)
    client = interaction.client
    now = client.clock.now()
    all_label = t("reminders.all_events", lang)
    choices = []
    if not current.strip() or current.strip().casefold() in all_label.casefold():
        choices.append(app_commands.Choice(name=all_label, value=ALL_EVENTS))
    for event in await client.services.events.suggestions(interaction.guild_id, current):
        if not event.cancelled and not event.is_over(now):
            choices.append(app_commands.Choice(name=autocomplete_label(event, lang), value=event.key))
    return choices[:MAX_CHOICES]


async def followed_choices(interaction: discord.Interaction[SummitBot], current: str) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    lang = language_for(interaction.locale)
    wanted = current.strip().casefold()
    choices = []
    for _, event in await interaction.client.services.reminders.following(interaction.guild_id, interaction.user.id):
        name = autocomplete_label(event, lang) if event else t("reminders.all_events", lang)
        if not wanted or wanted in name.casefold():
            choices.append(app_commands.Choice(name=name, value=event.key if event else ALL_EVENTS))
    return choices[:MAX_CHOICES]


def lead_suggestions(typed: str, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs: what is typed read back if it is valid, then each preset added to it."""
    typed = typed.strip()
    found: list[tuple[str, str]] = []
    try:
        current = parse_leads(typed) if typed else ()
    except UserFacingError:
        current = None
    if current:
        found.append((describe_leads(current, lang), typed))
    base = typed.rstrip(", ") if current else ""
    for preset in PRESETS:
        value = f"{base}, {preset}" if base else preset
        if len(value) > MAX_TYPED:
            continue
        try:
            leads = parse_leads(value)
        except UserFacingError:
            continue
        if current and set(leads) == set(current):
            continue
        found.append((describe_leads(leads, lang), value))
    return [(_clipped(label), value) for label, value in found][:MAX_CHOICES]


async def lead_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    lang = language_for(interaction.locale)
    return [app_commands.Choice(name=label, value=value) for label, value in lead_suggestions(current, lang)]


@app_commands.guild_only()
class Reminders(
    commands.GroupCog,
    group_name=text("commands.remind.name"),
    group_description=text("commands.remind.description"),
):
    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot
        self.runtime = ReminderRuntime(bot)
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.services.events.add_listener(self.runtime.on_event_change)
        self.bot.services.reminders.add_listener(self.runtime.on_reminder_change)
        if self.bot.is_ready():
            await self.runtime.start()

    async def cog_unload(self) -> None:
        self.bot.services.events.remove_listener(self.runtime.on_event_change)
        self.bot.services.reminders.remove_listener(self.runtime.on_reminder_change)
        await self.runtime.stop()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # After every GUILD_CREATE: start() seeds each server before planning its reminders.
        await self.runtime.start()

    @commands.Cog.listener()
    async def on_app_command_completion(
        self, interaction: discord.Interaction[SummitBot], command: app_commands.Command | app_commands.ContextMenu
    ) -> None:
        """Tell a member whose reminder bounced (closed DMs), once, after their next command here."""
        if interaction.guild_id is None:
            return
        notices = await self.bot.services.reminders.take_notices(interaction.guild_id, interaction.user.id)
        if not notices or command.qualified_name == self.list_reminders.qualified_name:
            return  # /remind list shows it already
        lang = language_for(interaction.locale)
        event = await self.bot.services.events.repository.get_by_id(notices[-1].event_id)
        await reply(interaction, closed_dm_notice(event, lang), ephemeral=True)

    # --- subscribe -------------------------------------------------------------------------------

    @app_commands.command(name=text("commands.remind.subscribe.name"),
                          description=text("commands.remind.subscribe.description"))  # fmt: skip
    @app_commands.rename(event=_opt("event"), lead=_opt("lead"))
    @app_commands.describe(event=_desc("event"), lead=_desc("lead"))
    @app_commands.autocomplete(event=event_or_all_choices, lead=lead_choices)
    @app_commands.checks.cooldown(5, 30.0, key=_member_key)
    async def subscribe(self, interaction: discord.Interaction[SummitBot], event: str, lead: str | None = None) -> None:
        result = await self.bot.services.reminders.subscribe(
            interaction.guild_id or 0, interaction.user.id, event, lead, _locale(interaction)
        )
        await reply(interaction, subscribed_text(result, language_for(interaction.locale)), ephemeral=True)

    # --- list ------------------------------------------------------------------------------------

    @app_commands.command(name=text("commands.remind.list.name"), description=text("commands.remind.list.description"))
    @app_commands.checks.cooldown(3, 10.0, key=_member_key)
    async def list_reminders(self, interaction: discord.Interaction[SummitBot]) -> None:
        service = self.bot.services.reminders
        overview = await service.overview(interaction.guild_id or 0, interaction.user.id)
        pages = overview_pages(overview, self.bot.clock.now(), language_for(interaction.locale),
                               limit=self.bot.settings.reminders.max_subscriptions_per_user)  # fmt: skip
        await send_pages(interaction, pages, ephemeral=True)

    # --- unsubscribe -----------------------------------------------------------------------------

    @app_commands.command(name=text("commands.remind.unsubscribe.name"),
                          description=text("commands.remind.unsubscribe.description"))  # fmt: skip
    @app_commands.rename(event=_opt("event"))
    @app_commands.describe(event=_desc("followed"))
    @app_commands.autocomplete(event=followed_choices)
    @app_commands.checks.cooldown(5, 30.0, key=_member_key)
    async def unsubscribe(self, interaction: discord.Interaction[SummitBot], event: str) -> None:
        found = await self.bot.services.reminders.unsubscribe(interaction.guild_id or 0, interaction.user.id, event)
        lang = language_for(interaction.locale)
        scope = f"**{shown(found.name(lang))}**" if found else t("reminders.all_events_bold", lang)
        await reply(interaction, t("reminders.unsubscribed", lang, scope=scope), ephemeral=True)

    # --- forget-me -------------------------------------------------------------------------------

    @app_commands.command(name=text("commands.remind.forget.name"),
                          description=text("commands.remind.forget.description"))  # fmt: skip
    @app_commands.checks.cooldown(2, 60.0, key=_member_key)
    async def forget_me(self, interaction: discord.Interaction[SummitBot]) -> None:
        await reply(
            interaction,
            t("reminders.forget.confirm", interaction.locale),
            view=forget_view(interaction.user.id, interaction.locale),
            ephemeral=True,
        )

    # --- feed ------------------------------------------------------------------------------------

    @app_commands.command(name=text("commands.remind.feed.name"), description=text("commands.remind.feed.description"))
    @app_commands.rename(new_address=_opt("new_address"))
    @app_commands.describe(new_address=_desc("new_address"))
    @app_commands.checks.cooldown(2, 60.0, key=_member_key)
    async def feed(self, interaction: discord.Interaction[SummitBot], new_address: bool = False) -> None:
        lang = language_for(interaction.locale)
        events = await self.bot.services.reminders.followed_events(interaction.guild_id or 0, interaction.user.id)
        data, undated = feed_calendar(events, lang=lang, now=self.bot.clock.now())
        dated = len(events) - len(undated)
        if dated == 0:
            raise InvalidInputError("reminders.errors.feed_empty")
        lines = [t("reminders.feed.ready", lang, count=dated)]
        if undated:
            names = ", ".join(shown(event.name(lang)) for event in undated)
            lines.append(_clipped_text(t("reminders.feed.undated", lang, names=names)))
        lines.extend(await member_feed_lines(web_of(self.bot), interaction.guild_id or 0, interaction.user.id,
                                             _locale(interaction), rotate=new_address))  # fmt: skip
        file = discord.File(io.BytesIO(data), filename=FEED_FILENAME)
        await reply(interaction, "\n".join(lines), files=[file], ephemeral=True)


def _clipped_text(value: str, limit: int = 1500) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(Reminders(bot))
