"""What Tab offers in the console, against the real bot: command names, subcommands, option names,
choices, and the values the bot itself suggests through autocomplete."""

from __future__ import annotations

from bot.sandbox.console_complete import Asker, suggest


def asker(world, member=None, locale=None, lang="en") -> Asker:
    return Asker(world.emulator, member or world.member_en, world.general, locale, lang)


async def completed(world, line: str, **who) -> list[str]:
    """The line as each suggestion would leave it."""
    return [line[: len(line) - s.replace] + s.text for s in await suggest(asker(world, **who), line)]


async def test_command_names(bot, world):
    assert await completed(world, "/cla") == ["/clause "]
    assert await completed(world, "/event") == ["/event ", "/eventadmin ", "/events "]
    assert "/about " in await completed(world, "/")


async def test_subcommands_in_the_console_language(bot, world):
    assert await completed(world, "/remind s") == ["/remind subscribe "]
    assert await completed(world, "/remind ") == [
        "/remind subscribe ", "/remind list ", "/remind unsubscribe ", "/remind forget-me ", "/remind feed ",
    ]  # fmt: skip
    assert await completed(world, "/rappel s", member=world.member_fr, lang="fr") == ["/rappel suivre "]


async def test_option_names_not_given_yet(bot, world):
    offered = await completed(world, "/remind subscribe geneva-2027 ")
    assert "/remind subscribe geneva-2027 lead:" in offered
    assert "/remind subscribe geneva-2027 event:" not in offered, "event is already given"
    assert await completed(world, "/eventadmin add na") == ["/eventadmin add name:", "/eventadmin add name_fr:"]


async def test_choices_by_name_or_value(bot, world):
    assert await completed(world, "/events p") == ["/events past "]
    assert await completed(world, "/events when:a") == ["/events when:all "]
    assert await completed(world, "/evenements pa", member=world.member_fr, lang="fr") == ["/evenements past "]


async def test_values_the_bot_suggests_through_autocomplete(bot, world):
    requests = len(world.emulator.requests)
    offered = await completed(world, "/signatory Cana")
    assert offered[0] == "/signatory CA ", "the value of the bot's first choice, 🇨🇦 Canada"
    assert "Canada" in (await suggest(asker(world), "/signatory Cana"))[0].shown, "the menu shows the choice's name"
    assert len(world.emulator.requests) > requests, "the bot was asked (an AUTOCOMPLETE interaction)"
    assert "/remind subscribe geneva-2027 " in await completed(world, "/remind subscribe gen")
    assert "/clause 4 " in await completed(world, "/clause 4")
    by_name = await completed(world, "/clause ref:3.")
    assert by_name and all(line.startswith("/clause ref:3.") for line in by_name)


async def test_nothing_to_offer_for_an_unknown_command_or_a_finished_line(bot, world):
    assert await completed(world, "/nothing ") == []
    assert await completed(world, "/about ") == []
    assert await completed(world, ":as ") == []
