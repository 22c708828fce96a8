"""A typed slash line read against the registered command tree, as Discord's client reads it.

Words that name a subcommand group or subcommand are the path; `name:value` fills that option;
every other word fills the next free option, required ones first (the order the client offers them).
A choice is matched by its name or value, in either language, ignoring case. What cannot be sent
is refused with the command's usage, in the console's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.i18n import t

from .commands import SUB_COMMAND, SUB_COMMAND_GROUP, CommandStore
from .console_parse import Word

_TYPE_KEYS = {3: "string", 4: "integer", 5: "boolean", 6: "user", 7: "channel", 8: "role", 9: "mentionable",
              10: "number", 11: "attachment"}  # fmt: skip
# `word:` in front of a value is taken for an option name only when it could be one: a clock time
# (09:00) or an address (https://…) is a value.
_LOOKS_LIKE_NAME = re.compile(r"[A-Za-z_][-\w]*")


class UsageError(Exception):
    """What the client would not send, explained (already translated), with the usage to show."""

    def __init__(self, reason: str, usage: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.usage = usage

    def __str__(self) -> str:
        return f"{self.reason}\n{self.usage}" if self.usage else self.reason


@dataclass
class Invocation:
    """A command ready for the emulator: its path by canonical names, and option values by name."""

    command: dict[str, Any]
    path: list[str]
    options: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return " ".join(self.path)


@dataclass
class Position:
    """Where a partial line stands in the tree (for completion): the level reached and what is filled."""

    command: dict[str, Any] | None
    level: dict[str, Any] | None
    path: list[str]
    named: dict[str, str]
    positional: list[str]


def label(item: dict[str, Any], lang: str) -> str:
    """A command's, option's or choice's name as a client in `lang` shows it."""
    return (item.get("name_localizations") or {}).get(lang) or item["name"]


def description(item: dict[str, Any], lang: str) -> str:
    return (item.get("description_localizations") or {}).get(lang) or item.get("description") or ""


def names_of(item: dict[str, Any]) -> list[str]:
    return [item["name"], *(item.get("name_localizations") or {}).values()]


def is_named(item: dict[str, Any], word: str) -> bool:
    folded = word.casefold()
    return any(name.casefold() == folded for name in names_of(item))


def subcommands(level: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in level.get("options") or [] if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)]


def value_options(level: dict[str, Any]) -> list[dict[str, Any]]:
    """The options values go to, in the order Discord's client offers them: required first."""
    options = [o for o in level.get("options") or [] if o.get("type") not in (SUB_COMMAND, SUB_COMMAND_GROUP)]
    return sorted(options, key=lambda o: not o.get("required"))


def find_command(store: CommandStore, guild_id: int | None, word: str) -> dict[str, Any] | None:
    return store.find(guild_id, word) or store.find(guild_id, word.casefold())


def walk(command: dict[str, Any], words: list[Word]) -> tuple[dict[str, Any], list[str], list[Word]]:
    """Follow the subcommand words from the command: (level reached, path, the words left)."""
    level, path, rest = command, [command["name"]], list(words)
    while rest and rest[0].name is None and subcommands(level):
        found = next((s for s in subcommands(level) if is_named(s, rest[0].text)), None)
        if found is None:
            break
        level, path = found, [*path, found["name"]]
        rest.pop(0)
    return level, path, rest


def resolve(store: CommandStore, guild_id: int | None, words: list[Word], lang: str) -> Invocation:
    command = find_command(store, guild_id, words[0].text) if words and words[0].name is None else None
    if command is None:
        typed = words[0].text if words else ""
        known = ", ".join(f"/{name}" for name in store.names(guild_id)) or "-"
        raise UsageError(t("console.usage.unknown_command", lang, command=f"/{typed}", commands=known), "")
    level, path, rest = walk(command, words[1:])
    where = "/" + " ".join(label_path(command, path, lang))
    if subcommands(level):
        if rest and rest[0].name is None:
            reason = t("console.usage.unknown_subcommand", lang, command=where, word=rest[0].text)
        else:
            reason = t("console.usage.pick_subcommand", lang, command=where)
        raise UsageError(reason, usage(command, path, level, lang))
    options = fill(level, rest, lang, lambda: usage(command, path, level, lang), where)
    return Invocation(command, path, options)


