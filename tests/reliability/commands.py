"""The bot's slash commands as the emulator registered them, walked down to every invocable (sub)command.

Nothing here names a command: whatever the bot registers (commands added later included) is covered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

CHAT_INPUT = 1
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 8, 9, 10, 11
GUILD_CONTEXT, BOT_DM_CONTEXT = 0, 1


@dataclass(frozen=True)
class Leaf:
    """One thing a member can run: `/path` with its options, as Discord shows it."""

    path: str  # "eventadmin add"
    options: tuple[dict[str, Any], ...]
    moderators_only: bool  # the top-level command has default_member_permissions
    usable_in_dms: bool

    def __repr__(self) -> str:
        return f"/{self.path}"

    @property
    def autocompleted(self) -> tuple[dict[str, Any], ...]:
        return tuple(option for option in self.options if option.get("autocomplete"))


def leaves(registered: Iterable[dict[str, Any]]) -> list[Leaf]:
    """Every (sub)command of the registered slash commands, in a stable order."""
    found: list[Leaf] = []
    for command in sorted(registered, key=lambda c: c["name"]):
        if int(command.get("type", CHAT_INPUT)) != CHAT_INPUT:
            continue
        moderators_only = command.get("default_member_permissions") is not None
        found.extend(_walk(command, [command["name"]], moderators_only, _usable_in_dms(command)))
    return found


def _walk(level: dict[str, Any], path: list[str], moderators_only: bool, in_dms: bool) -> list[Leaf]:
    options = level.get("options") or []
    nested = [o for o in options if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)]
    if not nested:
        return [Leaf(" ".join(path), tuple(options), moderators_only, in_dms)]
    result: list[Leaf] = []
    for option in nested:
        result.extend(_walk(option, [*path, option["name"]], moderators_only, in_dms))
    return result


def _usable_in_dms(command: dict[str, Any]) -> bool:
    contexts = command.get("contexts")
    if contexts is not None:
        return BOT_DM_CONTEXT in contexts
    return bool(command.get("dm_permission", True))
