"""The web server in the bot (aiohttp): started and stopped with it, off unless `web.enabled` (bot/web/lifecycle.py).

Routes: /calendar/<token>.ics (a server's or a member's feed), /calendar/<token> (a server's page),
/calendar/<token>/events/<key>.ics (one event), /healthz, /metrics (unless `web.metrics = false`),
/assets/page.css. Anything else, and any unknown or revoked token, gets the same 404.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from datetime import timedelta
from importlib import resources
from typing import TYPE_CHECKING

from aiohttp import web

from bot.config import WebSettings
from bot.events.calendar import NotDatedError, event_calendar
from bot.i18n import t
from bot.services.events.service import When
from bot.storage.repositories.feeds import GUILD, Feed, FeedRepository
from bot.storage.repositories.health import HealthRepository
from bot.web.feeds import TOKEN_PATTERN, FeedService
from bot.web.health import health
from bot.web.links import FeedLinks, event_link, feed_links
from bot.web.metrics import CONTENT_TYPE, BotMetrics, RateLimitCounter, count_commands
from bot.web.page import PageLinks, negotiate_language, render_page
from bot.web.security import RateLimiter, guard, not_found

if TYPE_CHECKING:
    from bot.client import SummitBot

log = logging.getLogger(__name__)

CALENDAR_TYPE = "text/calendar"
KEY_PATTERN = r"[a-z0-9][a-z0-9-]{0,79}"
CACHED_PAGES = 128


class WebServer:
    def __init__(self, bot: SummitBot, settings: WebSettings) -> None:
        self._bot = bot
        self._settings = settings
        self.feeds = FeedService(
            FeedRepository(bot.database), bot.services.events, bot.services.reminders, bot.clock,
            refresh=timedelta(minutes=settings.feed_refresh_minutes),
        )  # fmt: skip
        self._store = HealthRepository(bot.database)
        self.metrics = BotMetrics()
        self._undo_counting = count_commands(bot, bot.tree, self.metrics)
        self._rate_log = RateLimitCounter(self.metrics)
        self._runner: web.AppRunner | None = None
        self.public_url: str = settings.public_url or ""
        self._pages: OrderedDict[tuple, bytes] = OrderedDict()
        self._css = (resources.files("bot.web") / "static" / "page.css").read_bytes()

    # --- links for the cogs ----------------------------------------------------------------------

    def links(self, feed: Feed, lang: str | None = None) -> FeedLinks:
        return feed_links(self.public_url, feed.token, lang)

    # --- life ------------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(
            middlewares=[guard(RateLimiter(self._settings.requests_per_minute),
                               trust_forwarded_for=self._settings.trust_forwarded_for)],
            client_max_size=1024,
            handler_args={"max_line_size": 4096, "max_field_size": 4096},
        )  # fmt: skip
        app.router.add_get(f"/calendar/{{token:{TOKEN_PATTERN}}}.ics", self.feed)
        app.router.add_get(f"/calendar/{{token:{TOKEN_PATTERN}}}", self.page)
        app.router.add_get(f"/calendar/{{token:{TOKEN_PATTERN}}}/events/{{key:{KEY_PATTERN}}}.ics", self.event)
        app.router.add_get("/healthz", self.healthz)
        if self._settings.metrics:
            app.router.add_get("/metrics", self.metrics_page)
        app.router.add_get("/assets/page.css", self.stylesheet)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None)  # tokens are in paths: no access log
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._settings.host, self._settings.port)
        await site.start()
        logging.getLogger("discord.http").addHandler(self._rate_log)
        if not self._settings.public_url:
            port = self._runner.addresses[0][1] if self._runner.addresses else self._settings.port
            host = self._settings.host
            self.public_url = f"http://{f'[{host}]' if ':' in host else host}:{port}"
        log.info("web server listening on %s:%s, reached at %s", self._settings.host, self._settings.port,
                 self.public_url)  # fmt: skip

    async def stop(self) -> None:
        logging.getLogger("discord.http").removeHandler(self._rate_log)
        self._undo_counting()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- handlers --------------------------------------------------------------------------------

    def _counted(self, kind: str, response: web.StreamResponse) -> web.StreamResponse:
        self.metrics.feed_requests.labels(kind, str(response.status)).inc()
        return response

    async def _guild_name(self, guild_id: int) -> str:
        guild = self._bot.get_guild(guild_id)
        return guild.name if guild is not None else "Discord"

    async def feed(self, request: web.Request) -> web.StreamResponse:
        feed = await self.feeds.open(request.match_info["token"])
        if feed is None:
            return self._counted("feed", not_found())
        if feed.kind == GUILD:
            lang = negotiate_language(None, request.query.get("lang"))
            name = t("events.feed.name", lang, server=await self._guild_name(feed.guild_id))
        else:
            lang = "fr" if feed.locale.startswith("fr") else "en"
            name = t("events.feed.member_name", lang, server=await self._guild_name(feed.guild_id))
        built = await self.feeds.build(feed, lang, name)
        minutes = self._settings.feed_refresh_minutes
        headers = {"ETag": built.etag, "Cache-Control": f"private, max-age={minutes * 60}", "Vary": "Accept-Language"}
        if _matches(request.headers.get("If-None-Match", ""), built.etag):
            return self._counted("feed", web.Response(status=304, headers=headers))
        response = web.Response(body=built.body, content_type=CALENDAR_TYPE, charset="utf-8", headers=headers)
        response.headers["Content-Disposition"] = 'inline; filename="events.ics"'
        return self._counted("feed", response)

    async def page(self, request: web.Request) -> web.StreamResponse:
        feed = await self.feeds.open(request.match_info["token"])
        if feed is None or feed.kind != GUILD:
            return self._counted("page", not_found())
        lang = negotiate_language(request.headers.get("Accept-Language"), request.query.get("lang"))
        listing = await self.feeds.events_of(feed)
        server = await self._guild_name(feed.guild_id)
        # Rendered once per state of the page and minute: its events, language and address. Within a
        # minute an event may end without moving to "past" yet; the page is cached 60 s anyway.
        minute = self._bot.clock.now().replace(second=0, microsecond=0)
        key = (feed.token, lang, server, minute, tuple((e.id, e.sequence) for e in listing))
        html = self._pages.get(key)
        if html is None:
            # The order of /events: dated ones soonest first, then those known roughly, then TBA; past latest first.
            events = self._bot.services.events
            upcoming = list((await events.listing(feed.guild_id, When.UPCOMING)).events)
            past = list((await events.listing(feed.guild_id, When.PAST)).events)
            html = self._render_page(feed, lang, server, listing, upcoming, past).encode("utf-8")
            self._pages[key] = html
            if len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(key)
        response = web.Response(body=html, content_type="text/html", charset="utf-8")
        response.headers["Content-Language"] = lang
        response.headers["Vary"] = "Accept-Language"
        response.headers["Cache-Control"] = "private, max-age=60"
        return self._counted("page", response)

    def _render_page(self, feed: Feed, lang: str, server: str, listing: list, upcoming: list, past: list) -> str:
        links = self.links(feed, lang)
        page_links = PageLinks(
            feed_https=links.https, feed_webcal=links.webcal, page=links.page,
            event_ics={event.key: event_link(self.public_url, feed.token, event.key) for event in listing},
        )  # fmt: skip
        return render_page(server=server, upcoming=upcoming, past=past, now=self._bot.clock.now(), lang=lang,
                           links=page_links)  # fmt: skip

    async def event(self, request: web.Request) -> web.StreamResponse:
        feed = await self.feeds.open(request.match_info["token"])
        if feed is None or feed.kind != GUILD:
            return self._counted("event", not_found())
        key = request.match_info["key"]
        found = next((event for event in await self.feeds.events_of(feed) if event.key == key), None)
        if found is None:
            return self._counted("event", not_found())
        lang = negotiate_language(request.headers.get("Accept-Language"), request.query.get("lang"))
        try:
            body = event_calendar(found, lang=lang, now=found.updated_at or self._bot.clock.now())
        except NotDatedError:
            return self._counted("event", not_found())
        response = web.Response(body=body, content_type=CALENDAR_TYPE, charset="utf-8")
        response.headers["Content-Disposition"] = f'attachment; filename="{key}.ics"'
        return self._counted("event", response)

    async def healthz(self, request: web.Request) -> web.StreamResponse:
        healthy, body = await health(self._bot, self._store)
        return web.Response(status=200 if healthy else 503, text=json.dumps(body), content_type="application/json",
                            headers={"Cache-Control": "no-store"})  # fmt: skip

    async def metrics_page(self, request: web.Request) -> web.StreamResponse:
        body = await self.metrics.render(self._store, self._bot)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE, "Cache-Control": "no-store"})

    async def stylesheet(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=self._css, content_type="text/css", charset="utf-8",
                            headers={"Cache-Control": "public, max-age=86400"})  # fmt: skip


def _matches(header: str, etag: str) -> bool:
    """If-None-Match names this entity tag, or any ("*"); weak tags compare equal for a GET (RFC 9110 13.1.2)."""
    tags = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in tags or etag in tags
