"""Messages as plain text for the console: content, embeds, files, buttons as `[Label]` rows."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from .interactions import InteractionResult, buttons_of
from .models import Message

BOLD, DIM, CYAN, YELLOW, RESET = "\x1b[1m", "\x1b[2m", "\x1b[36m", "\x1b[33m", "\x1b[0m"


TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")


def plain(text: str) -> str:
    """Discord markup a terminal cannot show: <t:1739260800:R> becomes a UTC date."""
    return TIMESTAMP.sub(_timestamp, text) if "<t:" in text else text


def _timestamp(match: re.Match[str]) -> str:
    moment = datetime.fromtimestamp(int(match.group(1)), UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


class Style:
    def __init__(self, color: bool) -> None:
        self.color = color

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


def render_message(message: Message | dict[str, Any], *, color: bool = False) -> str:
    style = Style(color)
    lines: list[str] = []
    if int(message.get("flags") or 0) & (1 << 6):
        lines.append(style.note("(only you can see this)"))
    if int(message.get("flags") or 0) & (1 << 7):
        lines.append(style.dim("(the bot is thinking...)"))
    if message.get("content"):
        lines.append(plain(message["content"]))
    for embed in message.get("embeds") or []:
        lines.extend(_render_embed(embed, style))
    for attachment in message.get("attachments") or []:
        size = attachment.get("size", 0)
        lines.append(f"[file] {attachment['filename']} ({attachment.get('content_type', '?')}, {size} bytes)")
    for row in _button_rows(message.get("components") or []):
        lines.append(" ".join(style.button(f"[{_button_text(b)}]") for b in row))
    return "\n".join(lines)


def _render_embed(embed: dict[str, Any], style: Style) -> list[str]:
    lines = [style.dim("|")]
    author = (embed.get("author") or {}).get("name")
    if author:
        lines.append(f"| {author}")
    if embed.get("title"):
        lines.append(f"| {style.bold(embed['title'])}")
    if embed.get("url"):
        lines.append(f"| {embed['url']}")
    for text_line in plain(embed.get("description") or "").splitlines():
        lines.append(f"| {text_line}")
    for field in embed.get("fields") or []:
        value_lines = plain(str(field.get("value", ""))).splitlines() or [""]
        lines.append(f"| {style.bold(str(field.get('name', '')))}: {value_lines[0]}")
        lines.extend(f"|   {more}" for more in value_lines[1:])
    footer = (embed.get("footer") or {}).get("text")
    if footer:
        lines.append(f"| {style.dim(plain(footer))}")
    return lines


def _button_rows(components: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    rows = []
    for component in components:
        buttons = buttons_of([component])
        if buttons:
            rows.append(buttons)
    return rows


def _button_text(button: dict[str, Any]) -> str:
    text = button.get("label") or (button.get("emoji") or {}).get("name") or button.get("custom_id") or "?"
    if button.get("url"):
        text += f" -> {button['url']}"
    if button.get("disabled"):
        text += " (disabled)"
    return text


def render_result(result: InteractionResult, *, color: bool = False) -> str:
    """A reply and its follow-ups; a modal as the fields to fill."""
    style = Style(color)
    if result.modal is not None:
        return _render_modal(result.modal, style)
    parts = [render_message(message, color=color) for message in result.messages]
    text = "\n\n".join(p for p in parts if p)
    return text or style.dim("(the bot answered without a visible message)")


def _render_modal(modal: dict[str, Any], style: Style) -> str:
    lines = [style.bold(f"Form: {modal.get('title', '')}")]
    for component in modal.get("components") or []:
        inner = component.get("component") or (component.get("components") or [{}])[0]
        label = component.get("label") or inner.get("label") or inner.get("custom_id")
        lines.append(f"  {inner.get('custom_id')}: {label}")
    lines.append(style.dim('Fill it with :submit field:"value" ...'))
    return "\n".join(lines)


def render_choices(choices: list[dict[str, Any]]) -> str:
    if not choices:
        return "(no suggestion)"
    return "\n".join(f"  {choice['name']}  ->  {choice['value']}" for choice in choices)
