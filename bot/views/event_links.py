"""Buttons under /clause that open the events a clause names (clause 6's milestones).

Stateless: the custom_id carries the event's key; the press looks up this server's copy of the
event, so a moderator's corrections show and a deleted event says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import discord

from bot.content.models import ShippedEvent
from bot.errors import UserFacingError
from bot.i18n import language_for
from bot.interaction_errors import reports_errors
from bot.rendering.events import event_embed
from bot.replies import reply
from bot.views.events import event_action_items

if TYPE_CHECKING:
    from bot.client import SummitBot

OPEN_EVENT_ID = r"ev:open:(?P<key>[a-z0-9-]{1,60})"
LABEL_LIMIT = 80


class OpenEventButton(discord.ui.DynamicItem[discord.ui.Button], template=OPEN_EVENT_ID):
    def __init__(self, key: str, *, label: str = "…") -> None:
        super().__init__(
            discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, custom_id=f"ev:open:{key}", emoji="📅")
        )
        self.key = key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> OpenEventButton:
        return cls(match["key"], label=item.label or "…")

    @reports_errors
    async def callback(self, interaction: discord.Interaction[SummitBot]) -> None:
        if interaction.guild_id is None:
            raise UserFacingError("errors.guild_only")
        bot = interaction.client
        event = await bot.services.events.find(interaction.guild_id, self.key)
        view = discord.ui.View(timeout=None)
        for item in event_action_items(event, interaction.locale):
            view.add_item(item)
        embed = event_embed(event, bot.clock.now(), interaction.locale)
        await reply(interaction, embed=embed, view=view, ephemeral=True)


def open_event_buttons(events: Iterable[ShippedEvent], locale: discord.Locale | str) -> list[discord.ui.Item]:
    """One button per event, named in the reader's language."""
    lang = language_for(locale)
    buttons: list[discord.ui.Item] = []
    for event in events:
        name = event.name_fr if lang == "fr" else event.name_en
        label = name if len(name) <= LABEL_LIMIT else name[: LABEL_LIMIT - 1].rstrip() + "…"
        buttons.append(OpenEventButton(event.key, label=label))
    return buttons
