"""Guild reads: the guild, one member, roles, channels."""

from __future__ import annotations

from . import errors, payloads
from .rest import Call, Reply, handles


@handles("GET", "/guilds/{guild_id}")
def get_guild(call: Call) -> Reply:
    emu = call.emu
    guild = emu.world.guild_for_bot(call.params["guild_id"])
    data = payloads.guild(guild, emu.application_id)
    if call.flag("with_counts"):
        data["approximate_member_count"] = len(guild.members)
        data["approximate_presence_count"] = 0
    return 200, data


@handles("GET", "/guilds/{guild_id}/members/{user_id}")
def get_member(call: Call) -> Reply:
    guild = call.emu.world.guild_for_bot(call.params["guild_id"])
    user_id = call.params["user_id"]
    member = guild.members.get(int(user_id)) if user_id.isdigit() else None
    if member is None:
        raise errors.unknown_member()
    return 200, payloads.member(member)


@handles("GET", "/guilds/{guild_id}/roles")
def list_roles(call: Call) -> Reply:
    guild = call.emu.world.guild_for_bot(call.params["guild_id"])
    return 200, [payloads.role(r) for r in guild.roles.values()]


@handles("GET", "/guilds/{guild_id}/roles/{role_id}")
def get_role(call: Call) -> Reply:
    guild = call.emu.world.guild_for_bot(call.params["guild_id"])
    role_id = call.params["role_id"]
    role = guild.roles.get(int(role_id)) if role_id.isdigit() else None
    if role is None:
        raise errors.DiscordError(404, 10011, "Unknown Role")
    return 200, payloads.role(role)


@handles("GET", "/guilds/{guild_id}/channels")
def list_channels(call: Call) -> Reply:
    guild = call.emu.world.guild_for_bot(call.params["guild_id"])
    return 200, [payloads.channel(c) for c in guild.channels.values()]
