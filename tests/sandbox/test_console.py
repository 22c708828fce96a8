"""The text console of `summit-bot try`: parsing lines, rendering replies, and one session end to end."""

from __future__ import annotations

import io

import pytest

from bot.sandbox import run_console
from bot.sandbox.console_parse import DirectiveLine, EmptyLine, ParseError, SlashLine, parse_line, tokenize
from bot.sandbox.render import Display, render_choices, render_message

from .conftest import Sandbox


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        ("/about", [(None, "about")]),
        ("/clause 4", [(None, "clause"), (None, "4")]),
        ("/clause ref:4", [(None, "clause"), ("ref", "4")]),
        ('/clause ref:"3 words"', [(None, "clause"), ("ref", "3 words")]),
        ('/signatory "South Korea"', [(None, "signatory"), (None, "South Korea")]),
        ('/signatory "a:b"', [(None, "signatory"), (None, "a:b")]),
        ("/eventadmin edit x when:demain", [(None, "eventadmin"), (None, "edit"), (None, "x"), ("when", "demain")]),
        ("/clause ref:l'accord", [(None, "clause"), ("ref", "l'accord")]),
    ],
)
def test_slash_lines_are_split_into_words(line: str, parsed: list[tuple[str | None, str]]) -> None:
    slash = parse_line(line)
    assert isinstance(slash, SlashLine)
    assert [(w.name, w.value) for w in slash.words] == parsed


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        (":as moderator", DirectiveLine("as", "moderator")),
        (":CLICK  Next page ", DirectiveLine("click", "Next page")),
        ("[Next]", DirectiveLine("click", "Next")),
        (":complete /clause ref:ene", DirectiveLine("complete", "/clause ref:ene")),
        ("   ", EmptyLine()),
    ],
)
def test_other_lines_are_parsed(line: str, parsed: object) -> None:
    assert parse_line(line) == parsed


@pytest.mark.parametrize(
    ("line", "key"),
    [("hello", "not_a_command"), ('/clause ref:"open', "unclosed_quote"), (":", "no_directive"), ("/", "no_command")],
)
def test_bad_lines_are_explained(line: str, key: str) -> None:
    with pytest.raises(ParseError) as refused:
        parse_line(line)
    assert refused.value.key == key


def test_tokenize_keeps_empty_quoted_values() -> None:
    assert [(w.name, w.value) for w in tokenize('a:"" b')] == [("a", ""), (None, "b")]


def test_a_partial_line_keeps_an_open_quote_and_where_each_word_starts() -> None:
    typed = tokenize('signatory "South Ko', partial=True)
    assert [(w.text, w.start) for w in typed] == [("signatory", 0), ("South Ko", 10)]


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
    assert "\x1b[" in render_message(message, Display(color=True))
    assert "\x1b[" not in render_message(message, Display(color=False))


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
        sandbox.emu, sandbox.guild, sandbox.general, personas, current="bob", stdin=stdin, stdout=stdout, color=False
    )
    out = stdout.getvalue()
    assert "You are bob (locale en-US)" in out and "/card" in out.splitlines()[1]
    assert "| Card" in out and "[Next] [Later] [Off (disabled)]" in out
    assert "page 2" in out
    assert "Energy  ->  energy" in out and "Engagement" in out
    assert "? Unknown command /nope. Commands: /admin, /announce" in out
    assert "? /clause needs a value for: ref.\nUsage:\n  /clause ref:<text>  — Clause by reference" in out
    assert "(only you can see this)\npsst" in out
    assert "📬 DM from summit-bot to alice\nhello from the bot" in out  # shown as it arrived, to bob
    assert "Vous êtes maintenant alice (langue fr).\nhello from the bot" in out  # and again with :dm, in French
    assert "/never" not in out.split(":quit")[-1]
    assert len(sandbox.emu.channel_messages(sandbox.general)) == 1  # /never was not run
