"""Answering interactions: the callback (once, within the TTL) and the follow-up webhook routes.

- Callback: types 4 reply, 5 deferred reply ("thinking"), 6 deferred update, 7 update the component's
  message, 8 autocomplete choices, 9 modal. A second callback is 40060; one after the TTL is 10062.
  With `with_response` Discord answers {interaction, resource}; without it, 204.
- Webhook routes (/webhooks/{application_id}/{token}...) use the interaction token for 15 minutes.
  After a type-5 deferral, the first follow-up replaces the "thinking" message, as on Discord.
"""

from __future__ import annotations

import time
from typing import Any

from . import errors, limits, messages, payloads
from .errors import FormErrors
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE,
    FOLLOWUP_TOKEN_LIFETIME,
    MESSAGE_COMPONENT,
    MODAL,
    MODAL_SUBMIT,
    UPDATE_MESSAGE,
    Interaction,
    ephemeral_flag,
)
from .models import EPHEMERAL, LOADING, Message
from .rest import Call, Reply, handles

# Which callback types each interaction type accepts.
ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL},
    MESSAGE_COMPONENT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL},
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE},
}

WEBHOOK = "/webhooks/{webhook_id}/{webhook_token}"
ORIGINAL = "/webhooks/{webhook_id}/{webhook_token}/messages/@original"
WEBHOOK_MESSAGE = "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"


@handles("POST", "/interactions/{interaction_id}/{interaction_token}/callback")
def create_callback(call: Call) -> Reply:
    emu = call.emu
    interaction_id = call.params["interaction_id"]
    ix = emu.interactions.by_id.get(int(interaction_id)) if interaction_id.isdigit() else None
    if ix is None or ix.token != call.params["interaction_token"]:
        raise errors.unknown_interaction()
    if ix.callback_type is not None:
        raise errors.already_acknowledged()
    if time.monotonic() - ix.created > emu.interaction_ttl:
        raise errors.unknown_interaction()
    body = call.json_object()
    callback_type = body.get("type")
    if callback_type not in ALLOWED_CALLBACKS.get(ix.type, set()) or (
        callback_type in (DEFERRED_UPDATE, UPDATE_MESSAGE) and ix.source is None
    ):
        raise errors.invalid_form_body(
            {
                "type": errors.field_error(
                    "INTERACTION_RESPONSE_TYPE_INVALID", "Interaction response type is invalid for this interaction."
                )
            }
        )
    data = body.get("data") or {}
    original = _respond(call, ix, callback_type, data)
    if not call.flag("with_response"):
        return 204, None
    interaction_json: dict[str, Any] = {"id": str(ix.id), "type": ix.type}
    resource: dict[str, Any] = {"type": callback_type}
    if original is not None and callback_type in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, UPDATE_MESSAGE):
        interaction_json.update(
            {
                "response_message_id": str(original.id),
                "response_message_loading": original.loading,
                "response_message_ephemeral": original.ephemeral,
            }
        )
        resource["message"] = original
    return 200, {"interaction": interaction_json, "resource": resource}


def _respond(call: Call, ix: Interaction, callback_type: int, data: dict[str, Any]) -> Message | None:
    """Validates, applies the callback, and returns the interaction's original message (if any)."""
    emu = call.emu
    if callback_type == AUTOCOMPLETE_RESULT:
        problems = FormErrors()
        limits.check_autocomplete(data, problems)
        problems.raise_if_any(("data",))
        ix.choices = list(data.get("choices") or [])
        ix.acknowledge(callback_type, None)
        return None
    if callback_type == MODAL:
        problems = FormErrors()
        limits.check_modal(data, problems)
        problems.raise_if_any(("data",))
        ix.modal = data
        ix.acknowledge(callback_type, None)
        return None
    if callback_type == DEFERRED_UPDATE:
        ix.acknowledge(callback_type, ix.source)
        return ix.source
    if callback_type == UPDATE_MESSAGE:
        messages.validate(data, call.files, emu, prefix=("data",))
        assert ix.source is not None
        # Acknowledge first: the edit then counts as the answer, not as a later edit.
        ix.acknowledge(callback_type, ix.source)
        messages.edit(emu, ix.source, data, call.files)
        return ix.source
    if callback_type == DEFERRED_CHANNEL_MESSAGE:
        flags = LOADING | (EPHEMERAL if ephemeral_flag(data) else 0)
        original = messages.create(
            emu,
            ix.channel,
            {},
            [],
            message_type=_message_type(ix),
            extra={**_interaction_fields(call, ix), "flags": flags},
        )
        ix.acknowledge(callback_type, original)
        return original
    # CHANNEL_MESSAGE
    messages.validate(data, call.files, emu, prefix=("data",))
    if messages.is_empty(data, call.files):
        raise errors.empty_message()
    original = messages.create(
        emu, ix.channel, data, call.files, message_type=_message_type(ix), extra=_interaction_fields(call, ix)
    )
    ix.acknowledge(callback_type, original)
    return original


