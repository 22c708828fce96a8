"""Reading console lines: `/clause 4`, `/eventadmin edit geneva-2027 name:"two words"`, `:as moderator`, `[Next]`.

A slash line is only split into words here; which words are the command path, which are option
names and which are values is decided against the registered command tree (console_commands).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# What Discord allows in an option name; `name:` in front of a word names the option it fills.
_OPTION_NAME = re.compile(r"[-_\w]{1,32}")


class ParseError(ValueError):
    """`key` names the explanation in the console's catalogue (console.parse.<key>)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Word:
    """One word of a slash line, quotes removed. `name` is set when it began with an unquoted `name:`."""

    text: str
    name: str | None = None
    value: str = ""
    start: int = 0  # where the word starts in the line (for completion)

    @staticmethod
    def plain(text: str, start: int = 0) -> Word:
        return Word(text, None, text, start)


@dataclass
class SlashLine:
    """`/remind subscribe geneva-2027 lead:1d` -> its words (the leading / removed)."""

    words: list[Word] = field(default_factory=list)


@dataclass
class DirectiveLine:
    """`:click Next` -> name "click", argument "Next"; `[Next]` is read as `:click Next`."""

    name: str
    argument: str = ""


@dataclass
class EmptyLine:
    pass


Line = SlashLine | DirectiveLine | EmptyLine


def tokenize(text: str, *, partial: bool = False) -> list[Word]:
    """Whitespace-separated words; double quotes group (and are removed); apostrophes are plain text.

    `partial` accepts an unclosed quote (a line still being typed, for completion).
    """
    words: list[Word] = []
    chars: list[str] = []
    quoted = False
    start: int | None = None
    name: str | None = None
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
            start = index if start is None else start
        elif char.isspace() and not quoted:
            if start is not None:
                words.append(_word(chars, name, start))
                chars, start, name = [], None, None
        else:
            start = index if start is None else start
            if char == ":" and not quoted and name is None and not _has_quote(text, start, index):
                candidate = "".join(chars)
                if _OPTION_NAME.fullmatch(candidate):
                    name = candidate
            chars.append(char)
    if quoted and not partial:
        raise ParseError("unclosed_quote")
    if start is not None:
        words.append(_word(chars, name, start))
    return words


def _has_quote(text: str, start: int, end: int) -> bool:
    return '"' in text[start:end]


def _word(chars: list[str], name: str | None, start: int) -> Word:
    text = "".join(chars)
    if name is None:
        return Word.plain(text, start)
    return Word(text, name, text[len(name) + 1 :], start)


def parse_slash(text: str) -> SlashLine:
    stripped = text.strip()
    if not stripped.removeprefix("/").strip():
        raise ParseError("no_command")
    return SlashLine(tokenize(stripped.removeprefix("/")))


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
            raise ParseError("no_directive")
        return DirectiveLine(name.lower(), argument.strip())
    raise ParseError("not_a_command")
