"""The addresses the bot hands out: a feed (https and webcal), a server's page, one event's .ics."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class FeedLinks:
    https: str
    webcal: str  # the same feed; calendar apps open webcal:// as "subscribe"
    page: str


def feed_links(public_url: str, token: str, lang: str | None = None) -> FeedLinks:
    query = f"?lang={lang}" if lang else ""
    https = f"{public_url}/calendar/{token}.ics{query}"
    webcal = "webcal://" + https.split("://", 1)[1]
    return FeedLinks(https=https, webcal=webcal, page=f"{public_url}/calendar/{token}")


def event_link(public_url: str, token: str, key: str) -> str:
    return f"{public_url}/calendar/{token}/events/{quote(key, safe='')}.ics"
