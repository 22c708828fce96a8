"""What Tab offers on a partial slash line: command names, subcommands, option names, and values.

Values come from an option's choices, or from the bot itself for an option with autocomplete (the
same AUTOCOMPLETE interaction `:complete` sends), with what has been typed so far.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .commands import CommandError
from .console_commands import (
    Position,
    autocomplete_options,
    description,
    focus,
    is_named,
    label,
    names_of,
    position,
    subcommands,
    value_options,
)
from .console_parse import Word, tokenize

if TYPE_CHECKING:
    from .emulator import DiscordEmulator
    from .models import Channel, Member


@dataclass(frozen=True)
class Suggestion:
    """Replace the `replace` characters before the cursor with `text`; `shown` is the menu entry."""

    text: str
    replace: int
    shown: str
    meta: str = ""


@dataclass
class Asker:
    """Who is typing, where: autocomplete interactions are sent as them."""

    emu: DiscordEmulator
    member: Member
    channel: Channel
    locale: str | None
    lang: str


async def suggest(asker: Asker, line: str) -> list[Suggestion]:
    if not line.startswith("/"):
        return []
    body = line[1:]
    words = tokenize(body, partial=True)
    finished = not words or (body[-1:].isspace() and body.count('"') % 2 == 0)
    current = Word.plain("", len(body)) if finished else words.pop()
    typed = body[current.start :]
    guild_id = asker.channel.guild_id
    store = asker.emu.commands
    if not words:  # the command name itself
        return [
            Suggestion(f"/{name} ", len(typed) + 1, f"/{name}")
            for name in store.names(guild_id)
            if name.startswith(current.text.casefold())
        ]
    where = position(store, guild_id, words)
    if where.level is None:
        return []
    subs = subcommands(where.level)
    if subs:
        if current.name is not None:
            return []
        return [
            Suggestion(f"{label(s, asker.lang)} ", len(typed), label(s, asker.lang), description(s, asker.lang))
            for s in subs
            if any(n.casefold().startswith(current.text.casefold()) for n in names_of(s))
        ]
    focused, partial = focus(where, current)
    by_name = focused is not None and current.name is not None and is_named(focused, current.name)
    prefix = current.text[: len(current.name or "") + 1] if by_name else ""
    values = await _values(asker, where, focused, partial, typed, prefix) if focused is not None else []
    if by_name:
        return values
    free = [o for o in value_options(where.level) if o["name"] not in where.named][len(where.positional) :]
    names = [
        Suggestion(f"{label(o, asker.lang)}:", len(typed), f"{label(o, asker.lang)}:", description(o, asker.lang))
        for o in free
        if label(o, asker.lang).casefold().startswith(current.text.casefold())
    ]
    return values + names


async def _values(asker: Asker, where: Position, option: dict[str, Any], partial: str, typed: str,
                  prefix: str) -> list[Suggestion]:  # fmt: skip
    if option.get("choices"):
        found = [
            (label(c, asker.lang), str(c["value"]))
            for c in option["choices"]
            if any(n.casefold().startswith(partial.casefold()) for n in [*names_of(c), str(c["value"])])
        ]
    elif option.get("autocomplete"):
        found = await _ask_bot(asker, where, option, partial)
    else:
        return []
    return [Suggestion(prefix + _quoted(value) + " ", len(typed), name, value) for name, value in found]


async def _ask_bot(asker: Asker, where: Position, option: dict[str, Any], typed: str) -> list[tuple[str, str]]:
    try:
        choices = await asker.emu.autocomplete(
            asker.member,
            asker.channel,
            " ".join(where.path),
            autocomplete_options(where, option, typed),
            focused=option["name"],
            locale=asker.locale,
            timeout=3.0,
        )
    except (CommandError, AssertionError):
        return []  # a value the client could not send yet (e.g. not a number): nothing to offer
    return [(str(c["name"]), str(c["value"])) for c in choices]


def _quoted(value: str) -> str:
    return f'"{value}"' if any(c.isspace() for c in value) or not value else value
