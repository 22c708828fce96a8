"""Registered application commands: what the bot's sync stored, and what a user's input turns into.

`CommandStore` keeps global and per-guild commands with stable ids across overwrites (as Discord
does for unchanged (type, name) pairs). `build_options` turns a test's `{"ref": 4}` into the typed,
nested `options` (+ `resolved`) a real client would send, refusing what a client would not allow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .snowflakes import SnowflakeFactory

CHAT_INPUT = 1
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 8, 9, 10, 11
OPTION_TYPE_NAMES = {
    1: "subcommand", 2: "subcommand group", 3: "string", 4: "integer", 5: "boolean", 6: "user",
    7: "channel", 8: "role", 9: "mentionable", 10: "number", 11: "attachment",
}  # fmt: skip
_IGNORED_FOR_VERSION = {"id", "version", "application_id", "guild_id"}


class CommandError(AssertionError):
    """What a Discord client would refuse to send (unknown command/option, bad value)."""


class CommandStore:
    def __init__(self, application_id: int, snowflakes: SnowflakeFactory) -> None:
        self.application_id = application_id
        self.snowflakes = snowflakes
        self.global_commands: dict[tuple[int, str], dict[str, Any]] = {}
        self.guild_commands: dict[int, dict[tuple[int, str], dict[str, Any]]] = {}
        self.sync_count = 0  # bulk overwrites (global or guild)

    def scope(self, guild_id: int | None) -> dict[tuple[int, str], dict[str, Any]]:
        if guild_id is None:
            return self.global_commands
        return self.guild_commands.setdefault(guild_id, {})

    def bulk_overwrite(self, guild_id: int | None, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
        old = self.scope(guild_id)
        new: dict[tuple[int, str], dict[str, Any]] = {}
        for payload in commands:
            key = (int(payload.get("type", CHAT_INPUT)), payload["name"])
            new[key] = self._stored(guild_id, payload, old.get(key))
        if guild_id is None:
            self.global_commands = new
        else:
            self.guild_commands[guild_id] = new
        self.sync_count += 1
        return list(new.values())

    def upsert(self, guild_id: int | None, payload: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        scope = self.scope(guild_id)
        key = (int(payload.get("type", CHAT_INPUT)), payload["name"])
        existing = scope.get(key)
        scope[key] = self._stored(guild_id, payload, existing)
        return existing is None, scope[key]

    def get(self, guild_id: int | None, command_id: str) -> dict[str, Any] | None:
        for command in self.scope(guild_id).values():
            if command["id"] == command_id:
                return command
        return None

    def edit(self, guild_id: int | None, command_id: str, patch: dict[str, Any]) -> dict[str, Any] | None:
        current = self.get(guild_id, command_id)
        if current is None:
            return None
        scope = self.scope(guild_id)
        del scope[(int(current.get("type", CHAT_INPUT)), current["name"])]
        merged = {**current, **patch}
        stored = self._stored(guild_id, merged, current)
        scope[(int(stored.get("type", CHAT_INPUT)), stored["name"])] = stored
        return stored

    def delete(self, guild_id: int | None, command_id: str) -> bool:
        current = self.get(guild_id, command_id)
        if current is None:
            return False
        del self.scope(guild_id)[(int(current.get("type", CHAT_INPUT)), current["name"])]
        return True

    def all(self) -> list[dict[str, Any]]:
        result = list(self.global_commands.values())
        for scope in self.guild_commands.values():
            result.extend(scope.values())
        return result

    def find(self, guild_id: int | None, name: str, command_type: int = CHAT_INPUT) -> dict[str, Any] | None:
        """What a user in that guild can invoke by this name (guild command first, then global)."""
        scopes = [self.guild_commands.get(guild_id, {})] if guild_id is not None else []
        scopes.append(self.global_commands)
        for scope in scopes:
            command = scope.get((command_type, name))
            if command is not None:
                return command
            for candidate in scope.values():  # a localized name, as a French client would show it
                if (
                    candidate.get("type", CHAT_INPUT) == command_type
                    and name in (candidate.get("name_localizations") or {}).values()
                ):
                    return candidate
        return None

    def names(self, guild_id: int | None) -> list[str]:
        scopes = [self.guild_commands.get(guild_id, {})] if guild_id is not None else []
        scopes.append(self.global_commands)
        return sorted({name for scope in scopes for (kind, name) in scope if kind == CHAT_INPUT})

    def _stored(self, guild_id: int | None, payload: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
        command_type = int(payload.get("type", CHAT_INPUT))
        stored: dict[str, Any] = {
            "id": previous["id"] if previous else str(self.snowflakes.next()),
            "application_id": str(self.application_id),
            "version": "",
            "default_member_permissions": payload.get("default_member_permissions"),
            "type": command_type,
            "name": payload["name"],
            "name_localizations": payload.get("name_localizations"),
            "description": payload.get("description", ""),
            "description_localizations": payload.get("description_localizations"),
            "dm_permission": payload.get("dm_permission", True),
            "contexts": payload.get("contexts"),
            "integration_types": payload.get("integration_types", [0]),
            "nsfw": bool(payload.get("nsfw", False)),
        }
        if payload.get("options"):
            stored["options"] = payload["options"]
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        unchanged = previous is not None and _content(previous) == _content(stored)
        stored["version"] = previous["version"] if unchanged and previous else str(self.snowflakes.next())
        return stored


def _content(command: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in command.items() if k not in _IGNORED_FOR_VERSION}


# -- turning user input into an interaction's `data` ------------------------------------------------


@dataclass
class Resolved:
    """The `resolved` object of an interaction: full objects for the ids in the options."""

    users: dict[str, Any] = field(default_factory=dict)
    members: dict[str, Any] = field(default_factory=dict)
    roles: dict[str, Any] = field(default_factory=dict)
    channels: dict[str, Any] = field(default_factory=dict)
    attachments: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any] | None:
        data = {k: v for k, v in vars(self).items() if v}
        return data or None


# Turns a Python value given for a user/channel/role/mentionable/attachment option into
# (id as string, fills `resolved`). Provided by the emulator, which knows the world.
EntityResolver = Callable[[int, Any, Resolved], str]


def split_path(path: str) -> list[str]:
    return [part for part in path.strip().lstrip("/").split() if part]


def build_data(
    command: dict[str, Any],
    path: list[str],
    given: dict[str, Any],
    resolve_entity: EntityResolver,
    *,
    focused: str | None = None,
) -> dict[str, Any]:
    """The interaction `data` for invoking `command` (path[0]) with subcommand path[1:] and options."""
    resolved = Resolved()
    leaf_options = _coerce_options(command, path, given, resolve_entity, resolved, focused)
    nested = leaf_options
    level = command
    chain: list[dict[str, Any]] = []
    for name in path[1:]:
        level = _subcommand(level, name, path)
        chain.append(level)
    if not chain and any(o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in command.get("options") or []):
        raise CommandError(f"/{command['name']} needs a subcommand: {_choices_text(command)}")
    if chain and chain[-1].get("type") == SUB_COMMAND_GROUP:
        raise CommandError(f"/{' '.join(path)} is a group; add a subcommand: {_choices_text(chain[-1])}")
    for option in reversed(chain):
        nested = [{"type": option["type"], "name": option["name"], "options": nested}]
    data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": command.get("type", CHAT_INPUT)}
    if nested:
        data["options"] = nested
    resolved_json = resolved.to_json()
    if resolved_json:
        data["resolved"] = resolved_json
    if command.get("guild_id"):
        data["guild_id"] = command["guild_id"]
    return data


def leaf_definition(command: dict[str, Any], path: list[str]) -> dict[str, Any]:
    level = command
    for name in path[1:]:
        level = _subcommand(level, name, path)
    return level


def _subcommand(level: dict[str, Any], name: str, path: list[str]) -> dict[str, Any]:
    for option in level.get("options") or []:
        if option.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP) and _named(option, name):
            return option
    raise CommandError(
        f"/{' '.join(path)}: no subcommand {name!r} in /{level['name']}; there is: {_choices_text(level)}"
    )


def _choices_text(level: dict[str, Any]) -> str:
    names = [o["name"] for o in level.get("options") or [] if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)]
    return ", ".join(names) or "(none)"


def _named(item: dict[str, Any], name: str) -> bool:
    return item.get("name") == name or name in (item.get("name_localizations") or {}).values()


def _coerce_options(
    command: dict[str, Any],
    path: list[str],
    given: dict[str, Any],
    resolve_entity: EntityResolver,
    resolved: Resolved,
    focused: str | None,
) -> list[dict[str, Any]]:
    leaf = leaf_definition(command, path)
    definitions = [o for o in leaf.get("options") or [] if o.get("type") not in (SUB_COMMAND, SUB_COMMAND_GROUP)]
    where = "/" + " ".join(path)
    result = []
    used: set[str] = set()
    for name, value in given.items():
        definition = next((d for d in definitions if _named(d, name)), None)
        if definition is None:
            known = ", ".join(d["name"] for d in definitions) or "(none)"
            raise CommandError(f"{where} has no option {name!r}; its options: {known}")
        used.add(definition["name"])
        option: dict[str, Any] = {"name": definition["name"], "type": definition["type"]}
        if focused is not None and definition["name"] == focused:
            option["value"] = str(value)  # what the user has typed so far, always text
            option["focused"] = True
        else:
            option["value"] = _coerce_value(definition, value, resolve_entity, resolved, where)
        result.append(option)
    if focused is None:
        missing = [d["name"] for d in definitions if d.get("required") and d["name"] not in used]
        if missing:
            raise CommandError(f"{where}: missing required option(s) {', '.join(missing)}")
    elif focused not in used:
        raise CommandError(f"{where}: the focused option {focused!r} has no value given")
    return result


def _coerce_value(
    definition: dict[str, Any], value: Any, resolve_entity: EntityResolver, resolved: Resolved, where: str
) -> Any:
    kind = definition["type"]
    name = definition["name"]
    try:
        if kind in (USER, CHANNEL, ROLE, MENTIONABLE, ATTACHMENT):
            return resolve_entity(kind, value, resolved)
        if kind == BOOLEAN:
            coerced: Any = _to_bool(value)
        elif kind == INTEGER:
            coerced = int(value)
        elif kind == NUMBER:
            number = float(value)
            coerced = int(number) if number.is_integer() and not isinstance(value, float) else number
        else:
            coerced = str(value)
    except (TypeError, ValueError) as exc:
        raise CommandError(
            f"{where} option {name!r} needs a value of type {OPTION_TYPE_NAMES.get(kind, kind)}, got {value!r}"
        ) from exc
    choices = definition.get("choices")
    if choices:
        for choice in choices:
            if (
                choice["value"] == coerced
                or choice["name"] == value
                or value in (choice.get("name_localizations") or {}).values()
            ):
                return choice["value"]
        allowed = ", ".join(repr(c["value"]) for c in choices)
        raise CommandError(f"{where} option {name!r} only accepts the choices {allowed}; got {value!r}")
    if kind in (INTEGER, NUMBER):
        low, high = definition.get("min_value"), definition.get("max_value")
        if (low is not None and coerced < low) or (high is not None and coerced > high):
            raise CommandError(f"{where} option {name!r} must be within [{low}, {high}]; got {coerced}")
    if kind == STRING:
        shortest, longest = definition.get("min_length"), definition.get("max_length")
        if (shortest is not None and len(coerced) < shortest) or (longest is not None and len(coerced) > longest):
            raise CommandError(f"{name!r} must be {shortest}..{longest} characters long; got {len(coerced)}")
    return coerced


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "on"):
        return True
    if text in ("false", "no", "0", "off"):
        return False
    raise ValueError(value)