def _message_type(ix: Interaction) -> int:
    return messages.CHAT_INPUT_COMMAND if ix.is_command else messages.DEFAULT


def _interaction_fields(call: Call, ix: Interaction, *, followup_of: Message | None = None) -> dict[str, Any]:
    """What Discord adds to a message sent in answer to an interaction."""
    app_id = str(call.emu.application_id)
    metadata: dict[str, Any] = {
        "id": str(ix.id),
        "type": ix.type,
        "user": payloads.user(ix.user),
        "authorizing_integration_owners": {"0": str(ix.guild.id) if ix.guild else "0"},
    }
    if ix.is_command:
        metadata["name"] = ix.name
        metadata["command_type"] = 1
    if ix.source is not None:
        metadata["interacted_message_id"] = str(ix.source.id)
    if followup_of is not None:
        metadata["original_response_message_id"] = str(followup_of.id)
    fields: dict[str, Any] = {"webhook_id": app_id, "application_id": app_id, "interaction_metadata": metadata}
    if ix.is_command:
        legacy: dict[str, Any] = {"id": str(ix.id), "type": ix.type, "name": ix.name, "user": payloads.user(ix.user)}
        fields["interaction"] = legacy
    return fields


# -- follow-up webhook routes --------------------------------------------------------------------


def _interaction_for_webhook(call: Call) -> Interaction:
    emu = call.emu
    if call.params["webhook_id"] != str(emu.application_id):
        raise errors.unknown_webhook()
    ix = emu.interactions.by_token.get(call.params["webhook_token"])
    if ix is None:
        raise errors.unknown_webhook()
    if time.monotonic() - ix.created > FOLLOWUP_TOKEN_LIFETIME:
        raise errors.invalid_webhook_token()
    return ix


@handles("POST", WEBHOOK)
def create_followup(call: Call) -> Reply:
    emu = call.emu
    ix = _interaction_for_webhook(call)
    if ix.callback_type is None:
        raise errors.unknown_webhook()  # follow-ups need the interaction answered first
    body = call.json_object()
    messages.validate(body, call.files, emu)
    if messages.is_empty(body, call.files):
        raise errors.empty_message()
    original = ix.original
    if ix.callback_type == DEFERRED_CHANNEL_MESSAGE and original is not None and original.loading:
        # Discord: the first follow-up after a deferral edits the loading message.
        message = messages.edit(emu, original, body, call.files)
    else:
        extra = _interaction_fields(call, ix, followup_of=original)
        message = messages.create(emu, ix.channel, body, call.files, message_type=_message_type(ix), extra=extra)
    ix.followups.append(message)
    ix.changed()
    return (200, message) if call.flag("wait") else (204, None)


def _webhook_message(call: Call, ix: Interaction, message_id: str | None) -> Message:
    if message_id is None:
        if ix.original is None:
            raise errors.unknown_message()
        return ix.original
    for candidate in [ix.original, *ix.followups]:
        if candidate is not None and str(candidate.id) == message_id:
            return candidate
    raise errors.unknown_message()


def _live(call: Call, message: Message) -> Message:
    if message.id not in call.emu.world.messages:
        raise errors.unknown_message()
    return message


@handles("GET", ORIGINAL)
@handles("GET", WEBHOOK_MESSAGE)
def get_webhook_message(call: Call) -> Reply:
    ix = _interaction_for_webhook(call)
    return 200, _live(call, _webhook_message(call, ix, call.params.get("message_id")))


@handles("PATCH", ORIGINAL)
@handles("PATCH", WEBHOOK_MESSAGE)
def edit_webhook_message(call: Call) -> Reply:
    emu = call.emu
    ix = _interaction_for_webhook(call)
    message = _live(call, _webhook_message(call, ix, call.params.get("message_id")))
    body = call.json_object()
    messages.validate(body, call.files, emu)
    messages.edit(emu, message, body, call.files)
    ix.changed()
    return 200, message


@handles("DELETE", ORIGINAL)
@handles("DELETE", WEBHOOK_MESSAGE)
def delete_webhook_message(call: Call) -> Reply:
    emu = call.emu
    ix = _interaction_for_webhook(call)
    message = _live(call, _webhook_message(call, ix, call.params.get("message_id")))
    emu.delete_message(message)
    ix.changed()
    return 204, None
