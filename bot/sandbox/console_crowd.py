"""`:crowd N /command …` in the console of `summit-bot emulator`: N more members of the console's server
(crowd-1 … crowd-N, made on first use and reused after) each run the same command, so that one person can
give a reminder hundreds of followers and watch a real fan-out; `:crowd` alone counts the bot's DMs to
them, which shows from the members' side that each got one (docs/deployment.md, "Try it").
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.i18n import t

from .commands import CommandError
from .console_commands import resolve
from .console_parse import parse_slash
from .models import Member

if TYPE_CHECKING:
    from .console import Console

MAX_CROWD = 5000
# Commands in flight at once: enough to keep the bot busy, few enough not to time out behind each other.
IN_FLIGHT = 8
PREFIX = "crowd-"


def crowd_members(console: Console) -> list[Member]:
    """The crowd of the console's server so far, crowd-1 first."""
    members = [m for m in console.guild.members.values() if m.user.name.startswith(PREFIX)]
    return sorted(members, key=lambda m: int(m.user.name.removeprefix(PREFIX)))


def _gather(console: Console, count: int) -> list[Member]:
    members = crowd_members(console)
    locale = console.locale or console.member.locale
    for n in range(len(members) + 1, count + 1):
        members.append(console.emu.create_member(console.guild, f"{PREFIX}{n}", locale=locale))
    return members[:count]


async def crowd(console: Console, argument: str) -> None:
    lang = console.lang
    count_text, _, command = argument.strip().partition(" ")
    if not count_text:
        console.say(report(console))
        return
    command = command.strip()
    if not count_text.isdigit() or not 1 <= int(count_text) <= MAX_CROWD or not command.startswith("/"):
        console.say("? " + t("console.crowd.usage", lang, max=MAX_CROWD))
        return
    # Read before anyone is made: a line the client would not send changes nothing (ParseError, UsageError).
    invocation = resolve(console.emu.commands, console.guild.id, parse_slash(command).words, lang)
    members = _gather(console, int(count_text))
    gate = asyncio.Semaphore(IN_FLIGHT)
    failures: list[str] = []

    async def run(member: Member) -> None:
        async with gate:
            try:
                await console.emu.slash(
                    member, console.channel, invocation.text, invocation.options, locale=console.locale
                )
            except (CommandError, AssertionError) as exc:  # refused by the emulator, or no answer in time
                failures.append(str(exc).splitlines()[0])

    await asyncio.gather(*(run(member) for member in members))
    first, last = members[0].user.name, members[-1].user.name
    answered = len(members) - len(failures)
    console.say(t("console.crowd.ran", lang, first=first, last=last, command="/" + invocation.text, answered=answered))
    if failures:
        console.say("! " + t("console.crowd.unanswered", lang, count=len(failures), reason=failures[0]))


def report(console: Console) -> str:
    members = crowd_members(console)
    if not members:
        return t("console.crowd.none", console.lang)
    received = [len(console.emu.dm_messages(member)) for member in members]
    return t(
        "console.crowd.report", console.lang, members=len(members), server=console.guild.name,
        once=received.count(1), more=sum(1 for n in received if n > 1), none=received.count(0),
    )  # fmt: skip
