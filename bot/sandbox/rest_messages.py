"""Channels and their messages: send (with nonce dedupe), history, fetch, edit, delete."""

from __future__ import annotations

import bisect
from typing import Any

from . import errors, messages, payloads
from .models import DM, Channel
from .permissions import ATTACH_FILES, EMBED_LINKS, READ_MESSAGE_HISTORY, SEND_MESSAGES, VIEW_CHANNEL, has
from .rest import Call, Reply, handles

MESSAGES = "/channels/{channel_id}/messages"
MESSAGE = "/channels/{channel_id}/messages/{message_id}"


def _require(call: Call, channel: Channel, needed: int) -> None:
    """Guild channels check the bot's permissions; DMs check the recipient accepts DMs."""
    world = call.emu.world
    if channel.type == DM:
        return
    guild = world.guilds[channel.guild_id]  # type: ignore[index]
    permissions = world.bot_permissions_in(guild)
    if not has(permissions, VIEW_CHANNEL):
        raise errors.missing_access()
    if not has(permissions, needed):
        raise errors.missing_permissions()


@handles("GET", "/channels/{channel_id}")
def get_channel(call: Call) -> Reply:
    world = call.emu.world
    channel = world.channel_for_bot(call.params["channel_id"])
    return 200, payloads.channel(channel, world.recipient(channel))


@handles("POST", "/channels/{channel_id}/typing")
def trigger_typing(call: Call) -> Reply:
    channel = call.emu.world.channel_for_bot(call.params["channel_id"])
    _require(call, channel, SEND_MESSAGES)
    return 204, None


@handles("POST", MESSAGES)
def create_message(call: Call) -> Reply:
    emu = call.emu
    world = emu.world
    channel = world.channel_for_bot(call.params["channel_id"])
    body = call.json_object()
    needed = SEND_MESSAGES
    if body.get("embeds"):
        needed |= EMBED_LINKS
    if call.files:
        needed |= ATTACH_FILES
    _require(call, channel, needed)
    if channel.type == DM:
        recipient = world.recipient(channel)
        if recipient is None or not recipient.dms_open or recipient.bot:
            raise errors.cannot_dm_user()
    messages.validate(body, call.files, emu)
    if messages.is_empty(body, call.files):
        raise errors.empty_message()
    existing = _deduplicated(call, channel, body)
    if existing is not None:
        return 200, existing
    message = messages.create(emu, channel, body, call.files)
    if body.get("enforce_nonce") and body.get("nonce") is not None:
        emu.nonces[(world.bot.id, channel.id, str(body["nonce"]))] = (message.id, world.now())
    return 200, message


def _deduplicated(call: Call, channel: Channel, body: dict[str, Any]) -> Any:
    """With enforce_nonce, the same nonce from the same author in the same channel within the window
    returns the message already created instead of a second one (Discord's documented behaviour)."""
    if not body.get("enforce_nonce") or body.get("nonce") is None:
        return None
    emu = call.emu
    key = (emu.world.bot.id, channel.id, str(body["nonce"]))
    seen = emu.nonces.get(key)
    if seen is None:
        return None
    message_id, created = seen
    if emu.world.now() - created > emu.nonce_window:
        del emu.nonces[key]
        return None
    return emu.world.messages.get(message_id)


@handles("GET", MESSAGES)
def list_messages(call: Call) -> Reply:
    world = call.emu.world
    channel = world.channel_for_bot(call.params["channel_id"])
    _require(call, channel, READ_MESSAGE_HISTORY)
    try:
        limit = int(call.query.get("limit", "50"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 100:
        raise errors.invalid_form_body(
            {"limit": errors.field_error("NUMBER_TYPE_MAX", "int value should be between 1 and 100.")}
        )
    ids = channel.message_ids
    before, after, around = (call.query.get(k) for k in ("before", "after", "around"))
    if around:
        middle = bisect.bisect_left(ids, int(around))
        start = max(0, middle - limit // 2)
        chosen = ids[start : start + limit]
    elif after:
        start = bisect.bisect_right(ids, int(after))
        chosen = ids[start : start + limit]
    else:
        end = bisect.bisect_left(ids, int(before)) if before else len(ids)
        chosen = ids[max(0, end - limit) : end]
    # Discord answers newest first, whichever way the page was taken.
    return 200, [world.messages[i] for i in reversed(chosen)]


@handles("GET", MESSAGE)
def get_message(call: Call) -> Reply:
    world = call.emu.world
    channel = world.channel_for_bot(call.params["channel_id"])
    _require(call, channel, READ_MESSAGE_HISTORY)
    return 200, world.message_in(channel, call.params["message_id"])


@handles("PATCH", MESSAGE)
def edit_message(call: Call) -> Reply:
    emu = call.emu
    channel = emu.world.channel_for_bot(call.params["channel_id"])
    message = emu.world.message_in(channel, call.params["message_id"])
    if message["author"]["id"] != str(emu.world.bot.id):
        raise errors.DiscordError(403, 50005, "Cannot edit a message authored by another user")
    body = call.json_object()
    messages.validate(body, call.files, emu)
    return 200, messages.edit(emu, message, body, call.files)


@handles("DELETE", MESSAGE)
def delete_message(call: Call) -> Reply:
    emu = call.emu
    channel = emu.world.channel_for_bot(call.params["channel_id"])
    message = emu.world.message_in(channel, call.params["message_id"])
    emu.delete_message(message)
    return 204, None
