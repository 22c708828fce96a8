"""Interactions as a test drives them: build what a Discord client would send, deliver it over the
gateway, and wait for the bot's answer (callback, then edit or follow-up when it deferred).

`Interaction` is the emulator's record of one interaction (the REST callback/webhook routes update
it); `InteractionResult` is the read-only view a test gets back.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .models import EPHEMERAL, Attachment, Channel, Guild, Member, Message, User
from .snowflakes import interaction_token
from .waiting import Signal

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9
BUTTON, STRING_SELECT = 2, 3
SELECT_TYPES = {3, 5, 6, 7, 8}
FOLLOWUP_TOKEN_LIFETIME = 15 * 60.0
GUILD_CONTEXT, BOT_DM_CONTEXT = 0, 1


class Interaction:
    """One interaction sent to the bot, and everything the bot did in answer."""

    def __init__(
        self,
        *,
        interaction_id: int,
        kind: int,
        user: User,
        member: Member | None,
        guild: Guild | None,
        channel: Channel,
        locale: str,
        name: str,
        source: Message | None,
    ) -> None:
        self.id = interaction_id
        self.token = interaction_token()
        self.type = kind
        self.user = user
        self.member = member
        self.guild = guild
        self.channel = channel
        self.locale = locale
        self.name = name  # command path ("eventadmin edit") or component custom_id, for messages
        self.source = source  # the message a component/modal came from
        self.created = time.monotonic()
        self.payload: dict[str, Any] = {}
        self.callback_type: int | None = None
        self.original: Message | None = None
        self._original_version = 0
        self.followups: list[Message] = []
        self.choices: list[dict[str, Any]] | None = None
        self.modal: dict[str, Any] | None = None
        self.signal = Signal()

    def changed(self) -> None:
        self.signal.notify()

    def acknowledge(self, callback_type: int, original: Message | None) -> None:
        self.callback_type = callback_type
        self.original = original
        if original is not None:
            self._original_version = original.version
            original.interactions.append(self)
        self.changed()

    @property
    def settled(self) -> bool:
        """Answered; for a deferral, also edited or followed up."""
        if self.callback_type is None:
            return False
        if self.callback_type not in (DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE):
            return True
        if self.followups:
            return True
        return self.original is not None and self.original.version > self._original_version

    @property
    def is_command(self) -> bool:
        return self.type == APPLICATION_COMMAND


class InteractionResult:
    """What the bot answered to one interaction, as the user would see it (always current)."""

    def __init__(self, emu: DiscordEmulator, interaction: Interaction) -> None:
        self._emu = emu
        self.interaction = interaction

    def __repr__(self) -> str:
        return f"<InteractionResult {self.interaction.name!r} callback={self.callback_type} content={self.content!r}>"

    @property
    def id(self) -> int:
        return self.interaction.id

    @property
    def callback_type(self) -> int | None:
        return self.interaction.callback_type

    @property
    def message(self) -> Message | None:
        return self.interaction.original

    @property
    def ephemeral(self) -> bool:
        return self.message.ephemeral if self.message is not None else False

    @property
    def content(self) -> str | None:
        return self.message["content"] if self.message is not None else None

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.message["embeds"] if self.message is not None else []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.message["components"] if self.message is not None else []

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return buttons_of(self.components)

    @property
    def attachments(self) -> list[Attachment]:
        return self.message.files if self.message is not None else []

    @property
    def followups(self) -> list[Message]:
        return list(self.interaction.followups)

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        return self.interaction.choices

    @property
    def modal(self) -> dict[str, Any] | None:
        return self.interaction.modal

    @property
    def messages(self) -> list[Message]:
        """The original response then the follow-ups (without repeating one that is both)."""
        result = [self.message] if self.message is not None else []
        result.extend(m for m in self.interaction.followups if m is not self.message)
        return result

    async def wait_for_followups(self, count: int, timeout: float = 5) -> list[Message]:  # noqa: ASYNC109
        def enough() -> list[Message] | None:
            return self.followups if len(self.interaction.followups) >= count else None

        try:
            return await self.interaction.signal.wait_for(enough, timeout)
        except TimeoutError:
            raise AssertionError(
                f"expected {count} follow-up(s) to {self.interaction.name!r} within {timeout}s, got "
                f"{len(self.interaction.followups)}\n{self._emu.describe_interaction(self.interaction)}"
            ) from None


def buttons_of(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every button, in reading order, whatever the layout (action rows, sections, containers)."""
    found: list[dict[str, Any]] = []

    def walk(component: dict[str, Any]) -> None:
        if component.get("type") == BUTTON:
            found.append(
                {
                    "label": component.get("label"),
                    "custom_id": component.get("custom_id"),
                    "url": component.get("url"),
                    "disabled": bool(component.get("disabled", False)),
                    "style": component.get("style"),
                    "emoji": component.get("emoji"),
                }
            )
        for child in component.get("components") or []:
            walk(child)
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                walk(component[key])

    for component in components:
        walk(component)
    return found


def find_component(
    components: list[dict[str, Any]], matches: Callable[[dict[str, Any]], bool]
) -> dict[str, Any] | None:
    for component in components:
        if matches(component):
            return component
        children = list(component.get("components") or [])
        children += [component[k] for k in ("component", "accessory") if isinstance(component.get(k), dict)]
        found = find_component(children, matches)
        if found is not None:
            return found
    return None


class InteractionRegistry:
    """Interactions by id and by token, forgotten once their follow-up token has expired."""

    def __init__(self) -> None:
        self.by_id: dict[int, Interaction] = {}
        self.by_token: dict[str, Interaction] = {}
        self._order: deque[Interaction] = deque()

    def add(self, interaction: Interaction) -> None:
        now = time.monotonic()
        while self._order and now - self._order[0].created > FOLLOWUP_TOKEN_LIFETIME + 60:
            old = self._order.popleft()
            self.by_id.pop(old.id, None)
            self.by_token.pop(old.token, None)
        self.by_id[interaction.id] = interaction
        self.by_token[interaction.token] = interaction
        self._order.append(interaction)

    def wake_all(self) -> None:
        for interaction in self.by_id.values():
            interaction.changed()


def ephemeral_flag(data: dict[str, Any] | None) -> bool:
    return bool(int((data or {}).get("flags") or 0) & EPHEMERAL)
