"""Showing a passage of the declaration, and the buttons that move to the one before or after it.

The buttons are stateless `DynamicItem`s: the custom_id carries the target reference and the member
the message belongs to, `clause:<slot>:<ref>:<owner id>` (slot prev, next or up; ref as /clause
reads it: `4`, `4-6`, `3.2`, `fn2`), so they keep working after a restart. The owner's press moves
the message itself; anyone else's press gives them their own ephemeral copy at the target instead of
changing what the owner is reading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.i18n import language_for, t
from bot.interaction_errors import reports_errors
from bot.rendering.clauses import ref_label
from bot.services.declaration import Passage
from bot.views.event_links import open_event_buttons
from bot.views.pagination import send_pages

if TYPE_CHECKING:
    from bot.client import SummitBot

CLAUSE_BUTTON_ID = r"clause:(?P<slot>prev|next|up):(?P<ref>[0-9a-z.\-]{1,16}):(?P<owner>[0-9]{1,20})"


class ClauseButton(discord.ui.DynamicItem[discord.ui.Button], template=CLAUSE_BUTTON_ID):
    def __init__(self, slot: str, ref: str, owner_id: int, *, label: str = "…") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.primary if slot != "up" else discord.ButtonStyle.secondary,
                custom_id=f"clause:{slot}:{ref}:{owner_id}",
            )
        )
        self.slot = slot
        self.ref = ref
        self.owner_id = owner_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> ClauseButton:
        return cls(match["slot"], match["ref"], int(match["owner"]), label=item.label or "…")

    @reports_errors
    async def callback(self, interaction: discord.Interaction[SummitBot]) -> None:
        passage = await interaction.client.services.declaration.passage(self.ref)
        if interaction.user.id == self.owner_id:
            await show_passage_in_place(interaction, passage)
        else:
            await send_passage(interaction, passage, ephemeral=True)


def navigation_items(passage: Passage, owner_id: int, locale: discord.Locale | str) -> list[discord.ui.Item]:
    """Previous / up / next for a passage, then the link to the source and the related items."""
    items: list[discord.ui.Item] = []
    if passage.previous is not None:
        label = t("declaration.nav.previous", locale, label=ref_label(passage.previous, locale))
        items.append(ClauseButton("prev", passage.previous.text, owner_id, label=label))
    if passage.parent is not None:
        label = t("declaration.nav.up", locale, label=ref_label(passage.parent, locale))
        items.append(ClauseButton("up", passage.parent.text, owner_id, label=label))
    if passage.next is not None:
        label = t("declaration.nav.next", locale, label=ref_label(passage.next, locale))
        items.append(ClauseButton("next", passage.next.text, owner_id, label=label))
    items.append(discord.ui.Button(label=t("declaration.nav.source", locale), url=passage.source_url))
    if passage.english_text_url and language_for(locale) == "en":  # French readers have the original
        items.append(discord.ui.Button(label=t("declaration.nav.english_text", locale), url=passage.english_text_url))
    items.extend(related_items(passage, locale))
    return items


def related_items(passage: Passage, locale: discord.Locale | str) -> Sequence[discord.ui.Item]:
    """Buttons for what the passage links to: one per event it names (clause 6's milestones)."""
    return open_event_buttons(passage.events, locale)


async def send_passage(
    interaction: discord.Interaction[SummitBot], passage: Passage, *, ephemeral: bool = False
) -> None:
    """Answer with the passage: paged if it is long, with navigation that belongs to this member."""
    owner, locale = interaction.user.id, interaction.locale
    await send_pages(
        interaction,
        interaction.client.rendered_passages.pages(passage, locale),
        ephemeral=ephemeral,
        extra_items=lambda: navigation_items(passage, owner, locale),
    )


async def show_passage_in_place(interaction: discord.Interaction[SummitBot], passage: Passage) -> None:
    """Replace the message the pressed button is on with the passage."""
    owner, locale = interaction.user.id, interaction.locale
    pages = interaction.client.rendered_passages.pages(passage, locale)

    def extra_items() -> list[discord.ui.Item]:
        return navigation_items(passage, owner, locale)

    if len(pages) > 1:
        session = interaction.client.pagination.open(pages, owner_id=owner, locale=locale, extra_items=extra_items)
        view = session.view()
    else:
        view = discord.ui.View(timeout=None)
        for item in extra_items():
            view.add_item(item)
    await interaction.response.edit_message(embed=pages[0], view=view)