def fill(level: dict[str, Any], words: list[Word], lang: str, show_usage: Any, where: str) -> dict[str, str]:
    definitions = value_options(level)
    given: dict[str, str] = {}
    loose: list[str] = []
    for word in words:
        definition = next((d for d in definitions if is_named(d, word.name)), None) if word.name else None
        if definition is not None:
            given[definition["name"]] = choice_value(definition, word.value, lang, show_usage)
        elif word.name is not None and _LOOKS_LIKE_NAME.fullmatch(word.name) and not word.value.startswith("//"):
            raise UsageError(t("console.usage.unknown_option", lang, command=where, option=word.name), show_usage())
        else:
            loose.append(word.text)
    free = [d for d in definitions if d["name"] not in given]
    if len(loose) > len(free):
        extra = " ".join(loose[len(free) :])
        raise UsageError(t("console.usage.too_many", lang, command=where, words=extra), show_usage())
    for definition, value in zip(free, loose, strict=False):
        given[definition["name"]] = choice_value(definition, value, lang, show_usage)
    missing = [label(d, lang) for d in definitions if d.get("required") and d["name"] not in given]
    if missing:
        raise UsageError(t("console.usage.missing", lang, command=where, options=", ".join(missing)), show_usage())
    return given


def choice_value(definition: dict[str, Any], typed: str, lang: str, show_usage: Any) -> str:
    """The value of the choice `typed` names (by name or value, any language, any case); else `typed`."""
    choices = definition.get("choices")
    if not choices:
        return typed
    folded = typed.casefold()
    for choice in choices:
        if str(choice["value"]).casefold() == folded or any(n.casefold() == folded for n in names_of(choice)):
            return str(choice["value"])
    offered = ", ".join(f"{label(c, lang)} ({c['value']})" for c in choices)
    reason = t("console.usage.bad_choice", lang, option=label(definition, lang), value=typed, choices=offered)
    raise UsageError(reason, show_usage())


def position(store: CommandStore, guild_id: int | None, words: list[Word]) -> Position:
    """How far finished words reach in the tree; unknown command: an empty position."""
    command = find_command(store, guild_id, words[0].text) if words else None
    if command is None:
        return Position(None, None, [], {}, [])
    level, path, rest = walk(command, words[1:])
    named: dict[str, str] = {}
    positional: list[str] = []
    for word in rest:
        definition = next((d for d in value_options(level) if is_named(d, word.name)), None) if word.name else None
        if definition is not None:
            named[definition["name"]] = word.value
        else:
            positional.append(word.text)
    return Position(command, level, path, named, positional)


def focus(where: Position, word: Word) -> tuple[dict[str, Any] | None, str]:
    """The option a word being typed fills (by its `name:` or as the next free one), and what is typed."""
    options = value_options(where.level or {})
    named = next((o for o in options if word.name and is_named(o, word.name)), None)
    if named is not None:
        return named, word.value
    free = [o for o in options if o["name"] not in where.named][len(where.positional) :]
    return (free[0] if free else None), word.text


def autocomplete_options(where: Position, focused: dict[str, Any], typed: str) -> dict[str, str]:
    """What an autocomplete interaction carries: the values given so far, the focused one last."""
    free = [o for o in value_options(where.level or {}) if o["name"] not in where.named]
    given = {**where.named, **{o["name"]: v for o, v in zip(free, where.positional, strict=False)}}
    given.pop(focused["name"], None)
    return {**given, focused["name"]: typed}


def label_path(command: dict[str, Any], path: list[str], lang: str) -> list[str]:
    labels, level = [label(command, lang)], command
    for name in path[1:]:
        level = next(s for s in subcommands(level) if s["name"] == name)
        labels.append(label(level, lang))
    return labels


def usage(command: dict[str, Any], path: list[str], level: dict[str, Any], lang: str) -> str:
    """`/clause ref:<text>  — Read a clause…`, one line per subcommand under a group, options listed."""
    lines = [t("console.usage.heading", lang)]
    prefix = "/" + " ".join(label_path(command, path, lang))
    for leaf_path, leaf in _leaves(level, []):
        head = " ".join([prefix, *(label(s, lang) for s in leaf_path)])
        slots = " ".join(_slot(o, lang) for o in value_options(leaf))
        lines.append(f"  {head} {slots}".rstrip() + f"  — {description(leaf, lang)}")
    return "\n".join(lines)


def _leaves(level: dict[str, Any], trail: list[dict[str, Any]]) -> list[tuple[list[dict[str, Any]], dict[str, Any]]]:
    if not subcommands(level):
        return [(trail, level)]
    found = []
    for sub in subcommands(level):
        found.extend(_leaves(sub, [*trail, sub]))
    return found


def _slot(option: dict[str, Any], lang: str) -> str:
    if option.get("choices"):
        kind = "|".join(str(c["value"]) for c in option["choices"])
    else:
        kind = t(f"console.type.{_TYPE_KEYS.get(option['type'], 'string')}", lang)
    slot = f"{label(option, lang)}:<{kind}>"
    return slot if option.get("required") else f"[{slot}]"
