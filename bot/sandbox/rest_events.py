"""Guild scheduled events, with Discord's rules for external events and status changes.

- EXTERNAL (entity_type 3) needs entity_metadata.location and scheduled_end_time, and no channel_id.
- STAGE/VOICE (1/2) need a channel_id of that kind (the emulator has none, so they are refused).
- A new event must start in the future (emulator clock); the end must come after the start.
- Status moves SCHEDULED→ACTIVE→COMPLETED or SCHEDULED→CANCELED; finished events cannot change.
- `emu.set_missing_permission(guild, "scheduled_events", True)` makes every write answer 50013.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from . import errors, payloads
from .errors import FormErrors
from .gateway import GUILD_SCHEDULED_EVENTS
from .models import Guild
from .permissions import CREATE_EVENTS, MANAGE_EVENTS
from .rest import Call, Reply, handles

EVENTS = "/guilds/{guild_id}/scheduled-events"
EVENT = "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}"

STAGE_INSTANCE, VOICE, EXTERNAL = 1, 2, 3
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
GUILD_ONLY = 2
ALLOWED_TRANSITIONS = {(SCHEDULED, ACTIVE), (SCHEDULED, CANCELED), (ACTIVE, COMPLETED)}
NAME_MAX, DESCRIPTION_MAX, LOCATION_MAX = 100, 1000, 100


def _guild_for_writing(call: Call) -> Guild:
    world = call.emu.world
    guild = world.guild_for_bot(call.params["guild_id"])
    # The missing-permission switch takes these bits away from the bot (see permissions.SWITCHABLE).
    permissions = world.bot_permissions_in(guild)
    if not permissions & (MANAGE_EVENTS | CREATE_EVENTS):
        raise errors.missing_permissions()
    return guild


def _event(guild: Guild, event_id: str) -> dict[str, Any]:
    event = guild.scheduled_events.get(int(event_id)) if event_id.isdigit() else None
    if event is None:
        raise errors.unknown_scheduled_event()
    return event


def _parse_time(value: Any, field: str, problems: FormErrors) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        problems.add((field,), "DATE_TIME_TYPE_PARSE", f"Could not parse {value}. Should be ISO8601.")
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _render_time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _validate(
    merged: dict[str, Any], problems: FormErrors, *, now: datetime, creating: bool
) -> tuple[datetime | None, datetime | None]:
    name = merged.get("name")
    if not name:
        problems.required(("name",))
    elif len(name) > NAME_MAX:
        problems.too_long(("name",), NAME_MAX)
    description = merged.get("description")
    if description and len(description) > DESCRIPTION_MAX:
        problems.too_long(("description",), DESCRIPTION_MAX)
    if merged.get("privacy_level") != GUILD_ONLY:
        problems.add(("privacy_level",), "BASE_TYPE_CHOICES", "Value must be one of {2}.")
    start = _parse_time(merged.get("scheduled_start_time"), "scheduled_start_time", problems)
    end = _parse_time(merged.get("scheduled_end_time"), "scheduled_end_time", problems)
    if merged.get("scheduled_start_time") is None:
        problems.required(("scheduled_start_time",))
    elif start is not None and creating and start <= now:
        problems.add(
            ("scheduled_start_time",),
            "GUILD_SCHEDULED_EVENT_SCHEDULED_START_TIME_IN_PAST",
            "Cannot schedule event in the past.",
        )
    if start is not None and end is not None and end <= start:
        problems.add(
            ("scheduled_end_time",),
            "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
            "Cannot schedule event to end before starting.",
        )
    entity_type = merged.get("entity_type")
    if entity_type == EXTERNAL:
        location = (merged.get("entity_metadata") or {}).get("location")
        if not location:
            problems.required(("entity_metadata", "location"))
        elif len(location) > LOCATION_MAX:
            problems.too_long(("entity_metadata", "location"), LOCATION_MAX)
        if merged.get("scheduled_end_time") is None:
            problems.required(("scheduled_end_time",))
        if merged.get("channel_id") is not None:
            problems.add(
                ("channel_id",), "GUILD_SCHEDULED_EVENT_CHANNEL_NOT_ALLOWED", "External events cannot have a channel."
            )
    elif entity_type in (STAGE_INSTANCE, VOICE):
        problems.add(("channel_id",), "CHANNEL_TYPE_INVALID", "The emulated guild has no voice or stage channel.")
    else:
        problems.add(("entity_type",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")
    return start, end


@handles("GET", EVENTS)
def list_events(call: Call) -> Reply:
    guild = call.emu.world.guild_for_bot(call.params["guild_id"])
    events = list(guild.scheduled_events.values())
    if call.flag("with_user_count"):
        return 200, [{**event, "user_count": 0} for event in events]
    return 200, events


@handles("GET", EVENT)
def get_event(call: Call) -> Reply:
    guild = call.emu.world.guild_for_bot(call.params["guild_id"])
    event = _event(guild, call.params["guild_scheduled_event_id"])
    return 200, ({**event, "user_count": 0} if call.flag("with_user_count") else event)


@handles("POST", EVENTS)
def create_event(call: Call) -> Reply:
    emu = call.emu
    guild = _guild_for_writing(call)
    body = call.json_object()
    problems = FormErrors()
    start, end = _validate(body, problems, now=emu.world.now(), creating=True)
    problems.raise_if_any()
    bot = emu.world.bot
    event_id = emu.world.snowflakes.next()
    event: dict[str, Any] = {
        "id": str(event_id),
        "guild_id": str(guild.id),
        "channel_id": body.get("channel_id"),
        "creator_id": str(bot.id),
        "name": body["name"],
        "description": body.get("description"),
        "scheduled_start_time": _render_time(start),
        "scheduled_end_time": _render_time(end),
        "privacy_level": GUILD_ONLY,
        "status": SCHEDULED,
        "entity_type": body["entity_type"],
        "entity_id": None,
        "entity_metadata": body.get("entity_metadata"),
        "creator": payloads.user(bot),
        "image": None,
        "recurrence_rule": body.get("recurrence_rule"),
        "sku_ids": [],
    }
    guild.scheduled_events[event_id] = event
    emu.gateway.dispatch("GUILD_SCHEDULED_EVENT_CREATE", event, intent=GUILD_SCHEDULED_EVENTS)
    return 200, event


@handles("PATCH", EVENT)
def edit_event(call: Call) -> Reply:
    emu = call.emu
    guild = _guild_for_writing(call)
    event = _event(guild, call.params["guild_scheduled_event_id"])
    body = call.json_object()
    current_status = event["status"]
    if current_status in (COMPLETED, CANCELED):
        raise errors.invalid_form_body(
            {"status": errors.field_error("GUILD_SCHEDULED_EVENT_INVALID_STATUS", "Cannot update a finished event.")}
        )
    problems = FormErrors()
    new_status = body.get("status", current_status)
    if new_status != current_status and (current_status, new_status) not in ALLOWED_TRANSITIONS:
        problems.add(
            ("status",),
            "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
            f"Cannot go from status {current_status} to {new_status}.",
        )
    merged = {**event, **body}
    if body.get("entity_type") == EXTERNAL and "channel_id" not in body:
        merged["channel_id"] = None
    start_changed = "scheduled_start_time" in body and current_status == SCHEDULED
    start, end = _validate(merged, problems, now=emu.world.now(), creating=start_changed)
    problems.raise_if_any()
    event.update({k: v for k, v in body.items() if k in _EDITABLE})
    event["scheduled_start_time"] = _render_time(start)
    event["scheduled_end_time"] = _render_time(end)
    event["status"] = new_status
    if event["entity_type"] == EXTERNAL:
        event["channel_id"] = None
    emu.gateway.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", event, intent=GUILD_SCHEDULED_EVENTS)
    return 200, event


_EDITABLE = {"name", "description", "privacy_level", "entity_type", "entity_metadata", "channel_id", "recurrence_rule"}


@handles("DELETE", EVENT)
def delete_event(call: Call) -> Reply:
    emu = call.emu
    guild = _guild_for_writing(call)
    event = _event(guild, call.params["guild_scheduled_event_id"])
    del guild.scheduled_events[int(event["id"])]
    emu.gateway.dispatch("GUILD_SCHEDULED_EVENT_DELETE", event, intent=GUILD_SCHEDULED_EVENTS)
    return 204, None
