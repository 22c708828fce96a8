"""`summit-bot try`: talk to the bot line by line, as one of a few personas, in a terminal or a pipe.

Lines are read as Discord's client reads what is typed (console_commands); on a terminal the prompt
completes and recalls lines (console_prompt). What the bot posts elsewhere is printed as it arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING, TextIO

from bot.i18n import language_for, t

from .commands import CommandError
from .console_arrivals import Arrival, Arrivals
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


@dataclass(frozen=True)
class Directive:
    """A directive a caller adds to the console (`summit-bot emulator` adds :crowd): its :help line, what it does."""

    example: str
    help_key: str  # console.help.<key>
    run: Callable[[Console, str], Awaitable[None]]


def help_text(lang: str, extra: Iterable[Directive] = ()) -> str:
    lines = [*HELP[:-2], *((d.example, d.help_key) for d in extra), *HELP[-2:]]  # :help and :quit stay last
    width = max(len(example) for example, _ in lines) + 2
    return "\n".join(f"{example:<{width}}{t(f'console.help.{key}', lang)}" for example, key in lines)


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
        directives: Mapping[str, Directive] | None = None,
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
        self.busy = False  # while a command runs, arrivals wait to be printed after its answer
        self.arrivals = Arrivals(emu, guild, personas)
        self.directives = dict(directives or {})

    @property
    def member(self) -> Member:
        return self.personas[self.current]

    @property
    def lang(self) -> str:
        return language_for(self.locale or self.member.locale)

    @property
    def display(self) -> Display:
        return Display(color=self.color, lang=self.lang, zone=self.zone, now=self.emu.world.now, names=self._name)

    def _name(self, kind: str, id_: int) -> str | None:
        """What a mention shows: a channel's, a member's or a role's name."""
        world = self.emu.world
        if kind == "#":
            channel = world.channels.get(id_)
            return channel.name if channel is not None else None
        if kind == "@&":
            role = self.guild.roles.get(id_)
            return role.name if role is not None else None
        user = world.users.get(id_)
        return (user.global_name or user.name) if user is not None else None

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
            self.say(help_text(self.lang, self.directives.values()))
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
            self.arrivals.shown(messages)
        elif name in self.directives:
            await self.directives[name].run(self, argument)
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
        self.arrivals.shown(result.messages)

    # -- what arrives without being asked for --------------------------------------------------

    def show_arrivals(self) -> None:
        """Print each message posted or edited since the last look, marked with where it came from."""
        for arrival in self.arrivals.take():
            heading = self.display.dim(self._origin(arrival))
            self.say(heading + "\n" + render_message(arrival.message, self.display))

    def _origin(self, arrival: Arrival) -> str:
        if arrival.recipient is None:
            key = "console.edited_in" if arrival.edited else "console.new_in"
            return t(key, self.lang, channel=arrival.channel.name)
        if arrival.recipient is self.member:
            where = t("console.dm_from", self.lang, bot=self.emu.world.bot.name)
        else:
            persona = next(name for name, m in self.personas.items() if m is arrival.recipient)
            where = t("console.dm_from_to", self.lang, bot=self.emu.world.bot.name, persona=persona)
        return f"{where} {t('console.edited', self.lang)}" if arrival.edited else where

    async def watch_arrivals(self) -> None:
        """Print arrivals as they come: woken by the emulator whenever the bot posts or edits, no polling."""
        while True:
            await self.emu.messages_signal.wait_for(lambda: (not self.busy and self.arrivals.pending()) or None, None)
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
    directives: Mapping[str, Directive] | None = None,
) -> None:
    """Read lines until :quit or end of input. With `prompt` (a terminal), it reads them instead."""
    console = Console(
        emu, guild, channel, personas, current=current, stdout=stdout, color=color, zone=zone, directives=directives
    )
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
