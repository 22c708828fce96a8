"""Request bodies are checked against the request schemas of Discord's OpenAPI spec.

A body outside the schema is recorded as a spec violation naming the field, answered 400 (50035)
and changes nothing, like a request to an undocumented route.
"""

from __future__ import annotations

import io
import json

import aiohttp
import discord
import pytest

from bot.sandbox import DiscordEmulator, body_schema
from bot.sandbox.body_schema import BodySchemas, BodyViolation, shared_body_schemas
from bot.sandbox.spec import SpecRoutes
from bot.snowflake_strings import SnowflakeRef, UploadFile

from .conftest import Sandbox

MESSAGES = "POST /channels/{channel_id}/messages"
CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
ROLE_ID = 1234567890123456789


@pytest.fixture(scope="module")
def schemas() -> BodySchemas:
    return shared_body_schemas()


def test_a_conforming_message_passes(schemas: BodySchemas) -> None:
    body = {
        "content": f"<@&{ROLE_ID}> Geneva 2027 moved",
        "allowed_mentions": {"parse": [], "roles": [str(ROLE_ID)]},
        "embeds": [{"title": "Clause 4", "description": "text", "footer": {"text": "French original"}}],
        "components": [
            {"type": 1, "components": [{"type": 2, "style": 5, "label": "Official text", "url": "https://x.org"}]}
        ],
    }
    assert schemas.check(MESSAGES, body) is None
    upload = {"content": "calendar", "attachments": [{"id": "0", "filename": "summit.ics"}]}
    assert schemas.check(MESSAGES, upload, multipart=True) is None


def test_integer_role_ids_are_named_by_their_path(schemas: BodySchemas) -> None:
    body = {"content": "ping", "allowed_mentions": {"parse": [], "roles": [ROLE_ID]}}
    assert schemas.check(MESSAGES, body) == BodyViolation(
        "allowed_mentions.roles[0]", f"{ROLE_ID} is not of type 'string'"
    )


def test_an_integer_attachment_id_is_named_by_its_path(schemas: BodySchemas) -> None:
    upload = {"content": "calendar", "attachments": [{"id": 0, "filename": "summit.ics"}]}
    violation = schemas.check(MESSAGES, upload, multipart=True)
    assert violation is not None and violation.path == "attachments[0].id"
    answer = {"type": 4, "data": {"content": "calendar", "flags": 64, "attachments": [{"id": 0, "filename": "a.ics"}]}}
    assert schemas.check(CALLBACK, answer) == BodyViolation("data.attachments[0].id", "0 is not of type 'string'")


def test_a_union_reports_the_branch_the_body_was_meant_for(schemas: BodySchemas) -> None:
    # Autocomplete answers (type 8) want a value for each choice; the other callback kinds are not blamed.
    violation = schemas.check(CALLBACK, {"type": 8, "data": {"choices": [{"name": "Clause 4"}]}})
    assert violation == BodyViolation("data.choices[0]", "'value' is a required property")
    # 30 string choices are closest to the string branch (one `maxItems` away), not the integer one.
    choices = [{"name": f"Clause {n}", "value": str(n)} for n in range(30)]
    violation = schemas.check(CALLBACK, {"type": 8, "data": {"choices": choices}})
    assert violation is not None and violation.path == "data.choices"
    assert violation.message == "[{'name': 'Clause 0', 'value': '0'}, {'name': 'Clause 1', '… is too long"
    event = {"name": "Forum", "privacy_level": 2, "entity_type": 3, "scheduled_start_time": "2027-03-15T09:00:00Z"}
    violation = schemas.check("POST /guilds/{guild_id}/scheduled-events", event)
    assert violation == BodyViolation("", "'entity_metadata' is a required property")


def test_missing_and_unexpected_bodies_are_violations(schemas: BodySchemas) -> None:
    assert schemas.check(CALLBACK, None) == BodyViolation("", "a request body is required")
    assert schemas.check("GET /users/@me", {"x": 1}) == BodyViolation("", "this operation takes no request body")
    assert schemas.check("GET /users/@me", None) is None


