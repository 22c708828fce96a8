"""Who the bot is: /users/@me, /applications/@me, /gateway, users, and opening DM channels."""

from __future__ import annotations

from . import errors, payloads
from .rest import Call, Reply, handles


@handles("GET", "/users/@me")
def get_current_user(call: Call) -> Reply:
    return 200, payloads.current_user(call.emu.world.bot)


@handles("GET", "/users/{user_id}")
def get_user(call: Call) -> Reply:
    user = call.emu.world.users.get(int(call.params["user_id"])) if call.params["user_id"].isdigit() else None
    if user is None:
        raise errors.unknown_user()
    return 200, payloads.user(user)


@handles("GET", "/users/@me/guilds")
def get_current_user_guilds(call: Call) -> Reply:
    world = call.emu.world
    guilds = [g for g in world.guilds.values() if g.bot_present]
    return 200, [
        {
            "id": str(g.id),
            "name": g.name,
            "icon": None,
            "banner": None,
            "owner": False,
            "permissions": str(world.bot_permissions_in(g)),
            "features": list(g.features),
        }
        for g in guilds
    ]


@handles("GET", "/applications/@me")
@handles("GET", "/oauth2/applications/@me")  # what discord.py's application_info() calls
def get_current_application(call: Call) -> Reply:
    emu = call.emu
    return 200, payloads.application(emu.application_id, emu.world.bot, emu.world.owner, flags=emu.application_flags)


@handles("GET", "/gateway")
def get_gateway(call: Call) -> Reply:
    return 200, {"url": call.emu.gateway_url}


@handles("GET", "/gateway/bot")
def get_gateway_bot(call: Call) -> Reply:
    emu = call.emu
    guilds = sum(1 for guild in emu.world.guilds.values() if guild.bot_present)
    return 200, {
        "url": emu.gateway_url,
        "shards": emu.identify_gate.recommended_shards(guilds),
        "session_start_limit": emu.identify_gate.session_start_limit(),
    }


@handles("POST", "/users/@me/channels")
def create_dm(call: Call) -> Reply:
    body = call.json_object()
    recipient = str(body.get("recipient_id") or "")
    world = call.emu.world
    user = world.users.get(int(recipient)) if recipient.isdigit() else None
    if user is None:
        raise errors.invalid_form_body(
            {"recipient_id": errors.field_error("NUMBER_TYPE_COERCE", "Value is not snowflake.")}
        )
    channel = world.dm_channel(user)
    return 200, payloads.channel(channel, user)
