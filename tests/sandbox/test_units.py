"""Pure parts of the emulator: route matching, limits, mentions, option coercion."""

from __future__ import annotations

import pytest

from bot.sandbox.commands import CommandError, Resolved, build_data
from bot.sandbox.errors import FormErrors
from bot.sandbox.limits import check_commands, check_message
from bot.sandbox.mentions import compute_pings
from bot.sandbox.spec import SpecRoutes


@pytest.fixture(scope="module")
def spec() -> SpecRoutes:
    return SpecRoutes.load()


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("GET", "/users/@me", "/users/@me"),
        ("GET", "/users/123", "/users/{user_id}"),
        ("POST", "/interactions/1/abc/callback", "/interactions/{interaction_id}/{interaction_token}/callback"),
        ("PATCH", "/webhooks/1/tok/messages/@original", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"),
        ("PATCH", "/webhooks/1/tok/messages/55", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"),
        ("GET", "/guilds/1/members/search", "/guilds/{guild_id}/members/search"),
        ("GET", "/guilds/1/members/9", "/guilds/{guild_id}/members/{user_id}"),
        ("PUT", "/applications/1/guilds/2/commands", "/applications/{application_id}/guilds/{guild_id}/commands"),
        ("GET", "/guilds/1/scheduled-events/2", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}"),
    ],
)
def test_documented_routes_match_their_template(spec: SpecRoutes, method: str, path: str, template: str) -> None:
    match = spec.match(method, path)
    assert match is not None and match.template == template


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/users/@me/nothing"), ("DELETE", "/users/@me"), ("GET", "/channels//messages"), ("GET", "/")],
)
def test_undocumented_requests_do_not_match(spec: SpecRoutes, method: str, path: str) -> None:
    assert spec.match(method, path) is None


def test_spec_list_covers_every_route_discord_documents(spec: SpecRoutes) -> None:
    assert len(spec.templates) > 200
    assert ("POST", "/channels/{channel_id}/messages") in spec.templates


def _problems(payload: dict) -> dict:
    problems = FormErrors()
    check_message(payload, problems)
    return problems.tree


def test_message_limits() -> None:
    assert _problems({"content": "x" * 2000}) == {}
    assert "content" in _problems({"content": "x" * 2001})
    assert "embeds" in _problems({"embeds": [{}] * 11})
    embed = {"title": "t" * 257, "fields": [{"name": "n", "value": "v" * 1025}], "footer": {"text": "f" * 2049}}
    tree = _problems({"embeds": [embed]})["embeds"]["0"]
    assert set(tree) == {"title", "fields", "footer"}
    two_halves = [{"description": "d" * 3500}, {"description": "d" * 3500}]  # 7000 over both embeds
    assert _problems({"embeds": two_halves})["embeds"]["_errors"][0]["code"] == "MAX_EMBED_SIZE_EXCEEDED"
    row = {"type": 1, "components": [{"type": 2, "style": 1, "label": "b", "custom_id": str(i)} for i in range(6)]}
    assert "components" in _problems({"components": [row]})
    assert "components" in _problems({"components": [{"type": 1, "components": []}] * 6})
    long_label = {"type": 1, "components": [{"type": 2, "style": 1, "label": "l" * 81, "custom_id": "c" * 101}]}
    assert set(_problems({"components": [long_label]})["components"]["0"]["components"]["0"]) == {"label", "custom_id"}
    select = {"type": 3, "custom_id": "s", "options": [{"label": str(i), "value": str(i)} for i in range(26)]}
    assert (
        "options"
        in _problems({"components": [{"type": 1, "components": [select]}]})["components"]["0"]["components"]["0"]
    )


def test_command_limits() -> None:
    problems = FormErrors()
    good = {"name": "about", "description": "What this is", "name_localizations": {"fr": "apropos"}}
    bad = {"name": "About Me", "description": "d" * 101, "description_localizations": {"xx": "?"}}
    check_commands([good, bad, good], problems)
    assert set(problems.tree) == {"1", "2"}  # the bad one, then the duplicate
    assert set(problems.tree["1"]) == {"name", "description", "description_localizations"}


def test_pings() -> None:
    content = "<@111111111111111111> <@&222222222222222222> @everyone"
    everything = compute_pings(content, None)
    assert everything.users == {111111111111111111} and everything.roles == {222222222222222222} and everything.everyone
    assert compute_pings(content, {"parse": []}).nothing
    only_role = compute_pings(content, {"parse": [], "roles": ["222222222222222222"]})
    assert only_role.roles == {222222222222222222} and not only_role.users and not only_role.everyone
    assert compute_pings("no mention", None).nothing


COMMAND = {
    "id": "1",
    "name": "eventadmin",
    "type": 1,
    "options": [
        {
            "type": 1,
            "name": "edit",
            "description": "Edit",
            "options": [
                {"type": 4, "name": "count", "description": "n", "required": True, "min_value": 1, "max_value": 10},
                {"type": 3, "name": "kind", "description": "k", "choices": [{"name": "Talk", "value": "talk"}]},
                {"type": 5, "name": "flag", "description": "f"},
            ],
        }
    ],
}


def _never(kind: int, value: object, resolved: Resolved) -> str:
    raise AssertionError("no entity here")


def test_options_are_nested_and_typed() -> None:
    data = build_data(COMMAND, ["eventadmin", "edit"], {"count": "3", "kind": "Talk", "flag": "no"}, _never)
    assert data["options"] == [
        {
            "type": 1,
            "name": "edit",
            "options": [
                {"name": "count", "type": 4, "value": 3},
                {"name": "kind", "type": 3, "value": "talk"},
                {"name": "flag", "type": 5, "value": False},
            ],
        }
    ]


@pytest.mark.parametrize(
    ("path", "options", "message"),
    [
        (["eventadmin"], {}, "needs a subcommand"),
        (["eventadmin", "drop"], {}, "no subcommand 'drop'"),
        (["eventadmin", "edit"], {"count": "x"}, "of type integer"),
        (["eventadmin", "edit"], {"count": 11}, "within"),
        (["eventadmin", "edit"], {"count": 1, "kind": "party"}, "choices"),
    ],
)
def test_invalid_input_is_refused(path: list[str], options: dict, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        build_data(COMMAND, path, options, _never)
