"""`summit-bot try`: talk to the bot line by line, as one of a few personas, in a terminal or a pipe.

/about                      run a command (options as name:value, "double quotes" for spaces)
/eventadmin edit name:x     a subcommand
:click Next   or  [Next]    press a button of the last reply
:select id value ...        choose in a select menu of the last reply
:submit field:"value" ...   fill the form (modal) the bot opened
:complete /clause ref:ene   show the suggestions for the last option
:as moderator               switch persona        :locale fr   set the locale (:locale to reset)
:dm                         show my direct messages
:help                       this text             :quit        leave (end of input too)
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, TextIO

from .commands import CommandError
from .console_parse import DirectiveLine, EmptyLine, ParseError, SlashLine, parse_line, parse_slash
from .interactions import InteractionResult, buttons_of
from .models import Channel, Guild, Member, Message
from .render import Style, render_choices, render_message, render_result

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

HELP = __doc__.split("\n\n", 1)[1].rstrip() if __doc__ else ""


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
        self.style = Style(color)
        self.last: InteractionResult | None = None
        self.seen: set[int] = set()

    @property
    def member(self) -> Member:
        return self.personas[self.current]

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def banner(self) -> str:
        commands = ", ".join(f"/{name}" for name in self.emu.commands.names(self.guild.id)) or "(none yet)"
        return (
            f"Sandbox server {self.guild.name!r}, channel #{self.channel.name}. "
            f"You are {self.current!r} (locale {self.member.locale}).\n"
            f"Commands: {commands}. Type :help for help, :quit to leave."
        )

    async def handle(self, text: str) -> bool:
        """Runs one line; False when the console should end."""
        try:
            line = parse_line(text)
        except ParseError as exc:
            self.say(f"? {exc}")
            return True
        try:
            if isinstance(line, EmptyLine):
                return True
            if isinstance(line, SlashLine):
                await self._slash(line)
                return True
            return await self._directive(line)
        except CommandError as exc:
            self.say(f"? {exc}")
        except AssertionError as exc:
            self.say(f"! {exc}")
        return True

    async def _slash(self, line: SlashLine) -> None:
        first = line.path.split()[0] if line.path else ""
        if self.emu.commands.find(self.guild.id, first) is None:
            names = ", ".join(f"/{n}" for n in self.emu.commands.names(self.guild.id)) or "(none)"
            self.say(f"? unknown command /{first}. Registered commands: {names}")
            return
        result = await self.emu.slash(self.member, self.channel, line.path, line.options, locale=self.locale)
        self._show(result)

    async def _directive(self, line: DirectiveLine) -> bool:
        name, argument = line.name, line.argument
        if name in ("quit", "q", "exit"):
            return False
        if name in ("help", "h", "?"):
            self.say(HELP)
        elif name == "as":
            if argument not in self.personas:
                self.say(f"? personas: {', '.join(self.personas)}")
            else:
                self.current = argument
                self.say(f"You are now {argument!r} (locale {self.locale or self.member.locale}).")
        elif name == "locale":
            self.locale = argument or None
            self.say(f"Locale: {self.locale or self.member.locale}.")
        elif name == "click":
            await self._click(argument)
        elif name == "select":
            await self._select(argument)
        elif name == "submit":
            await self._submit(argument)
        elif name == "complete":
            slash = parse_slash(argument)
            choices = await self.emu.autocomplete(
                self.member, self.channel, slash.path, slash.options, locale=self.locale
            )
            self.say(render_choices(choices))
        elif name == "dm":
            messages = self.emu.dm_messages(self.member)
            self.say("\n\n".join(render_message(m, color=self.color) for m in messages) or "(no direct message)")
            self.seen.update(m.id for m in messages)
        else:
            self.say(f"? unknown directive :{name} (try :help)")
        return True

    async def _click(self, label: str) -> None:
        if self.last is None:
            self.say("? nothing to click yet: run a command first")
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
            self.say("? nothing to select in yet: run a command first")
            return
        if not argument:
            self.say("? usage: :select custom_id value [value ...]")
            return
        custom_id, *values = argument.split()
        result = await self.emu.select(self.member, self.last, custom_id=custom_id, values=values, locale=self.locale)
        self._show(result)

    async def _submit(self, argument: str) -> None:
        if self.last is None or self.last.modal is None:
            self.say("? no form is open")
            return
        fields = parse_slash("submit " + argument).options
        result = await self.emu.submit_modal(self.member, self.last, fields, locale=self.locale)
        self._show(result)

    def _show(self, result: InteractionResult) -> None:
        self.last = result
        self.say(render_result(result, color=self.color))
        self.seen.update(m.id for m in result.messages)
        self._show_other_messages()

    def _show_other_messages(self) -> None:
        """What else the bot posted meanwhile (in the channel or in my DMs)."""
        for where, messages in (
            (f"#{self.channel.name}", self.emu.channel_messages(self.channel)),
            ("DM", self.emu.dm_messages(self.member)),
        ):
            fresh = [m for m in messages if m.id not in self.seen]
            for message in fresh:
                self.say(self.style.dim(f"-- new in {where}:") + "\n" + render_message(message, color=self.color))
                self.seen.add(message.id)


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
) -> None:
    """Read lines until :quit or end of input; answers go to `stdout` as plain text."""
    console = Console(emu, guild, channel, personas, current=current, stdout=stdout, color=color)
    console.seen.update(m.id for m in emu.channel_messages(channel))
    interactive = stdin.isatty()
    console.say(console.banner())
    while True:
        if interactive:
            stdout.write(f"{console.current}> ")
            stdout.flush()
        text = await asyncio.to_thread(stdin.readline)
        if not text:  # end of input
            break
        if not await console.handle(text):
            break
