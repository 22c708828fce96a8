"""The text console of `summit-bot try`: parsing lines, rendering replies, and one session end to end."""

from __future__ import annotations

import io

import pytest

from bot.sandbox import run_console
from bot.sandbox.console_parse import DirectiveLine, EmptyLine, ParseError, SlashLine, parse_line, tokenize
from bot.sandbox.render import render_choices, render_message

from .conftest import Sandbox


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        ("/about", SlashLine("about", {})),
        ("/clause ref:4", SlashLine("clause", {"ref": "4"})),
        ('/clause ref:"3 words"', SlashLine("clause", {"ref": "3 words"})),
        ("/eventadmin edit name:x when:demain", SlashLine("eventadmin edit", {"name": "x", "when": "demain"})),
        ("/clause ref:l'accord", SlashLine("clause", {"ref": "l'accord"})),
        (":as moderator", DirectiveLine("as", "moderator")),
        (":CLICK  Next page ", DirectiveLine("click", "Next page")),
        ("[Next]", DirectiveLine("click", "Next")),
        (":complete /clause ref:ene", DirectiveLine("complete", "/clause ref:ene")),
        ("   ", EmptyLine()),
    ],
)
def test_lines_are_parsed(line: str, parsed: object) -> None:
    assert parse_line(line) == parsed


@pytest.mark.parametrize("line", ["hello", '/clause ref:"open', "/clause ref:1 stray", ":"])
def test_bad_lines_are_explained(line: str) -> None:
    with pytest.raises(ParseError):
        parse_line(line)


def test_tokenize_keeps_empty_quoted_values() -> None:
    assert tokenize('a:"" b') == ["a:", "b"]


def test_a_message_renders_as_plain_text() -> None:
    message = {
        "content": "Hello",
        "flags": 64,
        "embeds": [
            {
                "title": "Declaration",
                "description": "line 1\nline 2",
                "fields": [{"name": "Signatories", "value": "60"}],
                "footer": {"text": "verbatim"},
            }
        ],
        "attachments": [{"filename": "a.ics", "content_type": "text/calendar", "size": 12}],
        "components": [
            {
                "type": 1,
                "components": [
                    {"type": 2, "label": "Prev", "custom_id": "p"},
                    {"type": 2, "label": "Next", "custom_id": "n"},
                ],
            },
            {"type": 1, "components": [{"type": 2, "label": "Site", "style": 5, "url": "https://x.test"}]},
        ],
    }
    assert render_message(message).splitlines() == [
        "(only you can see this)",
        "Hello",
        "|",
        "| Declaration",
        "| line 1",
        "| line 2",
        "| Signatories: 60",
        "| verbatim",
        "[file] a.ics (text/calendar, 12 bytes)",
        "[Prev] [Next]",
        "[Site -> https://x.test]",
    ]
    assert "\x1b[" in render_message(message, color=True)
    assert "\x1b[" not in render_message(message, color=False)


def test_discord_timestamps_render_as_dates() -> None:
    assert render_message({"content": "since <t:1739260800:R>"}) == "since 2025-02-11 08:00 UTC"


def test_choices_render_one_per_line() -> None:
    assert render_choices([{"name": "Energy", "value": "energy"}]) == "  Energy  ->  energy"
    assert render_choices([]) == "(no suggestion)"


async def test_a_console_session_through_a_pipe(sandbox: Sandbox) -> None:
    lines = [
        "/card",
        "[Next]",
        ":complete /clause ref:en",
        "/nope",
        "/clause",
        ":as bob",
        "/secret",
        "/dm who:alice",
        ":as alice",
        ":dm",
        ":quit",
        "/never",
    ]
    stdin, stdout = io.StringIO("\n".join(lines) + "\n"), io.StringIO()
    personas = {"alice": sandbox.alice, "bob": sandbox.bob}
    await run_console(
        sandbox.emu, sandbox.guild, sandbox.general, personas, current="alice", stdin=stdin, stdout=stdout, color=False
    )
    out = stdout.getvalue()
    assert "You are 'alice'" in out and "/card" in out.splitlines()[1]
    assert "| Card" in out and "[Next] [Later] [Off (disabled)]" in out
    assert "page 2" in out
    assert "Energy  ->  energy" in out and "Engagement" in out
    assert "unknown command /nope. Registered commands:" in out
    assert "missing required option(s) ref" in out
    assert "You are now 'bob'" in out
    assert "(only you can see this)\npsst" in out
    assert "hello from the bot" in out  # alice's DMs
    assert "/never" not in out.split(":quit")[-1]
    assert len(sandbox.emu.channel_messages(sandbox.general)) == 1  # /never was not run
