"""Reading console lines: `/clause ref:4`, `/eventadmin edit name:"two words"`, `:as moderator`, `[Next]`."""

from __future__ import annotations

from dataclasses import dataclass, field


class ParseError(ValueError):
    pass


@dataclass
class SlashLine:
    """`/eventadmin edit name:x` -> path "eventadmin edit", options {"name": "x"}."""

    path: str
    options: dict[str, str] = field(default_factory=dict)


@dataclass
class DirectiveLine:
    """`:click Next` -> name "click", argument "Next"; `[Next]` is read as `:click Next`."""

    name: str
    argument: str = ""


@dataclass
class EmptyLine:
    pass


Line = SlashLine | DirectiveLine | EmptyLine


def tokenize(text: str) -> list[str]:
    """Whitespace-separated tokens; double quotes group (and are removed). Apostrophes are plain text."""
    tokens: list[str] = []
    current: list[str] = []
    quoted = False
    started = False
    for char in text:
        if char == '"':
            quoted = not quoted
            started = True
        elif char.isspace() and not quoted:
            if started:
                tokens.append("".join(current))
                current, started = [], False
        else:
            current.append(char)
            started = True
    if quoted:
        raise ParseError("unclosed double quote")
    if started:
        tokens.append("".join(current))
    return tokens


def parse_slash(text: str) -> SlashLine:
    tokens = tokenize(text.strip().removeprefix("/"))
    if not tokens:
        raise ParseError("a command name is needed after /")
    path: list[str] = []
    options: dict[str, str] = {}
    for token in tokens:
        name, colon, value = token.partition(":")
        if colon and name:
            options[name] = value
        elif options:
            raise ParseError(f"{token!r}: after the first option, every word must be name:value")
        else:
            path.append(token)
    return SlashLine(" ".join(path), options)


def parse_line(text: str) -> Line:
    line = text.strip()
    if not line:
        return EmptyLine()
    if line.startswith("/"):
        return parse_slash(line)
    if line.startswith("[") and line.endswith("]"):
        return DirectiveLine("click", line[1:-1].strip())
    if line.startswith(":"):
        name, _, argument = line[1:].partition(" ")
        if not name:
            raise ParseError("a directive name is needed after ':' (try :help)")
        return DirectiveLine(name.lower(), argument.strip())
    raise ParseError("start with / for a command or : for a console directive (try :help)")
