"""`summit-bot try`: talk to the bot line by line, as one of a few personas, in a terminal or a pipe.

Lines are read as Discord's client reads what is typed (console_commands); on a terminal the prompt
completes and recalls lines (console_prompt). What the bot posts elsewhere is printed as it arrives.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
from collections.abc import Awaitable, Callable
from datetime import tzinfo
from typing import TYPE_CHECKING, TextIO

from bot.i18n import language_for, t

from .commands import CommandError
from .console_commands import UsageError, autocomplete_options, focus, position, resolve
from .console_complete import Asker
from .console_parse import DirectiveLine, EmptyLine, ParseError, SlashLine, parse_line, parse_slash
from .interactions import InteractionResult, buttons_of
from .models import Channel, Guild, Member, Message
from .render import Display, local_zone, render_choices, render_message, render_result

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

# :help, one example per line with what it does (console.help.<key>); the examples are typed as is.
HELP = (
    ("/clause 4", "positional"),
    ('/signatory "South Korea"', "quoted"),
    ("/events past", "choice"),
    ("/remind subscribe geneva-2027 1d", "subcommand"),
    ("/eventadmin edit geneva-2027 venue:Palexpo", "named"),
    ("/clause", "usage"),
    ("Tab", "tab"),
    (":click Next   [Next]", "click"),
    (":select id value ...", "select"),
    (':submit field:"value" ...', "submit"),
    (":complete /clause ene", "complete"),
    (":as moderator", "as"),
    (":locale fr", "locale"),
    (":dm", "dm"),
    (":help", "help"),
    (":quit", "quit"),
)


def help_text(lang: str) -> str:
    width = max(len(example) for example, _ in HELP) + 2
    return "\n".join(f"{example:<{width}}{t(f'console.help.{key}', lang)}" for example, key in HELP)


class Console:
    def __init__(
        self,
        emu: DiscordEmulator,
        guild: Guild,
        channel: Channel,
        personas: dict[str, Member],
        *,
        current: str,
        stdout: TextIO,
        color: bool,
        zone: tzinfo | None = None,
    ) -> None:
        if current not in personas:
            raise ValueError(f"unknown persona {current!r}; personas: {', '.join(personas)}")
        self.emu = emu
        self.guild = guild
        self.channel = channel
        self.personas = personas
        self.current = current
        self.locale: str | None = None
        self.out = stdout
        self.color = color
        self.zone = zone or local_zone()
        self.last: InteractionResult | None = None
        self.seen: set[int] = set()  # messages already printed as part of an answer
        self.busy = False  # while a command runs, arrivals wait to be printed after its answer
        self._cursors: dict[int, int] = {}  # channel id -> the last message id looked at
        self.skip_arrivals()

    @property
    def member(self) -> Member:
        return self.personas[self.current]

    @property
    def lang(self) -> str:
        return language_for(self.locale or self.member.locale)

    @property
    def display(self) -> Display:
        return Display(color=self.color, lang=self.lang, zone=self.zone, now=self.emu.world.now)

    def asker(self) -> Asker:
        return Asker(self.emu, self.member, self.channel, self.locale, self.lang)

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def banner(self) -> str:
        commands = ", ".join(f"/{name}" for name in self.emu.commands.names(self.guild.id)) or "-"
        return t(
            "console.banner",
            self.lang,
            server=self.guild.name,
            channel=self.channel.name,
            persona=self.current,
            locale=self.locale or self.member.locale,
            commands=commands,
        )

    async def handle(self, text: str) -> bool:
        """Runs one line; False when the console should end."""
        self.busy = True
        try:
            line = parse_line(text)
            if isinstance(line, EmptyLine):
                return True
            if isinstance(line, SlashLine):
                await self._slash(line)
                return True
            return await self._directive(line)
        except ParseError as exc:  # the line itself, or the command line given to :complete / :submit
            self.say(f"? {t(f'console.parse.{exc.key}', self.lang)}")
        except UsageError as exc:
            self.say(f"? {exc}")
        except (CommandError, AssertionError) as exc:  # what the emulator refused, or a bot that did not answer
            self.say(f"! {exc}")
        finally:
            self.busy = False
            self.show_arrivals()
        return True

    async def _slash(self, line: SlashLine) -> None:
        invocation = resolve(self.emu.commands, self.guild.id, line.words, self.lang)
        result = await self.emu.slash(
            self.member, self.channel, invocation.text, invocation.options, locale=self.locale
        )
        self._show(result)

    async def _directive(self, line: DirectiveLine) -> bool:
        name, argument = line.name, line.argument
        if name in ("quit", "q", "exit"):
            return False
        if name in ("help", "h", "?"):
            self.say(help_text(self.lang))
        elif name == "as":
            if argument not in self.personas:
                self.say("? " + t("console.personas", self.lang, personas=", ".join(self.personas)))
            else:
                self.current = argument
                locale = self.locale or self.member.locale
                self.say(t("console.you_are", self.lang, persona=argument, locale=locale))
        elif name == "locale":
            self.locale = argument or None
            self.say(t("console.locale", self.lang, locale=self.locale or self.member.locale))
        elif name == "click":
            await self._click(argument)
        elif name == "select":
            await self._select(argument)
        elif name == "submit":
            await self._submit(argument)
        elif name == "complete":
            await self._complete(argument)
        elif name == "dm":
            messages = self.emu.dm_messages(self.member)
            shown = "\n\n".join(render_message(m, self.display) for m in messages)
            self.say(shown or t("console.no_dm", self.lang))
            self.seen.update(m.id for m in messages)
        else:
            self.say("? " + t("console.unknown_directive", self.lang, name=name))
        return True

    async def _complete(self, argument: str) -> None:
        words = parse_slash(argument).words if argument.strip().removeprefix("/") else []
        where = position(self.emu.commands, self.guild.id, words[:-1])
        if len(words) >= 2 and where.level is None:
            resolve(self.emu.commands, self.guild.id, words[:-1], self.lang)  # says the command is unknown
        focused, typed = focus(where, words[-1]) if len(words) >= 2 else (None, "")
        if focused is None:
            self.say("? " + t("console.complete_usage", self.lang))
            return
        choices = await self.emu.autocomplete(
            self.member,
            self.channel,
            " ".join(where.path),
            autocomplete_options(where, focused, typed),
            focused=focused["name"],
            locale=self.locale,
        )
        self.say(render_choices(choices, self.lang))

    async def _click(self, label: str) -> None:
        if self.last is None:
            self.say("? " + t("console.nothing_to_click", self.lang))
            return
        buttons = [b for m in self.last.messages for b in _buttons(m)]
        by_label = any(b["label"] == label for b in buttons)
        if by_label:
            result = await self.emu.click(self.member, self.last, label=label, locale=self.locale)
        else:
            result = await self.emu.click(self.member, self.last, custom_id=label, locale=self.locale)
        self._show(result)

    async def _select(self, argument: str) -> None:
        if self.last is None:
            self.say("? " + t("console.nothing_to_select", self.lang))
            return
        if not argument:
            self.say("? " + t("console.select_usage", self.lang))
            return
        custom_id, *values = argument.split()
        result = await self.emu.select(self.member, self.last, custom_id=custom_id, values=values, locale=self.locale)
        self._show(result)

    async def _submit(self, argument: str) -> None:
        if self.last is None or self.last.modal is None:
            self.say("? " + t("console.no_form", self.lang))
            return
        fields = {w.name or w.text: w.value for w in parse_slash("submit " + argument).words[1:]}
        result = await self.emu.submit_modal(self.member, self.last, fields, locale=self.locale)
        self._show(result)

    def _show(self, result: InteractionResult) -> None:
        self.last = result
        self.say(render_result(result, self.display))
        self.seen.update(m.id for m in result.messages)

    # -- what arrives without being asked for --------------------------------------------------

    def _watched(self) -> list[tuple[Channel, Member | None]]:
        """The server's text channels, and each persona's DMs with the bot (once they exist)."""
        watched: list[tuple[Channel, Member | None]] = [(c, None) for c in self.guild.channels.values()]
        for member in self.personas.values():
            dm = self.emu.world.dm_by_user.get(member.user.id)
            if dm is not None:
                watched.append((dm, member))
        return watched

    def skip_arrivals(self) -> None:
        """What is already there is history, not news."""
        for channel, _ in self._watched():
            self._cursors[channel.id] = channel.message_ids[-1] if channel.message_ids else 0

    def _fresh(self) -> list[tuple[Channel, Member | None, Message]]:
        fresh = []
        for channel, member in self._watched():
            after = self._cursors.get(channel.id, 0)
            for message_id in channel.message_ids[bisect.bisect_right(channel.message_ids, after) :]:
                message = self.emu.world.messages.get(message_id)
                if message is not None and message_id not in self.seen:
                    fresh.append((channel, member, message))
        return sorted(fresh, key=lambda item: item[2].id)

    def show_arrivals(self) -> None:
        """Print each message posted since the last look (a DM, a post in a channel), marked with where."""
        for channel, member, message in self._fresh():
            self._cursors[channel.id] = max(self._cursors.get(channel.id, 0), message.id)
            self.seen.add(message.id)
            self.say(self.display.dim(self._origin(channel, member)) + "\n" + render_message(message, self.display))

    def _origin(self, channel: Channel, member: Member | None) -> str:
        if member is None:
            return t("console.new_in", self.lang, channel=channel.name)
        bot = self.emu.world.bot.name
        if member is self.member:
            return t("console.dm_from", self.lang, bot=bot)
        persona = next(name for name, m in self.personas.items() if m is member)
        return t("console.dm_from_to", self.lang, bot=bot, persona=persona)

    async def watch_arrivals(self) -> None:
        """Print arrivals as they come: woken by the emulator whenever the bot posts, no polling."""
        while True:
            await self.emu.messages_signal.wait_for(lambda: (not self.busy and self._fresh()) or None, None)
            self.show_arrivals()


def _buttons(message: Message) -> list[dict[str, object]]:
    return buttons_of(message.get("components") or [])


async def run_console(
    emu: DiscordEmulator,
    guild: Guild,
    channel: Channel,
    personas: dict[str, Member],
    *,
    current: str,
    stdin: TextIO,
    stdout: TextIO,
    color: bool,
    zone: tzinfo | None = None,
    prompt: Callable[[Console], Awaitable[None]] | None = None,
) -> None:
    """Read lines until :quit or end of input. With `prompt` (a terminal), it reads them instead."""
    console = Console(emu, guild, channel, personas, current=current, stdout=stdout, color=color, zone=zone)
    console.say(console.banner())
    watcher = asyncio.create_task(console.watch_arrivals(), name="console-arrivals")
    try:
        if prompt is not None:
            await prompt(console)
            return
        while True:
            text = await asyncio.to_thread(stdin.readline)
            if not text:  # end of input
                break
            if not await console.handle(text):
                break
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
