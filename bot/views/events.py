"""Buttons of the events commands: "Add to calendar", the source link, past events, and delete confirmation.

All are DynamicItems registered on the bot (SummitBot.setup_hook), so a press after a restart still
reaches us; what they need is in their custom_id (an event id, a confirmation token).
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

import discord

from bot.errors import InvalidInputError
from bot.events.calendar import calendar_filename, event_calendar
from bot.events.models import Event
from bot.i18n import language_for, t
from bot.interaction_errors import reports_errors
from bot.rendering.events import listing_pages, shown
from bot.replies import reply
from bot.services.events.service import When
from bot.views.pagination import send_pages
from bot.views.reminders import subscribe_items

if TYPE_CHECKING:
    from bot.client import SummitBot
    from bot.events.changes import Notice


def event_action_items(event: Event, locale: discord.Locale | str) -> list[discord.ui.Item]:
    """The buttons under /event. The reminders feature adds its "Subscribe" button here, in one line."""
    items: list[discord.ui.Item] = [*subscribe_items(event, locale), CalendarButton(event.id, locale=locale)]
    if event.source_urls:
        items.append(discord.ui.Button(label=t("events.buttons.source", locale), url=event.source_urls[0]))
    return items


def require_moderator(interaction: discord.Interaction[SummitBot]) -> None:
    """Manage Events or a configured moderator role, checked on every call (Discord only hides the command)."""
    roles = getattr(interaction.user, "roles", [])
    interaction.client.services.events.ensure_moderator(
        manage_events=interaction.permissions.manage_events, role_ids=[role.id for role in roles]
    )


def with_notices(text: str, notices: tuple[Notice, ...], locale: discord.Locale | str) -> str:
    return "\n".join([text, *(t(notice.key, locale, **notice.params) for notice in notices)])


class CalendarButton(discord.ui.DynamicItem[discord.ui.Button], template=r"ev:ics:(?P<event>[0-9]{1,20})"):
    def __init__(self, event_id: int, *, locale: discord.Locale | str = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=t("events.buttons.calendar", locale),
                style=discord.ButtonStyle.primary,
                custom_id=f"ev:ics:{event_id}",
            )
        )
        self.event_id = event_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> CalendarButton:
        return cls(int(match["event"]), locale=interaction.locale)

    @reports_errors
    async def callback(self, interaction: discord.Interaction[SummitBot]) -> None:
        client = interaction.client
        event = await client.services.events.get(interaction.guild_id or 0, self.event_id)
        lang = language_for(interaction.locale)
        if not event.date.precision.dated:
            raise InvalidInputError("events.calendar.no_date", when=event.date.describe(lang))
        data = event_calendar(event, lang=lang, now=client.clock.now())
        file = discord.File(io.BytesIO(data), filename=calendar_filename(event))
        text = t("events.calendar.ready", lang, name=shown(event.name(lang)))
        await reply(interaction, text, files=[file], ephemeral=True)


class PastEventsButton(discord.ui.DynamicItem[discord.ui.Button], template=r"ev:past"):
    def __init__(self, *, locale: discord.Locale | str = "en", count: int | None = None) -> None:
        label = t("events.buttons.past", locale) if count is None else t("events.buttons.past_count", locale, n=count)
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, custom_id="ev:past"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> PastEventsButton:
        return cls(locale=interaction.locale)

    @reports_errors
    async def callback(self, interaction: discord.Interaction[SummitBot]) -> None:
        client = interaction.client
        listing = await client.services.events.listing(interaction.guild_id or 0, When.PAST)
        await send_pages(interaction, listing_pages(listing, client.clock.now(), interaction.locale), ephemeral=True)


class DeleteButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"ev:del:(?P<token>[0-9a-f]{16}):(?P<choice>yes|no)"
):
    def __init__(self, token: str, choice: str, *, locale: discord.Locale | str = "en") -> None:
        confirm = choice == "yes"
        super().__init__(
            discord.ui.Button(
                label=t("events.buttons.delete_yes" if confirm else "events.buttons.delete_no", locale),
                style=discord.ButtonStyle.danger if confirm else discord.ButtonStyle.secondary,
                custom_id=f"ev:del:{token}:{choice}",
            )
        )
        self.token = token
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> DeleteButton:
        return cls(match["token"], match["choice"], locale=interaction.locale)

    @reports_errors
    async def callback(self, interaction: discord.Interaction[SummitBot]) -> None:
        service = interaction.client.services.events
        lang = language_for(interaction.locale)
        if self.choice == "no":
            pending = service.drop_deletion(self.token, interaction.user.id)
            text = t("events.admin.delete_kept", lang, name=shown(pending.event.name(lang)))
            await self._settle(interaction, text)
            return
        require_moderator(interaction)  # still a moderator when the button is pressed
        await interaction.response.defer()
        outcome = await service.confirm_deletion(interaction.guild_id or 0, self.token, interaction.user.id)
        assert outcome.change is not None
        text = t("events.admin.done.deleted", lang, name=shown(outcome.change.event.name(lang)), key="", fields="")
        await self._settle(interaction, with_notices(text, outcome.notices, lang))

    async def _settle(self, interaction: discord.Interaction, text: str) -> None:
        """Replace the confirmation with the result, buttons gone, so it cannot be pressed twice."""
        none = discord.AllowedMentions.none()
        if interaction.response.is_done():
            await interaction.edit_original_response(content=text, view=None, allowed_mentions=none)
        else:
            await interaction.response.edit_message(content=text, view=None, allowed_mentions=none)


def delete_confirmation_view(token: str, locale: discord.Locale | str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(DeleteButton(token, "yes", locale=locale))
    view.add_item(DeleteButton(token, "no", locale=locale))
    return view


DYNAMIC_ITEMS = (CalendarButton, PastEventsButton, DeleteButton)
