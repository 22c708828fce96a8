"""The aiohttp server: REST under /api/v10, the gateway websocket, and uploaded files.

Every REST request goes through one pipeline: log it, match it against Discord's documented
routes and its body against their request schema (spec violations are recorded and answered
404/405/400), check the token, apply the global and per-route rate limits, run the handler, and
answer with Discord's headers and JSON shapes.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import errors, rest_commands, rest_events, rest_guilds, rest_interactions, rest_messages, rest_users  # noqa: F401 (register handlers)
from .errors import DiscordError
from .ratelimit import RateLimited
from .rest import HANDLERS, INTERACTION_CALLBACK, TOKEN_IN_PATH_PREFIXES, Call, RequestRecord, read_body

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
GATEWAY_PATH = "/gateway"
MAX_REQUEST_BYTES = 64 * 1024 * 1024  # above Discord's upload limits, so those are answered as Discord does


def _json_response(status: int, body: Any, headers: dict[str, str]) -> web.Response:
    if body is None:
        return web.Response(status=status, headers=headers)
    # discord.py only parses JSON when Content-Type is exactly "application/json" (no charset).
    headers["Content-Type"] = "application/json"
    return web.Response(
        status=status, body=json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode(), headers=headers
    )


class Server:
    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu
        self._runner: web.AppRunner | None = None
        self.port = 0
        missing = [key for key in HANDLERS if tuple(key.split(" ", 1)) not in emu.spec.templates]
        if missing:  # every handler must serve a documented operation
            raise RuntimeError(f"handlers for routes missing from the spec list: {missing}")

    async def start(self, host: str, port: int = 0) -> int:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_route("GET", GATEWAY_PATH, self.emu.gateway.handle)
        app.router.add_route("GET", "/attachments/{channel_id}/{attachment_id}/{filename}", self._attachment)
        app.router.add_route("*", "/{tail:.*}", self._api)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self.port

    async def stop(self) -> None:
        await self.emu.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _attachment(self, request: web.Request) -> web.StreamResponse:
        """Files as Discord's CDN would serve them, so discord.py's Attachment.read() works."""
        attachment_id = request.match_info["attachment_id"]
        attachment = self.emu.attachments.get(int(attachment_id)) if attachment_id.isdigit() else None
        if attachment is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=attachment.data, headers={"Content-Type": attachment.content_type})

    async def _api(self, request: web.Request) -> web.StreamResponse:
        emu = self.emu
        method = request.method
        path = request.path
        relative = path[len(API_PREFIX) :] if path.startswith(API_PREFIX + "/") else None
        record = RequestRecord(method=method, path=path, query=dict(request.query), time=emu.world.now())
        emu.requests.append(record)
        emu.stats.requests += 1
        headers = {"Via": "1.1 google"}  # discord.py treats a 429 without Via as a Cloudflare ban
        try:
            status, body = await self._process(request, relative, record, headers)
        except RateLimited as limited:
            emu.stats.rate_limited += 1
            status, body = 429, limited.body()
            headers.update(limited.headers())
        except DiscordError as error:
            status, body = error.status, error.body()
            record.error_code = error.code
        except Exception as exc:
            # An emulator bug: 503 so discord.py fails at once instead of retrying a 500 for 16 s.
            log.exception("sandbox handler failed for %s %s", method, path)
            emu.internal_errors.append(f"{method} {path}: {exc!r}")
            emu.interactions.wake_all()  # so a test waiting on the bot fails now, not at its timeout
            status, body = 503, {"message": f"emulator error: {exc!r}", "code": 0}
        if "X-RateLimit-Bucket" not in headers:  # answered before taking from a bucket (401, 404, global 429)
            headers.update(emu.limiter.peek_route(record.route or "unknown").headers())
        record.status = status
        if status >= 400:
            record.error = body
            emu.errors_returned.append(record)
        return _json_response(status, body, headers)

    async def _process(
        self, request: web.Request, relative: str | None, record: RequestRecord, headers: dict[str, str]
    ) -> tuple[int, Any]:
        emu = self.emu
        method = record.method
        match = emu.spec.match(method, relative) if relative is not None else None
        if match is None:
            emu.spec_violations.append(f"{method} {record.path}")
        body = await read_body(request)
        record.json, record.files = body.json, body.files
        if match is None:
            if relative is not None and emu.spec.path_is_documented(relative):
                raise errors.method_not_allowed()
            raise errors.not_found()
        record.template = match.template
        route_key = f"{method} {match.template}"
        if emu.body_schemas is not None:
            violation = emu.body_schemas.check(route_key, body.json, multipart=body.multipart, raw=body.raw)
            if violation is not None:  # recorded like an undocumented route, and refused before any change
                emu.spec_violations.append(f"{method} {record.path} body: {violation}")
                field = errors.field_error("SCHEMA_VIOLATION", violation.message)
                raise errors.invalid_form_body({violation.path or "_body": field})
        bot_authenticated = request.headers.get("Authorization") == f"Bot {emu.token}"
        if not bot_authenticated and not match.template.startswith(TOKEN_IN_PATH_PREFIXES):
            raise errors.unauthorized()
        if bot_authenticated and match.template != INTERACTION_CALLBACK:
            emu.limiter.take_global()
        headers.update(emu.limiter.take_route(route_key, match.params).headers())
        handler = HANDLERS.get(route_key)
        if handler is None:
            emu.unimplemented.append(f"{method} {record.path}")
            raise errors.not_found()
        call = Call(emu, method, match.template, match.params, request.query, record.json, record.files, record)
        return handler(call)