def test_only_discord_py_s_own_integer_recipient_is_tolerated(schemas: BodySchemas) -> None:
    route = "POST /users/@me/channels"
    assert schemas.check(route, {"recipient_id": ROLE_ID}) is None  # discord.py's User.create_dm
    assert schemas.check(route, {"recipient_id": "not-a-snowflake"}) is not None
    violation = schemas.check(route, {"recipient_id": [ROLE_ID]})
    assert violation is not None and violation.path == "recipient_id"


def test_a_body_found_valid_is_not_checked_again_but_a_different_one_is(schemas: BodySchemas) -> None:
    good = json.dumps({"content": "same", "allowed_mentions": {"parse": []}}).encode()
    assert schemas.check(MESSAGES, json.loads(good), raw=good) is None
    # Same bytes: answered from the cache, even with a decoded body that would not pass.
    assert schemas.check(MESSAGES, {"content": 5}, raw=good) is None
    bad = json.dumps({"content": 5}).encode()
    assert schemas.check(MESSAGES, json.loads(bad), raw=bad) is not None


# --- through the emulator ----------------------------------------------------------------------------


async def test_a_violation_is_answered_400_recorded_and_posts_nothing() -> None:
    async with DiscordEmulator() as emu, aiohttp.ClientSession() as http:
        guild = emu.create_guild("Summit")
        channel = emu.create_text_channel(guild, "announcements")
        url = f"{emu.api_base_url}/channels/{channel.id}/messages"
        headers = {"Authorization": f"Bot {emu.token}"}
        body = {"content": f"<@&{ROLE_ID}> hi", "allowed_mentions": {"parse": [], "roles": [ROLE_ID]}}
        async with http.post(url, json=body, headers=headers) as response:
            assert response.status == 400
            answer = await response.json()
        assert answer["code"] == 50035
        assert answer["errors"]["allowed_mentions.roles[0]"]["_errors"][0]["code"] == "SCHEMA_VIOLATION"
        assert emu.channel_messages(channel) == []
        assert emu.spec_violations == [
            f"POST /api/v10/channels/{channel.id}/messages body: allowed_mentions.roles[0]: "
            f"{ROLE_ID} is not of type 'string'"
        ]
        with pytest.raises(AssertionError, match=r"allowed_mentions\.roles\[0\]"):
            emu.assert_no_spec_violations()
        emu.spec_violations.clear()
        body["allowed_mentions"]["roles"] = [str(ROLE_ID)]
        async with http.post(url, json=body, headers=headers) as response:
            assert response.status == 200
        assert [m["content"] for m in emu.channel_messages(channel)] == [f"<@&{ROLE_ID}> hi"]
        assert emu.spec_violations == []


async def test_a_multipart_payload_json_is_checked_too() -> None:
    async with DiscordEmulator() as emu, aiohttp.ClientSession() as http:
        channel = emu.create_text_channel(emu.create_guild("Summit"), "general")
        url = f"{emu.api_base_url}/channels/{channel.id}/messages"
        headers = {"Authorization": f"Bot {emu.token}"}
        for attachment_id, status in ((0, 400), ("0", 200)):
            form = aiohttp.FormData()
            payload = {"content": "calendar", "attachments": [{"id": attachment_id, "filename": "a.ics"}]}
            form.add_field("payload_json", json.dumps(payload), content_type="application/json")
            form.add_field("files[0]", b"BEGIN:VCALENDAR", filename="a.ics", content_type="text/calendar")
            async with http.post(url, data=form, headers=headers) as response:
                assert response.status == status
        assert emu.spec_violations == [
            f"POST /api/v10/channels/{channel.id}/messages body: attachments[0].id: 0 is not of type 'string'"
        ]
        emu.spec_violations.clear()
        (message,) = emu.channel_messages(channel)
        assert [a.filename for a in message.files] == ["a.ics"]


