"""Slash commands, components, autocomplete and modals, driven as a Discord client would."""

from __future__ import annotations

import time

import aiohttp
import pytest

from bot.sandbox import CommandError
from bot.sandbox.interactions import APPLICATION_COMMAND

from .bare_bot import ICS
from .conftest import Sandbox


async def test_sync_registers_the_tree_once_with_typed_options(sandbox: Sandbox) -> None:
    emu = sandbox.emu
    assert emu.sync_count == 1
    commands = {c["name"]: c for c in emu.registered_commands()}
    assert {"card", "slow", "secret", "clause", "dm", "announce", "admin"} <= set(commands)
    assert commands["clause"]["options"][0]["autocomplete"] is True
    assert commands["card"]["id"].isdigit() and commands["card"]["application_id"] == str(emu.application_id)


async def test_slash_reply_with_an_embed_and_buttons(sandbox: Sandbox) -> None:
    result = await sandbox.emu.slash(sandbox.alice, sandbox.general, "card")
    assert result.callback_type == 4 and not result.ephemeral
    assert result.embeds[0]["title"] == "Card"
    assert [b["label"] for b in result.buttons] == ["Next", "Later", "Off"]
    assert result.buttons[2]["disabled"] is True
    assert sandbox.emu.channel_messages(sandbox.general) == [result.message]
    assert result.message["interaction_metadata"]["user"]["id"] == str(sandbox.alice.id)


async def test_click_updates_the_message(sandbox: Sandbox) -> None:
    emu = sandbox.emu
    card = await emu.slash(sandbox.alice, sandbox.general, "card")
    clicked = await emu.click(sandbox.alice, card, label="Next")
    assert clicked.callback_type == 7
    assert clicked.message is card.message  # the same message, edited in place
    assert card.content == "page 2" and card.embeds == [] and card.components == []


async def test_a_deferred_click_waits_for_the_edit(sandbox: Sandbox) -> None:
    emu = sandbox.emu
    card = await emu.slash(sandbox.alice, sandbox.general, "card")
    clicked = await emu.click(sandbox.alice, card.message, custom_id="card:later")
    assert clicked.callback_type == 6
    assert card.content == "later, edited"


async def test_disabled_and_missing_buttons_cannot_be_clicked(sandbox: Sandbox) -> None:
    card = await sandbox.emu.slash(sandbox.alice, sandbox.general, "card")
    with pytest.raises(AssertionError, match="disabled"):
        await sandbox.emu.click(sandbox.alice, card, label="Off")
    with pytest.raises(AssertionError, match="Next"):
        await sandbox.emu.click(sandbox.alice, card, label="Nope")


async def test_deferred_then_edited(sandbox: Sandbox) -> None:
    result = await sandbox.emu.slash(sandbox.alice, sandbox.general, "slow")
    assert result.callback_type == 5
    assert result.content == "done"
    assert not result.message.loading


async def test_the_first_followup_after_a_deferral_replaces_the_thinking_message(sandbox: Sandbox) -> None:
    result = await sandbox.emu.slash(sandbox.alice, sandbox.general, "later")
    assert result.ephemeral and result.content == "followed up"
    assert result.followups == [result.message]
    assert sandbox.emu.channel_messages(sandbox.general) == []


async def test_followups_and_ephemeral_replies(sandbox: Sandbox) -> None:
    emu = sandbox.emu
    secret = await emu.slash(sandbox.alice, sandbox.general, "secret")
    assert secret.ephemeral and secret.content == "psst"
    multi = await emu.slash(sandbox.alice, sandbox.general, "multi")
    two, three = await multi.wait_for_followups(2)
    assert (two["content"], two.ephemeral, three["content"], three.ephemeral) == ("two", False, "three", True)
    visible = [m["content"] for m in emu.channel_messages(sandbox.general)]
    assert visible == ["one", "two"]


async def test_autocomplete_offers_the_bots_choices(sandbox: Sandbox) -> None:
    choices = await sandbox.emu.autocomplete(sandbox.alice, sandbox.general, "clause", {"ref": "en"})
    assert choices == [{"name": "Energy", "value": "energy"}, {"name": "Engagement", "value": "engagement"}]


async def test_subcommands_get_typed_options_and_resolved_members(sandbox: Sandbox) -> None:
    result = await sandbox.emu.slash(
        sandbox.alice,
        sandbox.general,
        "admin event edit",
        {"name": "x", "count": "4", "flag": "true", "who": sandbox.bob},
    )
    assert result.content == f"x|4|int|True|{sandbox.bob.id}|bob"


