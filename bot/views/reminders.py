"""Buttons of reminders: Snooze and Unsubscribe under a reminder (in a DM), Subscribe under /event,
and the confirmation of /remind forget-me.

All are DynamicItems registered on the bot (SummitBot.setup_hook): a reminder pressed days later,
after restarts, still works. Their custom_id carries what they act on; who pressed is the member.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import discord

from bot.errors import NotAllowedError, UserFacingError
from bot.events.models import Event
from bot.i18n import language_for, t
from bot.interaction_errors import reports_errors
from bot.reminders.planning import SnoozeMode
from bot.rendering.events import shown
from bot.rendering.reminders import subscribed_text
from bot.rendering.style import discord_timestamp
from bot.replies import reply

if TYPE_CHECKING:
    from bot.client import SummitBot


def _locale(interaction: discord.Interaction) -> str:
    return str(interaction.locale.value if isinstance(interaction.locale, discord.Locale) else interaction.locale)


class SnoozeButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"rm:snz:(?P<event>[0-9]{1,20}):(?P<mode>1h|before)"
):
    def __init__(self, event_id: int, mode: SnoozeMode, *, locale: discord.Locale | str = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=t(f"reminders.buttons.snooze_{'hour' if mode is SnoozeMode.HOUR else 'before'}", locale),
                style=discord.ButtonStyle.secondary,
                custom_id=f"rm:snz:{event_id}:{mode.value}",
                emoji="⏰",
            )
        )
        self.event_id = event_id
        self.mode = mode

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> SnoozeButton:
        return cls(int(match["event"]), SnoozeMode(match["mode"]), locale=interaction.locale)

    @reports_errors
    async def callback(self, interaction: discord.Interaction[SummitBot]) -> None:
        service = interaction.client.services.reminders
        snooze = await service.snooze(interaction.user.id, self.event_id, self.mode, _locale(interaction))
        text = t("reminders.snoozed", interaction.locale, at=discord_timestamp(snooze.due_at, "f"),
                 relative=discord_timestamp(snooze.due_at, "R"))  # fmt: skip
        await reply(interaction, text, ephemeral=True)


class UnsubscribeButton(discord.ui.DynamicItem[discord.ui.Button], template=r"rm:uns:(?P<subscription>[0-9]{1,20})"):
    def __init__(self, subscription_id: int, *, locale: discord.Locale | str = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=t("reminders.buttons.unsubscribe", locale),
                style=discord.ButtonStyle.danger,
                custom_id=f"rm:uns:{subscription_id}",
            )
        )
        self.subscription_id = subscription_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> UnsubscribeButton:
        return cls(int(match["subscription"]), locale=interaction.locale)

    @reports_errors
    async def callback(self, interaction: discord.Interaction[SummitBot]) -> None:
        service = interaction.client.services.reminders
        _, event = await service.unsubscribe_by_id(interaction.user.id, self.subscription_id)
        lang = language_for(interaction.locale)
        scope = f"**{shown(event.name(lang))}**" if event else t("reminders.all_events_bold", lang)
        await reply(interaction, t("reminders.unsubscribed", lang, scope=scope), ephemeral=True)


class SubscribeButton(discord.ui.DynamicItem[discord.ui.Button], template=r"rm:sub:(?P<event>[0-9]{1,20})"):
    def __init__(self, event_id: int, *, locale: discord.Locale | str = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=t("reminders.buttons.subscribe", locale),
                style=discord.ButtonStyle.success,
                custom_id=f"rm:sub:{event_id}",
                emoji="🔔",
            )
        )
        self.event_id = event_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> SubscribeButton:
        return cls(int(match["event"]), locale=interaction.locale)

    @reports_errors
    async def callback(self, interaction: discord.Interaction[SummitBot]) -> None:
        if interaction.guild_id is None:
            raise UserFacingError("errors.guild_only")
        service = interaction.client.services.reminders
        result = await service.subscribe_to(interaction.guild_id, interaction.user.id, self.event_id,
                                            _locale(interaction))  # fmt: skip
        await reply(interaction, subscribed_text(result, language_for(interaction.locale)), ephemeral=True)


class ForgetButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"rm:forget:(?P<user>[0-9]{1,20}):(?P<choice>yes|no)"
):
    def __init__(self, user_id: int, choice: str, *, locale: discord.Locale | str = "en") -> None:
        confirm = choice == "yes"
        super().__init__(
            discord.ui.Button(
                label=t("reminders.buttons.forget_yes" if confirm else "reminders.buttons.forget_no", locale),
                style=discord.ButtonStyle.danger if confirm else discord.ButtonStyle.secondary,
                custom_id=f"rm:forget:{user_id}:{choice}",
            )
        )
        self.user_id = user_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> ForgetButton:
        return cls(int(match["user"]), match["choice"], locale=interaction.locale)

    @reports_errors
    async def callback(self, interaction: discord.Interaction[SummitBot]) -> None:
        if interaction.user.id != self.user_id:
            raise NotAllowedError("reminders.errors.not_your_confirmation")
        lang = language_for(interaction.locale)
        if self.choice == "yes":
            await interaction.client.services.reminders.forget(interaction.user.id)
            text = t("reminders.forget.done", lang)
        else:
            text = t("reminders.forget.kept", lang)
        # The confirmation becomes the result, without buttons, so it cannot be pressed twice.
        none = discord.AllowedMentions.none()
        await interaction.response.edit_message(content=text, view=None, allowed_mentions=none)


def forget_view(user_id: int, locale: discord.Locale | str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ForgetButton(user_id, "yes", locale=locale))
    view.add_item(ForgetButton(user_id, "no", locale=locale))
    return view


def reminder_view(event_id: int, subscription_id: int | None, locale: str) -> discord.ui.View:
    """Under a reminder: snooze an hour, snooze until just before it starts, unsubscribe."""
    view = discord.ui.View(timeout=None)
    view.add_item(SnoozeButton(event_id, SnoozeMode.HOUR, locale=locale))
    view.add_item(SnoozeButton(event_id, SnoozeMode.JUST_BEFORE, locale=locale))
    if subscription_id is not None:
        view.add_item(UnsubscribeButton(subscription_id, locale=locale))
    return view


def notice_view(subscription_id: int | None, locale: str) -> discord.ui.View | None:
    """Under a moved notice: only Unsubscribe."""
    if subscription_id is None:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(UnsubscribeButton(subscription_id, locale=locale))
    return view


def subscribe_items(event: Event, locale: discord.Locale | str) -> list[discord.ui.Item]:
    """The "Subscribe" button under /event (none for a cancelled event)."""
    return [] if event.cancelled else [SubscribeButton(event.id, locale=locale)]


DYNAMIC_ITEMS = (SnoozeButton, UnsubscribeButton, SubscribeButton, ForgetButton)
