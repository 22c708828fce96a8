"""Messages as a terminal shows them: content, embeds, files, buttons as `[Label]` rows.

Discord's markup is rendered too: `<t:…>` timestamps in the console's language and zone, mentions
as names (#annonces, @member), **bold**, *italic* and __underline__ as ANSI styles on a terminal,
their markers removed in plain text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, TextIO

from bot.i18n import t

from .console_time import TimestampRenderer
from .interactions import InteractionResult, buttons_of
from .models import Message

BOLD, DIM, CYAN, YELLOW, RESET = "\x1b[1m", "\x1b[2m", "\x1b[36m", "\x1b[33m", "\x1b[0m"
# Start and end of each inline style; each ends only itself, so styles nest.
_STYLES = {"bold": ("\x1b[1m", "\x1b[22m"), "italic": ("\x1b[3m", "\x1b[23m"), "underline": ("\x1b[4m", "\x1b[24m")}
_MARKUP = (
    ("bold", re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL)),
    ("underline", re.compile(r"__(?=\S)(.+?)(?<=\S)__", re.DOTALL)),
    ("italic", re.compile(r"\*(?=\S)(.+?)(?<=\S)\*", re.DOTALL)),
    ("italic", re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)", re.DOTALL)),
)
MENTION = re.compile(r"<(#|@!?|@&)(\d+)>")
# A backslash-escaped marker is shown as itself: hidden from the patterns above in a private-use character.
_ESCAPE = re.compile(r"\\([\\*_~`|>])")
_PRIVATE = 0xE000


def local_zone() -> tzinfo:
    return datetime.now().astimezone().tzinfo or UTC


def wants_color(stream: TextIO) -> bool:
    """ANSI styles on a terminal, unless NO_COLOR is set (https://no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


@dataclass
class Display:
    """How the console shows things: colours or plain text, in which language, zone and time."""

    color: bool = False
    lang: str = "en"
    zone: tzinfo = UTC
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # The name a mention shows ("#", "@" or "@&", and the id), as Discord's client shows it; None: unknown.
    names: Callable[[str, int], str | None] = field(default=lambda kind, id_: None)

    def _wrap(self, code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if self.color else text

    def bold(self, text: str) -> str:
        return self._wrap(BOLD, text)

    def dim(self, text: str) -> str:
        return self._wrap(DIM, text)

    def button(self, text: str) -> str:
        return self._wrap(CYAN, text)

    def note(self, text: str) -> str:
        return self._wrap(YELLOW, text)

    def markup(self, text: str) -> str:
        """Timestamps rendered, then bold/italic/underline styled (or their markers dropped)."""
        text = TimestampRenderer(self.lang, self.zone, self.now).render(text)
        if "<" in text:
            text = MENTION.sub(self._mention, text)
        escaped = _ESCAPE.sub(lambda m: chr(_PRIVATE + ord(m.group(1))), text)
        for style, pattern in _MARKUP:
            start, end = _STYLES[style] if self.color else ("", "")
            escaped = pattern.sub(lambda m, s=start, e=end: f"{s}{m.group(1)}{e}", escaped)
        return "".join(chr(ord(c) - _PRIVATE) if _PRIVATE <= ord(c) < _PRIVATE + 128 else c for c in escaped)

    def _mention(self, match: re.Match[str]) -> str:
        kind = "@" if match.group(1) == "@!" else match.group(1)
        name = self.names(kind, int(match.group(2)))
        return match.group(0) if name is None else f"{kind[0]}{name}"

    def moment(self, iso: str) -> str:
        """An ISO 8601 instant (an embed's timestamp) as Discord's short date and time."""
        try:
            unix = int(datetime.fromisoformat(iso).timestamp())
        except ValueError:
            return iso
        return TimestampRenderer(self.lang, self.zone, self.now).render(f"<t:{unix}:f>")


def render_message(message: Message | dict[str, Any], display: Display | None = None) -> str:
    show = display or Display()
    lines: list[str] = []
    if int(message.get("flags") or 0) & (1 << 6):
        lines.append(show.note(t("console.only_you", show.lang)))
    if int(message.get("flags") or 0) & (1 << 7):
        lines.append(show.dim(t("console.thinking", show.lang)))
    if message.get("content"):
        lines.append(show.markup(message["content"]))
    for embed in message.get("embeds") or []:
        lines.extend(_render_embed(embed, show))
    for attachment in message.get("attachments") or []:
        lines.append(
            t(
                "console.file",
                show.lang,
                name=attachment["filename"],
                kind=attachment.get("content_type", "?"),
                size=attachment.get("size", 0),
            )
        )
    for row in _button_rows(message.get("components") or []):
        lines.append(" ".join(show.button(f"[{_button_text(b, show.lang)}]") for b in row))
    return "\n".join(lines)


def _render_embed(embed: dict[str, Any], show: Display) -> list[str]:
    lines = [show.dim("|")]
    author = (embed.get("author") or {}).get("name")
    if author:
        lines.append(f"| {author}")
    if embed.get("title"):
        lines.append(f"| {show.bold(show.markup(embed['title']))}")
    if embed.get("url"):
        lines.append(f"| {embed['url']}")
    for text_line in show.markup(embed.get("description") or "").splitlines():
        lines.append(f"| {text_line}")
    for embed_field in embed.get("fields") or []:
        value_lines = show.markup(str(embed_field.get("value", ""))).splitlines() or [""]
        lines.append(f"| {show.bold(show.markup(str(embed_field.get('name', ''))))}: {value_lines[0]}")
        lines.extend(f"|   {more}" for more in value_lines[1:])
    footer = " · ".join(
        part
        for part in (
            show.markup((embed.get("footer") or {}).get("text") or ""),
            show.moment(embed["timestamp"]) if embed.get("timestamp") else "",
        )
        if part
    )
    if footer:
        lines.append(f"| {show.dim(footer)}")
    return lines


def _button_rows(components: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    rows = []
    for component in components:
        buttons = buttons_of([component])
        if buttons:
            rows.append(buttons)
    return rows


def _button_text(button: dict[str, Any], lang: str) -> str:
    text = button.get("label") or (button.get("emoji") or {}).get("name") or button.get("custom_id") or "?"
    if button.get("url"):
        text += f" -> {button['url']}"
    if button.get("disabled"):
        text += " " + t("console.disabled", lang)
    return text


def render_result(result: InteractionResult, display: Display | None = None) -> str:
    """A reply and its follow-ups; a modal as the fields to fill."""
    show = display or Display()
    if result.modal is not None:
        return _render_modal(result.modal, show)
    parts = [render_message(message, show) for message in result.messages]
    text = "\n\n".join(p for p in parts if p)
    return text or show.dim(t("console.no_visible_answer", show.lang))


def _render_modal(modal: dict[str, Any], show: Display) -> str:
    lines = [show.bold(t("console.form", show.lang, title=modal.get("title", "")))]
    for component in modal.get("components") or []:
        inner = component.get("component") or (component.get("components") or [{}])[0]
        label = component.get("label") or inner.get("label") or inner.get("custom_id")
        lines.append(f"  {inner.get('custom_id')}: {label}")
    lines.append(show.dim(t("console.form_hint", show.lang)))
    return "\n".join(lines)


def render_choices(choices: list[dict[str, Any]], lang: str = "en") -> str:
    if not choices:
        return t("console.no_suggestion", lang)
    return "\n".join(f"  {choice['name']}  ->  {choice['value']}" for choice in choices)
