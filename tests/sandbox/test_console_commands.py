"""The console reads a slash line as Discord's client does, against the real bot's registered commands:
values fill options in order, choices match in either language, and what cannot be sent gets its usage."""

from __future__ import annotations

import pytest

from .console_helpers import console_says


async def subscriptions(bot) -> list[tuple]:
    rows = await bot.database.fetch_all(
        "SELECT s.user_id, e.key, l.lead_seconds FROM reminder_subscriptions s JOIN guild_events e"
        " ON e.id = s.event_id JOIN reminder_subscription_leads l ON l.subscription_id = s.id ORDER BY s.id"
    )
    return [tuple(row) for row in rows]


async def test_a_value_without_a_name_fills_the_first_option(bot, world):
    out = await console_says(world, "/clause 4")
    assert "| Clause 4\n" in out
    assert "Nous reconnaissons la nécessité de dialogues pluripartites inclusifs" in out
    assert "\n? " not in out and "\n! " not in out  # no refusal


async def test_a_country_and_a_quoted_country_with_spaces(bot, world):
    out = await console_says(world, "/signatory Canada", '/signatory "Corée du Sud"')
    assert "| 🇨🇦 Canada\n| ✅ Signed" in out
    assert "| 🇰🇷 " in out


@pytest.mark.parametrize("typed", ["past", "Past", "PASSÉS", "passés", "when:past", "quand:Passés"])
async def test_a_choice_by_its_name_or_value_in_either_language_and_any_case(bot, world, typed):
    out = await console_says(world, f"/events {typed}")
    assert "| Past events" in out
    assert "Kigali" in out


async def test_a_subcommand_then_its_values_in_order_and_mixed_with_names(bot, world):
    out = await console_says(world, "/remind subscribe geneva-2027 1d", "/remind subscribe lead:2h uae-2028")
    assert "You follow" in out and "reminders 1 day before" in out
    assert await subscriptions(bot) == [
        (world.member_en.id, "geneva-2027", 86400),
        (world.member_en.id, "uae-2028", 7200),
    ]
    assert "? /remind subscribe" not in out


async def test_a_french_member_types_french_names(bot, world):
    out = await console_says(world, "/rappel suivre geneva-2027 delai:1d", "/article 4", persona="membre")
    assert "Vous suivez" in out
    assert "| Article 4" in out
    assert await subscriptions(bot) == [(world.member_fr.id, "geneva-2027", 86400)]


async def test_a_command_without_its_required_option_answers_with_its_usage(bot, world):
    interactions = world.emulator.stats.interactions
    out = await console_says(world, "/clause")
    assert (
        "? /clause needs a value for: ref.\n"
        "Usage:\n"
        "  /clause ref:<text>  — Read a clause of the declaration, a sub-item (3.2), a range (4-5)"
        " or a footnote (fn2)\n"
    ) in out
    assert world.emulator.stats.interactions == interactions, "nothing was sent to the bot"


async def test_a_usage_marks_optional_options_and_lists_choices(bot, world):
    out = await console_says(world, "/remind subscribe")
    assert "? /remind subscribe needs a value for: event." in out
    assert "  /remind subscribe event:<text> [lead:<text>]  — Get a DM before an event" in out
    out = await console_says(world, "/events someday")
    assert "? “someday” is not a choice of when: Upcoming (upcoming), Past (past), All (all)." in out
    assert "  /events [when:<upcoming|past|all>]  — " in out


async def test_a_group_without_its_subcommand_lists_them_all(bot, world):
    out = await console_says(world, "/remind", "/remind sometimes")
    assert "? /remind needs a subcommand.\nUsage:\n  /remind subscribe event:<text> [lead:<text>]" in out
    assert "  /remind list  — " in out and "  /remind forget-me  — " in out
    assert "? /remind has no subcommand “sometimes”." in out


async def test_refusals_change_nothing_and_say_what_was_expected(bot, world):
    interactions = world.emulator.stats.interactions
    out = await console_says(
        world,
        "/clause 4 5",
        "/clause ref:4 page:2",
        "/nothing",
        '/clause "4',
        "/remind subscribe geneva-2027 1d extra",
        ':complete /clause "4',
        ":complete",
        ":complete /clause",
    )
    assert "? /clause: one value too many: 5." in out
    assert "? /clause has no option “page”." in out
    assert "? Unknown command /nothing. Commands: /about, /clause," in out
    assert "? A double quote is not closed." in out
    assert "? /remind subscribe: one value too many: extra." in out
    assert out.count("? A double quote is not closed.") == 2, "in a line and in :complete's command"
    assert out.count("? Usage: :complete /command option:typed-so-far") == 2
    assert out.rstrip().endswith("typed-so-far"), "the console went on to the end"
    assert world.emulator.stats.interactions == interactions
    assert await subscriptions(bot) == []


async def test_usage_follows_the_console_language(bot, world):
    out = await console_says(world, ":locale fr", "/clause", "/events jamais")
    assert "? /article attend une valeur pour\u00a0: ref.\nUsage\u00a0:\n  /article ref:<texte>  — Lire" in out
    assert "? «\u00a0jamais\u00a0» n'est pas un choix de quand\u00a0: À venir (upcoming), Passés (past)" in out


async def test_a_clock_time_or_an_address_is_a_value_not_an_option_name(bot, world):
    # `09:00` and `https://…` look like name:value; they are values (here: the next free option).
    out = await console_says(world, "/search 09:00", "/search https://example.org")
    assert "has no option" not in out


async def test_help_shows_what_to_type_in_the_console_language(bot, world):
    out = await console_says(world, ":help", ":locale fr", ":help")
    english, french = out.split("Langue\u00a0: fr.")
    assert "/clause 4 " in english and "run a command: values fill its options in order, required first" in english
    assert "/events past " in english and "Tab " in english and ":quit " in english
    assert "/clause 4 " in french and "lancer une commande\u00a0: les valeurs remplissent ses options" in french
