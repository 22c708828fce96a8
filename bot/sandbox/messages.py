"""Creating and editing messages the way Discord does, for channel posts, DMs and interaction replies.

Shared by the channel routes, the interaction callback and the webhook (follow-up) routes:
limits are checked (50035), files become attachments, and what would ping is computed.
"""

from __future__ import annotations

import mimetypes
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from . import errors, limits, payloads
from .errors import FormErrors
from .mentions import compute_pings, validate_allowed_mentions
from .models import EPHEMERAL, LOADING, NO_PINGS, Attachment, Channel, Message
from .rest import Upload
from .snowflakes import iso

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

DEFAULT = 0
REPLY = 19
CHAT_INPUT_COMMAND = 20
MAX_FILES = 10

# Flags a bot may set when sending: SUPPRESS_EMBEDS, EPHEMERAL, SUPPRESS_NOTIFICATIONS,
# IS_VOICE_MESSAGE, COMPONENTS_V2.
SENDABLE_FLAGS = (1 << 2) | EPHEMERAL | (1 << 12) | (1 << 13) | (1 << 15)
EDITABLE_FLAGS = (1 << 2) | (1 << 15)


def validate(
    payload: dict[str, Any], uploads: list[Upload], emu: DiscordEmulator, *, prefix: tuple[str, ...] = ()
) -> None:
    """Raise 50035 (or 413) when the body breaks Discord's limits; `prefix` nests errors (e.g. "data")."""
    problems = FormErrors()
    limits.check_message(payload, problems)
    allowed = payload.get("allowed_mentions")
    if isinstance(allowed, dict):
        clash = validate_allowed_mentions(allowed)
        if clash:
            problems.add(
                ("allowed_mentions", clash),
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{clash}"] and {clash}: [ids] are mutually exclusive.',
            )
    if len(uploads) > MAX_FILES:
        problems.too_many(("files",), MAX_FILES)
    problems.raise_if_any(prefix)
    for upload in uploads:
        if len(upload.data) > emu.attachment_size_limit:
            raise errors.entity_too_large()


def is_empty(payload: dict[str, Any], uploads: list[Upload]) -> bool:
    return not (
        payload.get("content")
        or payload.get("embeds")
        or payload.get("components")
        or payload.get("sticker_ids")
        or payload.get("poll")
        or uploads
    )


def create(
    emu: DiscordEmulator,
    channel: Channel,
    payload: dict[str, Any],
    uploads: list[Upload],
    *,
    message_type: int = DEFAULT,
    extra: dict[str, Any] | None = None,
    listed: bool = True,
) -> Message:
    """A new message by the bot. `extra` adds interaction/webhook fields; unlisted = ephemeral."""
    world = emu.world
    message_id = world.snowflakes.next()
    flags = int(payload.get("flags") or 0) & SENDABLE_FLAGS
    data: dict[str, Any] = {
        "id": str(message_id),
        "type": message_type,
        "content": payload.get("content") or "",
        "channel_id": str(channel.id),
        "author": payloads.user(world.bot),
        "attachments": [],
        "embeds": _embeds(payload.get("embeds")),
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": bool(payload.get("tts", False)),
        "timestamp": iso(world.now()),
        "edited_timestamp": None,
        "flags": flags,
        "components": _components(payload.get("components")),
    }
    if payload.get("nonce") is not None:
        data["nonce"] = payload["nonce"]
    if "allowed_mentions" in payload:
        # Not in Discord's message JSON: kept so tests can check what the bot asked for.
        data["allowed_mentions"] = payload["allowed_mentions"]
    if extra:
        data.update(extra)
    reference = payload.get("message_reference")
    if reference:
        _add_reference(world, channel, data, reference)
    message = Message(data, seq=world.next_message_seq())
    message.files = _attachments(emu, channel, message, payload, uploads, keep=[])
    message["attachments"] = [_attachment_json(a) for a in message.files]
    _update_mentions(emu, message)
    world.store_message(message, listed=listed and not message.ephemeral)
    emu.on_message_created(message)
    return message


