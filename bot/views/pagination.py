"""Paged replies: pages live in a bounded in-memory registry, buttons find them by a session id.

The buttons are `DynamicItem`s registered once on the bot, so a press always reaches us: after a
restart or expiry the member is told the pages expired instead of seeing "interaction failed".
A session is locked to the member who asked; anyone else pressing gets a short ephemeral note.
"""

from __future__ import annotations

import re
import secrets
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.i18n import t
from bot.interaction_errors import reports_errors
from bot.replies import reply

if TYPE_CHECKING:
    from bot.client import SummitBot

SESSION_TTL = timedelta(minutes=30)
MAX_SESSIONS = 5000

ExtraItems = Callable[[], Sequence[discord.ui.Item]]


@dataclass
class PageSession:
    id: str
    owner_id: int
    locale: discord.Locale | str
    pages: Sequence[discord.Embed]
    expires_at: datetime
    index: int = 0
    extra_items: ExtraItems | None = field(default=None, repr=False)

    def view(self) -> discord.ui.View:
        view = discord.ui.View(timeout=None)
        count = len(self.pages)
        view.add_item(PageButton(self.id, "prev", disabled=self.index == 0, locale=self.locale))
        view.add_item(
            discord.ui.Button(
                label=t("pages.indicator", self.locale, page=self.index + 1, count=count),
                disabled=True,
                custom_id=f"pg:{self.id}:at",
            )
        )
        view.add_item(PageButton(self.id, "next", disabled=self.index >= count - 1, locale=self.locale))
        for item in self.extra_items() if self.extra_items else ():
            view.add_item(item)
        return view


class Pagination:
    """The open page sessions: the most recent MAX_SESSIONS, each for SESSION_TTL."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._sessions: OrderedDict[str, PageSession] = OrderedDict()

    def open(
        self,
        pages: Sequence[discord.Embed],
        *,
        owner_id: int,
        locale: discord.Locale | str,
        extra_items: ExtraItems | None = None,
    ) -> PageSession:
        if not pages:
            raise ValueError("a paged reply needs at least one page")
        session = PageSession(
            id=secrets.token_hex(6),
            owner_id=owner_id,
            locale=locale,
            pages=list(pages),
            expires_at=self._now() + SESSION_TTL,
            extra_items=extra_items,
        )
        self._sessions[session.id] = session
        while len(self._sessions) > MAX_SESSIONS:
            self._sessions.popitem(last=False)
        return session

    def get(self, session_id: str) -> PageSession | None:
        session = self._sessions.get(session_id)
        if session is None or session.expires_at <= self._now():
            self._sessions.pop(session_id, None)
            return None
        return session

    def __len__(self) -> int:
        return len(self._sessions)


PAGE_BUTTON_ID = r"pg:(?P<session>[0-9a-f]{12}):(?P<action>prev|next)"


class PageButton(discord.ui.DynamicItem[discord.ui.Button], template=PAGE_BUTTON_ID):
    def __init__(
        self, session_id: str, action: str, *, disabled: bool = False, locale: discord.Locale | str = "en"
    ) -> None:
        label = t("pages.previous", locale) if action == "prev" else t("pages.next", locale)
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"pg:{session_id}:{action}",
                disabled=disabled,
            )
        )
        self.session_id = session_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> PageButton:
        return cls(match["session"], match["action"], locale=interaction.locale)

    @reports_errors
    async def callback(self, interaction: discord.Interaction[SummitBot]) -> None:
        session = interaction.client.pagination.get(self.session_id)
        if session is None:
            await reply(interaction, t("pages.expired", interaction.locale), ephemeral=True)
            return
        if interaction.user.id != session.owner_id:
            await reply(interaction, t("pages.not_yours", interaction.locale), ephemeral=True)
            return
        step = -1 if self.action == "prev" else 1
        session.index = min(max(session.index + step, 0), len(session.pages) - 1)
        await interaction.response.edit_message(embed=session.pages[session.index], view=session.view())


async def send_pages(
    interaction: discord.Interaction[SummitBot],
    pages: Sequence[discord.Embed],
    *,
    ephemeral: bool = False,
    extra_items: ExtraItems | None = None,
) -> None:
    """Reply with the first page, and page buttons when there is more than one."""
    if len(pages) == 1:
        view = None
        if extra_items:
            view = discord.ui.View(timeout=None)
            for item in extra_items():
                view.add_item(item)
        await reply(interaction, embed=pages[0], view=view, ephemeral=ephemeral)
        return
    session = interaction.client.pagination.open(
        pages, owner_id=interaction.user.id, locale=interaction.locale, extra_items=extra_items
    )
    await reply(interaction, embed=pages[0], view=session.view(), ephemeral=ephemeral)