async def test_unknown_commands_and_options_are_refused_like_a_client_would(sandbox: Sandbox) -> None:
    with pytest.raises(CommandError, match="/card"):
        await sandbox.emu.slash(sandbox.alice, sandbox.general, "nope")
    with pytest.raises(CommandError, match="ref"):
        await sandbox.emu.slash(sandbox.alice, sandbox.general, "clause", {"reference": "x"})
    with pytest.raises(CommandError, match="missing required"):
        await sandbox.emu.slash(sandbox.alice, sandbox.general, "clause")
    with pytest.raises(CommandError, match="choices"):
        await sandbox.emu.slash(sandbox.alice, sandbox.general, "mention", {"who": sandbox.bob, "mode": "loud"})


async def test_select_menu(sandbox: Sandbox) -> None:
    emu = sandbox.emu
    menu = await emu.slash(sandbox.alice, sandbox.general, "pick")
    chosen = await emu.select(sandbox.alice, menu, custom_id="pick", values=["b"])
    assert chosen.content == "chose b" and chosen.ephemeral


async def test_modal_submit(sandbox: Sandbox) -> None:
    emu = sandbox.emu
    form = await emu.slash(sandbox.alice, sandbox.general, "form")
    assert form.callback_type == 9 and form.modal["title"] == "Your answer"
    answered = await emu.submit_modal(sandbox.alice, form, {"answer": "forty-two"})
    assert answered.content == "got forty-two"


async def test_files_keep_their_name_type_and_bytes(sandbox: Sandbox) -> None:
    result = await sandbox.emu.slash(sandbox.alice, sandbox.general, "ics")
    (attachment,) = result.attachments
    assert attachment.filename == "summit.ics"
    assert attachment.content_type.startswith("text/calendar")
    assert attachment.data == ICS
    assert result.message["attachments"][0]["size"] == len(ICS)
    async with aiohttp.ClientSession() as http, http.get(attachment.url) as response:
        assert await response.read() == ICS


async def test_locale_comes_from_the_member_unless_given(sandbox: Sandbox) -> None:
    result = await sandbox.emu.slash(sandbox.alice, sandbox.general, "secret")
    assert result.interaction.payload["locale"] == "fr"
    assert result.interaction.payload["guild_locale"] == "en-US"
    result = await sandbox.emu.slash(sandbox.alice, sandbox.general, "secret", locale="de")
    assert result.interaction.payload["locale"] == "de"


async def _callback(sandbox: Sandbox, interaction_id: int, token: str) -> tuple[int, dict]:
    url = f"{sandbox.emu.api_base_url}/interactions/{interaction_id}/{token}/callback"
    async with aiohttp.ClientSession() as http, http.post(url, json={"type": 4, "data": {"content": "x"}}) as response:
        return response.status, await response.json()


async def test_a_second_callback_is_already_acknowledged(sandbox: Sandbox) -> None:
    result = await sandbox.emu.slash(sandbox.alice, sandbox.general, "secret")
    status, body = await _callback(sandbox, result.id, result.interaction.token)
    assert (status, body["code"]) == (400, 40060)


async def test_a_callback_after_the_ttl_is_an_unknown_interaction(sandbox: Sandbox) -> None:
    emu = sandbox.emu
    ix = emu.builder.new(APPLICATION_COMMAND, sandbox.alice, sandbox.general, name="late", data={}, locale=None)
    emu.interactions.add(ix)
    ix.created = time.monotonic() - emu.interaction_ttl - 0.1
    status, body = await _callback(sandbox, ix.id, ix.token)
    assert (status, body["code"]) == (404, 10062)
    status, body = await _callback(sandbox, ix.id, "not-the-token")
    assert (status, body["code"]) == (404, 10062)


async def test_a_command_run_in_the_bots_dm(sandbox: Sandbox) -> None:
    result = await sandbox.emu.slash(sandbox.alice, None, "multi")
    payload = result.interaction.payload
    assert "member" not in payload and payload["user"]["id"] == str(sandbox.alice.id)
    assert payload["context"] == 1
    await result.wait_for_followups(2)
    assert [m["content"] for m in sandbox.emu.dm_messages(sandbox.alice)] == ["one", "two"]
