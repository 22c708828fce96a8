"""Application commands: bulk overwrite (what discord.py's tree.sync sends), list, and single edits."""

from __future__ import annotations

from typing import Any

from . import errors, limits
from .errors import FormErrors
from .rest import Call, Reply, handles

GLOBAL = "/applications/{application_id}/commands"
GLOBAL_ONE = "/applications/{application_id}/commands/{command_id}"
GUILD = "/applications/{application_id}/guilds/{guild_id}/commands"
GUILD_ONE = "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}"


def _scope(call: Call) -> int | None:
    if call.params["application_id"] != str(call.emu.application_id):
        raise errors.missing_access()
    guild_id = call.params.get("guild_id")
    if guild_id is None:
        return None
    return call.emu.world.guild_for_bot(guild_id).id


def _commands_body(call: Call) -> list[dict[str, Any]]:
    body = call.body if call.body is not None else []
    if not isinstance(body, list) or not all(isinstance(c, dict) for c in body):
        raise errors.invalid_form_body(
            errors.field_error("LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        )
    problems = FormErrors()
    limits.check_commands(body, problems)
    problems.raise_if_any()
    return body


def _one_command(call: Call) -> dict[str, Any]:
    body = call.json_object()
    problems = FormErrors()
    limits.check_command(body, (), problems)
    problems.raise_if_any()
    return body


@handles("PUT", GLOBAL)
@handles("PUT", GUILD)
def bulk_overwrite(call: Call) -> Reply:
    scope = _scope(call)
    commands = _commands_body(call)
    stored = call.emu.commands.bulk_overwrite(scope, commands)
    call.emu.commands_signal.notify()
    return 200, stored


@handles("GET", GLOBAL)
@handles("GET", GUILD)
def list_commands(call: Call) -> Reply:
    return 200, list(call.emu.commands.scope(_scope(call)).values())


@handles("POST", GLOBAL)
@handles("POST", GUILD)
def create_command(call: Call) -> Reply:
    scope = _scope(call)
    created, stored = call.emu.commands.upsert(scope, _one_command(call))
    call.emu.commands_signal.notify()
    return (201 if created else 200), stored


@handles("GET", GLOBAL_ONE)
@handles("GET", GUILD_ONE)
def get_command(call: Call) -> Reply:
    command = call.emu.commands.get(_scope(call), call.params["command_id"])
    if command is None:
        raise errors.unknown_command()
    return 200, command


@handles("PATCH", GLOBAL_ONE)
@handles("PATCH", GUILD_ONE)
def edit_command(call: Call) -> Reply:
    scope = _scope(call)
    patch = call.json_object()
    current = call.emu.commands.get(scope, call.params["command_id"])
    if current is None:
        raise errors.unknown_command()
    problems = FormErrors()
    limits.check_command({**current, **patch}, (), problems)
    problems.raise_if_any()
    stored = call.emu.commands.edit(scope, call.params["command_id"], patch)
    return 200, stored


@handles("DELETE", GLOBAL_ONE)
@handles("DELETE", GUILD_ONE)
def delete_command(call: Call) -> Reply:
    if not call.emu.commands.delete(_scope(call), call.params["command_id"]):
        raise errors.unknown_command()
    return 204, None
