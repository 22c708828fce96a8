"""What every answer of the web server goes through: security headers, one 404, size and rate limits."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Nothing runs in the page and nothing is loaded from elsewhere: its one style sheet is ours.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# Only GET and HEAD are served; no request needs a body.
MAX_REQUEST_BYTES = 1024
# Client addresses whose request counts are remembered (the least recently seen are forgotten first).
TRACKED_CLIENTS = 10_000


def not_found() -> web.Response:
    """The one 404: an unknown, rotated or revoked token reads exactly like an address that never existed."""
    return web.Response(status=404, text="Not found\n", content_type="text/plain", charset="utf-8")


class RateLimiter:
    """A token bucket per client address: `per_minute` requests, refilled continuously."""

    def __init__(self, per_minute: int, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(per_minute)
        self._monotonic = monotonic
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, client: str) -> bool:
        now = self._monotonic()
        tokens, since = self._buckets.pop(client, (self._burst, now))
        tokens = min(self._burst, tokens + (now - since) * self._rate)
        allowed = tokens >= 1.0
        self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._buckets) > TRACKED_CLIENTS:
            self._buckets.popitem(last=False)
        return allowed


def client_address(request: web.Request, *, trust_forwarded_for: bool) -> str:
    if trust_forwarded_for:
        forwarded = request.headers.get("X-Forwarded-For", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last  # the address the operator's proxy saw; earlier ones are the client's to forge
    return request.remote or "unknown"


def guard(limiter: RateLimiter, *, trust_forwarded_for: bool) -> Callable:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        response: web.StreamResponse
        # Every request counts against its client's limit, refused ones too.
        if not limiter.allow(client_address(request, trust_forwarded_for=trust_forwarded_for)):
            response = web.Response(status=429, text="Too many requests\n", headers={"Retry-After": "60"})
        elif request.method not in ("GET", "HEAD"):
            response = web.Response(status=405, text="Method not allowed\n", headers={"Allow": "GET, HEAD"})
        elif (request.content_length or 0) > MAX_REQUEST_BYTES or request.headers.get("Transfer-Encoding"):
            response = web.Response(status=413, text="Request too large\n")
        else:
            try:
                response = await handler(request)
            except web.HTTPNotFound:
                response = not_found()
            except web.HTTPMethodNotAllowed:
                response = web.Response(status=405, text="Method not allowed\n", headers={"Allow": "GET, HEAD"})
        response.headers.update(SECURITY_HEADERS)
        return response

    return middleware