async def test_validation_can_be_turned_off_for_benchmarks_only_on_request() -> None:
    assert DiscordEmulator().body_schemas is not None
    async with DiscordEmulator(validate_bodies=False) as emu, aiohttp.ClientSession() as http:
        channel = emu.create_text_channel(emu.create_guild("Summit"), "general")
        body = {"content": "hi", "allowed_mentions": {"parse": [], "roles": [ROLE_ID]}}
        headers = {"Authorization": f"Bot {emu.token}"}
        async with http.post(f"{emu.api_base_url}/channels/{channel.id}/messages", json=body, headers=headers) as r:
            assert r.status == 200
        assert emu.spec_violations == []


# --- discord.py's own serialisation, and how the bot sends string ids through it -----------------------


async def test_discord_py_objects_send_integers_and_string_refs_conform(sandbox: Sandbox) -> None:
    emu = sandbox.emu
    channel = sandbox.bot.get_channel(sandbox.general.id)
    assert isinstance(channel, discord.TextChannel)
    role = sandbox.mods
    with pytest.raises(discord.HTTPException) as raised:
        await channel.send(f"<@&{role.id}>", allowed_mentions=discord.AllowedMentions(roles=[discord.Object(role.id)]))
    assert raised.value.code == 50035 and "allowed_mentions.roles[0]" in str(raised.value)
    with pytest.raises(discord.HTTPException) as raised:
        await channel.send("calendar", file=discord.File(io.BytesIO(b"BEGIN:VCALENDAR"), filename="a.ics"))
    assert "attachments[0].id" in str(raised.value)
    assert [v.split(" body: ")[1].split(":")[0] for v in emu.spec_violations] == [
        "allowed_mentions.roles[0]",
        "attachments[0].id",
    ]
    emu.spec_violations.clear()
    assert emu.channel_messages(sandbox.general) == []

    pinged = await channel.send(
        f"<@&{role.id}>", allowed_mentions=discord.AllowedMentions(roles=[SnowflakeRef(role.id)])
    )
    assert emu.requests[-1].json["allowed_mentions"]["roles"] == [str(role.id)]
    (message,) = emu.channel_messages(sandbox.general)
    assert emu.message_pings(message).roles == frozenset({role.id}) and message["id"] == str(pinged.id)
    sent = await channel.send("calendar", file=UploadFile(io.BytesIO(b"BEGIN:VCALENDAR"), filename="a.ics"))
    assert emu.requests[-1].json["attachments"] == [{"id": "0", "filename": "a.ics"}]
    assert [a.filename for a in sent.attachments] == ["a.ics"]


# --- the data file ------------------------------------------------------------------------------------


def test_extract_keeps_each_body_schema_and_only_the_components_it_reaches() -> None:
    snowflake = {"type": "string", "pattern": "^(0|[1-9][0-9]*)$"}
    openapi = {
        "paths": {
            "/channels/{channel_id}/messages": {
                "parameters": [{"name": "channel_id"}],
                "get": {"responses": {}},
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Create"}},
                            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Create"}},
                        },
                    }
                },
            }
        },
        "components": {
            "schemas": {
                "Create": {"type": "object", "properties": {"roles": {"items": {"$ref": "#/components/schemas/Id"}}}},
                "Id": snowflake,
                "Unused": {"type": "integer"},
            }
        },
    }
    document = body_schema.extract(openapi, "abc123")
    assert document["source_rev"] == "abc123"
    assert document["operations"] == [
        {
            "method": "POST",
            "path": "/channels/{channel_id}/messages",
            "required": True,
            "schemas": {"application/json": {"$ref": "#/components/schemas/Create"}},
        }
    ]
    assert sorted(document["components"]["schemas"]) == ["Create", "Id"]
    schemas = BodySchemas(document)
    assert schemas.check(MESSAGES, {"roles": ["1"]}) is None
    assert schemas.check(MESSAGES, {"roles": [1]}) == BodyViolation("roles[0]", "1 is not of type 'string'")


def test_every_operation_with_a_body_is_a_documented_route() -> None:
    document = json.loads(body_schema.SCHEMAS_FILE.read_text(encoding="utf-8"))
    routes = SpecRoutes.load()
    operations = {(op["method"], op["path"]) for op in document["operations"]}
    assert operations and operations <= routes.templates
    assert ("POST", "/channels/{channel_id}/messages") in operations