def edit(emu: DiscordEmulator, message: Message, payload: dict[str, Any], uploads: list[Upload]) -> Message:
    """PATCH semantics: only the fields present change; `null` clears them."""
    if "content" in payload:
        message["content"] = payload["content"] or ""
    if "embeds" in payload:
        message["embeds"] = _embeds(payload["embeds"])
    if "components" in payload:
        message["components"] = _components(payload["components"])
    flags = message.get("flags", 0) & ~LOADING  # any edit of a deferred reply ends its "thinking" state
    if payload.get("flags") is not None:
        flags = (flags & ~EDITABLE_FLAGS) | (int(payload["flags"]) & EDITABLE_FLAGS)
    message["flags"] = flags
    if "allowed_mentions" in payload:
        message["allowed_mentions"] = payload["allowed_mentions"]
    if "attachments" in payload or uploads:
        kept_ids = {str(a.get("id")) for a in payload.get("attachments") or []}
        keep = [a for a in message.files if str(a.id) in kept_ids] if "attachments" in payload else list(message.files)
        message.files = _attachments(emu, emu.world.channels[message.channel_id], message, payload, uploads, keep=keep)
        message["attachments"] = [_attachment_json(a) for a in message.files]
    message["edited_timestamp"] = iso(emu.world.now())
    message.version += 1
    _update_mentions(emu, message)
    emu.on_message_updated(message)
    return message


def _update_mentions(emu: DiscordEmulator, message: Message) -> None:
    replied_author = None
    referenced = message.get("referenced_message")
    if isinstance(referenced, dict) and int(referenced["author"]["id"]) != emu.world.bot.id:
        replied_author = int(referenced["author"]["id"])
    pings = compute_pings(message.get("content", ""), message.get("allowed_mentions"), replied_author)
    # Only the person who ran the command sees an ephemeral message: it notifies nobody.
    message.pinged = NO_PINGS if message.ephemeral else pings
    users = emu.world.users
    message["mentions"] = [payloads.user(users[u]) for u in sorted(pings.users) if u in users]
    message["mention_roles"] = [str(r) for r in sorted(pings.roles)]
    message["mention_everyone"] = pings.everyone


def _embeds(embeds: Any) -> list[dict[str, Any]]:
    result = []
    for embed in embeds or []:
        normalized = dict(embed)
        normalized.setdefault("type", "rich")
        normalized.setdefault("content_scan_version", 0)
        result.append(normalized)
    return result


def _components(components: Any) -> list[dict[str, Any]]:
    """Discord numbers every component (`id`) when the bot did not."""
    counter = [0]

    def number(component: dict[str, Any]) -> dict[str, Any]:
        counter[0] += 1
        result = dict(component)
        result.setdefault("id", counter[0])
        if "components" in result:
            result["components"] = [number(child) for child in result["components"]]
        for key in ("component", "accessory"):
            if isinstance(result.get(key), dict):
                result[key] = number(result[key])
        return result

    return [number(component) for component in components or []]


def _add_reference(world: Any, channel: Channel, data: dict[str, Any], reference: dict[str, Any]) -> None:
    target_id = reference.get("message_id")
    target = world.messages.get(int(target_id)) if target_id else None
    if target is None:
        if reference.get("fail_if_not_exists", True):
            raise errors.invalid_form_body(
                {"message_reference": errors.field_error("MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")}
            )
        return
    data["type"] = REPLY if data["type"] == DEFAULT else data["type"]
    data["message_reference"] = {
        "type": 0,
        "message_id": str(target.id),
        "channel_id": str(target.channel_id),
        **({"guild_id": str(channel.guild_id)} if channel.guild_id else {}),
    }
    data["referenced_message"] = dict(target)


def _attachments(
    emu: DiscordEmulator,
    channel: Channel,
    message: Message,
    payload: dict[str, Any],
    uploads: list[Upload],
    *,
    keep: list[Attachment],
) -> list[Attachment]:
    described = {str(a.get("id")): a for a in payload.get("attachments") or [] if isinstance(a, dict)}
    result = list(keep)
    for position, upload in enumerate(uploads):
        index = upload.index if upload.index is not None else position
        meta = described.get(str(index), {})
        filename = meta.get("filename") or upload.filename
        attachment_id = emu.world.snowflakes.next()
        result.append(
            Attachment(
                id=attachment_id,
                filename=filename,
                content_type=_content_type(upload.content_type, filename),
                data=upload.data,
                url=f"{emu.http_base_url}/attachments/{channel.id}/{attachment_id}/{quote(filename)}",
                description=meta.get("description"),
                ephemeral=message.ephemeral,
            )
        )
        emu.attachments[attachment_id] = result[-1]
    return result


def _content_type(sent: str, filename: str) -> str:
    """Discord detects the type from the file when the client sent application/octet-stream (discord.py does)."""
    if sent and sent != "application/octet-stream":
        return sent
    guessed, _ = mimetypes.guess_type(filename)
    if guessed is None:
        return "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def _attachment_json(a: Attachment) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(a.id),
        "filename": a.filename,
        "size": a.size,
        "url": a.url,
        "proxy_url": a.url,
        "content_type": a.content_type,
    }
    if a.description:
        data["description"] = a.description
    if a.ephemeral:
        data["ephemeral"] = True
    return data
