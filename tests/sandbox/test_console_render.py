"""Discord's markup as the console shows it: timestamps in the console's language and zone, bold and
italic as ANSI styles on a terminal, plain text in a pipe or with NO_COLOR."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox.render import Display, render_message, wants_color

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
SUMMIT = int(datetime(2025, 2, 11, 8, 0, tzinfo=UTC).timestamp())  # 09:00 in Paris


def shown(text: str, lang: str = "en", *, color: bool = False, zone=PARIS) -> str:
    return Display(color=color, lang=lang, zone=zone, now=lambda: NOW).markup(text)


def at(delta: timedelta) -> str:
    return f"<t:{int((NOW + delta).timestamp())}:R>"


@pytest.mark.parametrize(
    ("delta", "english", "french"),
    [
        (timedelta(minutes=2), "in 2 minutes", "dans 2 minutes"),
        (timedelta(days=-3), "3 days ago", "il y a 3 jours"),
        (timedelta(seconds=30), "in a few seconds", "dans quelques secondes"),
        (timedelta(minutes=-1), "a minute ago", "il y a une minute"),
        (timedelta(hours=1), "in an hour", "dans une heure"),
        (timedelta(hours=5, minutes=40), "in 6 hours", "dans 6 heures"),
        (timedelta(days=60), "in 2 months", "dans 2 mois"),
        (timedelta(days=-400), "a year ago", "il y a un an"),
        (timedelta(days=-800), "2 years ago", "il y a 2 ans"),
    ],
)
def test_relative_timestamps_read_as_discord_shows_them(delta, english, french):
    assert shown(f"Starts {at(delta)}.") == f"Starts {english}."
    assert shown(f"Commence {at(delta)}.", "fr") == f"Commence {french}."


@pytest.mark.parametrize(
    ("style", "english", "french"),
    [
        ("t", "09:00", "09:00"),
        ("T", "09:00:00", "09:00:00"),
        ("d", "11/02/2025", "11/02/2025"),
        ("D", "11 February 2025", "11 février 2025"),
        ("f", "11 February 2025 09:00", "11 février 2025 09:00"),
        ("F", "Tuesday, 11 February 2025 09:00", "mardi 11 février 2025 09:00"),
    ],
)
def test_absolute_timestamps_are_in_the_console_zone_and_language(style, english, french):
    assert shown(f"<t:{SUMMIT}:{style}>") == english
    assert shown(f"<t:{SUMMIT}:{style}>", "fr") == french


def test_a_timestamp_without_style_is_the_short_date_time_and_the_zone_matters():
    assert shown(f"<t:{SUMMIT}>") == "11 February 2025 09:00"
    assert shown(f"<t:{SUMMIT}:t>", zone=ZoneInfo("Asia/Kolkata")) == "13:30"


def test_bold_italic_and_underline_are_ansi_styles_on_a_terminal():
    text = "**Forum** starts *soon* — __really__, _truly_"
    assert shown(text, color=True) == (
        "\x1b[1mForum\x1b[22m starts \x1b[3msoon\x1b[23m — \x1b[4mreally\x1b[24m, \x1b[3mtruly\x1b[23m"
    )
    assert shown(text) == "Forum starts soon — really, truly"


def test_what_is_not_markup_is_left_as_typed():
    assert shown("name_fr and city_fr, 2 * 3 * 4, * a list item") == "name_fr and city_fr, 2 * 3 * 4, * a list item"
    assert shown(r"an escaped \*star\* and \_under\_", color=True) == "an escaped *star* and _under_"


def test_a_whole_message_in_colour_and_in_plain_text():
    message = {
        "content": f"⏰ **AI Safety Forum** <t:{int((NOW + timedelta(minutes=2)).timestamp())}:R>",
        "embeds": [{"title": "Geneva", "description": "*Palexpo*", "fields": [{"name": "When", "value": "**soon**"}]}],
    }
    plain = render_message(message, Display(color=False, now=lambda: NOW))
    assert plain.splitlines() == ["⏰ AI Safety Forum in 2 minutes", "|", "| Geneva", "| Palexpo", "| When: soon"]
    coloured = render_message(message, Display(color=True, now=lambda: NOW))
    assert "\x1b[1mAI Safety Forum\x1b[22m in 2 minutes" in coloured and "\x1b[3mPalexpo\x1b[23m" in coloured


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch, tmp_path):
    primary, secondary = os.openpty()
    terminal = os.fdopen(secondary, "w")
    try:
        monkeypatch.delenv("NO_COLOR", raising=False)
        assert wants_color(terminal)
        monkeypatch.setenv("NO_COLOR", "1")
        assert not wants_color(terminal)
        monkeypatch.delenv("NO_COLOR")
        with (tmp_path / "piped.txt").open("w") as piped:
            assert not wants_color(piped)
    finally:
        terminal.close()
        os.close(primary)


def test_mentions_show_names_and_an_embed_timestamp_follows_its_footer():
    names = {("#", 1): "annonces", ("@", 2): "Ada", ("@&", 3): "Event followers"}
    show = Display(lang="en", zone=PARIS, now=lambda: NOW, names=lambda kind, id_: names.get((kind, id_)))
    assert show.markup("In <#1>, <@2> and <@!2> ping <@&3>; <#9> is unknown") == (
        "In #annonces, @Ada and @Ada ping @Event followers; <#9> is unknown"
    )
    embed = {"title": "Coming up", "footer": {"text": "last update"}, "timestamp": "2025-02-11T08:00:00+00:00"}
    assert render_message({"embeds": [embed]}, show).splitlines()[-1] == "| last update · 11 February 2025 09:00"
