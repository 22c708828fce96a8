"""REST plumbing: the request record, the handler registry, and reading JSON or multipart bodies.

Handlers are plain functions registered with `@handles("METHOD", "/template")` where the template
is spelled exactly as in Discord's spec list (so the spec trie's match finds the handler directly).
They take a Call and return (status, body); body None means 204 No Content.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

import aiohttp
from aiohttp import web

from . import errors

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

Reply = tuple[int, Any]
Handler = Callable[["Call"], Reply]

HANDLERS: dict[str, Handler] = {}

# Routes that carry their own token in the path instead of an Authorization header.
TOKEN_IN_PATH_PREFIXES = ("/interactions/{interaction_id}/", "/webhooks/{webhook_id}/{webhook_token}")
INTERACTION_CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"


def handles(method: str, template: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[f"{method} {template}"] = handler
        return handler

    return register


@dataclass
class Upload:
    """One file part of a multipart request (files[n])."""

    field: str
    filename: str
    content_type: str
    data: bytes

    @property
    def index(self) -> int | None:
        # "files[3]" -> 3; discord.py numbers them in the order of payload["attachments"].
        if self.field.startswith("files[") and self.field.endswith("]"):
            try:
                return int(self.field[6:-1])
            except ValueError:
                return None
        return None


@dataclass
class RequestRecord:
    """One REST request as the bot sent it, for tests to inspect (emu.requests)."""

    method: str
    path: str
    query: dict[str, str]
    time: datetime
    template: str | None = None
    json: Any = None
    files: list[Upload] = field(default_factory=list)
    status: int = 0
    error_code: int | None = None
    error: Any = None  # the error body, when the answer was not 2xx

    @property
    def route(self) -> str | None:
        return f"{self.method} {self.template}" if self.template else None

    def __repr__(self) -> str:
        return f"<{self.describe()}>"

    def describe(self) -> str:
        text = f"{self.method} {self.path} -> {self.status}"
        if self.error is not None:
            text += f" {json.dumps(self.error, ensure_ascii=False)}"
        return text


@dataclass
class Call:
    emu: DiscordEmulator
    method: str
    template: str
    params: dict[str, str]
    query: Mapping[str, str]
    body: Any
    files: list[Upload]
    record: RequestRecord

    def json_object(self) -> dict[str, Any]:
        if self.body is None:
            return {}
        if not isinstance(self.body, dict):
            raise errors.invalid_form_body(
                errors.field_error("DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            )
        return self.body

    def flag(self, name: str) -> bool:
        """A boolean query parameter as Discord reads them (true/1)."""
        return self.query.get(name, "").lower() in ("1", "true")


class Body(NamedTuple):
    """A request body as read: the JSON (or multipart payload_json), the files, and the JSON's own bytes."""

    json: Any
    files: list[Upload]
    raw: bytes | None  # the JSON's bytes, which key the cache of bodies already checked against the spec
    multipart: bool


async def read_body(request: web.Request) -> Body:
    """JSON body, or multipart with payload_json + files[n]; Body(None, [], None, False) when there is none."""
    if not request.body_exists:
        return Body(None, [], None, False)
    content_type = request.content_type
    if content_type.startswith("multipart/"):
        return await _read_multipart(request)
    raw = await request.read()
    if not raw:
        return Body(None, [], None, False)
    try:
        return Body(json.loads(raw), [], raw, False)
    except ValueError:
        raise errors.invalid_json() from None


async def _read_multipart(request: web.Request) -> Body:
    body: Any = None
    raw: bytes | None = None
    uploads: list[Upload] = []
    reader = await request.multipart()
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, aiohttp.BodyPartReader):  # nested multipart: Discord ignores it
            continue
        data = await part.read(decode=False)
        if part.name == "payload_json":
            raw = bytes(data)
            try:
                body = json.loads(raw)
            except ValueError:
                raise errors.invalid_json() from None
        elif part.filename is not None:
            part_type = part.headers.get("Content-Type", "application/octet-stream")
            uploads.append(Upload(part.name or "", part.filename, part_type, bytes(data)))
    return Body(body, uploads, raw, True)
