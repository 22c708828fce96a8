"""The public events page over HTTP: language, escaping, links, headers; and the web server's guards."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from bot.sandbox_session import bot_on_emulator
from bot.web.page import negotiate_language
from tests.web.conftest import admin, turn_feed_on, web_settings

HOSTILE = {
    "name": "<script>alert(\"x\")</script> Bob's \"Forum\"",
    "description": "<img src=x onerror=alert('y')> & \"quoted\" 'single'",
    "date": "2027-03-15 09:00",
    "end": "2027-03-15 17:00",
    "timezone": "Europe/Zurich",
    "venue": "<b>Hall</b>",
    "city": "Geneva",
    "country": "CH",
    "source_url": "https://example.org/forum?a=1&b=\"2\"",
    "key": "hostile-2027",
}


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text, as a browser's parser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parsed(html: str) -> Elements:
    elements = Elements()
    elements.feed(html)
    return elements


async def page_of(http, feed_address: str, **headers: str):
    async with http.get(feed_address.split(".ics")[0], headers=headers) as response:
        return response, await response.text()


async def test_page_in_the_readers_language_with_venue_and_utc_times(bot, world, http):
    await admin(world, "add", {**HOSTILE, "name": "AI Safety Forum", "description": "", "venue": "Palexpo",
                               "source_url": "https://example.org/forum", "key": "forum-2027"})  # fmt: skip
    address = await turn_feed_on(world)
    response, html = await page_of(http, address, **{"Accept-Language": "de-DE, fr;q=0.8, en;q=0.5"})
    assert response.status == 200 and response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Content-Language"] == "fr"
    elements = parsed(html)
    assert ("html", {"lang": "fr"}) in elements.tags
    assert {"header", "nav", "main", "footer"} <= {tag for tag, _ in elements.tags}
    text = re.sub(r"\s+", " ", "".join(elements.text))  # French times hold no-break spaces: "9 h 00"
    assert "Summit Community : événements" in text
    assert "Sur place : 15 mars 2027, 9 h 00–17 h 00 (Europe/Zurich, UTC+01:00)" in text
    assert "En UTC : 15 mars 2027, 8 h 00 UTC" in text
    times = [attrs["datetime"] for tag, attrs in elements.tags if tag == "time"]
    assert "2027-03-15T09:00:00+01:00" in times and "2027-03-15T08:00Z" in times
    assert "ne peut donc pas connaître votre fuseau horaire" in text
    links = {attrs.get("href") for tag, attrs in elements.tags if tag == "a"}
    assert address.split("?")[0].replace("http://", "webcal://") + "?lang=fr" in links
    assert any(link and link.endswith("/events/forum-2027.ics") for link in links)
    assert "https://example.org/forum" in links
    assert "Sommet de Genève" in text or "premier semestre 2027" in text, "roughly known events are listed"

    _, english = await page_of(http, address, **{"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english and "At the venue:" in english
    async with http.get(address.split(".ics")[0] + "?lang=fr", headers={"Accept-Language": "en"}) as response:
        assert '<html lang="fr">' in await response.text(), "the page's own language link wins"


async def test_add_to_calendar_from_the_page_gives_the_event(bot, world, http):
    await admin(world, "add", {**HOSTILE, "key": "forum-2027", "name": "Forum"})
    address = await turn_feed_on(world)
    _, html = await page_of(http, address)
    (ics,) = [attrs["href"] for tag, attrs in parsed(html).tags if tag == "a" and "/events/forum-2027" in attrs["href"]]
    async with http.get(ics) as response:
        assert response.status == 200 and response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert b"UID:forum-2027." in await response.read()
    async with http.get(ics.replace("forum-2027", "nope-2027")) as response:
        assert response.status == 404


async def test_everything_moderators_typed_is_escaped_in_the_page(bot, world, http):
    added = await admin(world, "add", HOSTILE)
    assert added.ephemeral and "hostile-2027" in added.content
    address = await turn_feed_on(world)
    _, html = await page_of(http, address)
    elements = parsed(html)
    assert not [tag for tag, _ in elements.tags if tag in ("script", "img", "b")], "typed markup stays text"
    text = "".join(elements.text)
    assert HOSTILE["name"] in text and HOSTILE["description"] in text and "<b>Hall</b>" in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Bob&#x27;s &quot;Forum&quot;" in html
    sources = [attrs["href"] for tag, attrs in elements.tags if tag == "a" and "example.org" in attrs["href"]]
    assert sources == [HOSTILE["source_url"]]


async def test_security_headers_on_every_answer(bot, world, http):
    address = await turn_feed_on(world)
    base = address.split("/calendar/")[0]
    for where in (address, address.split(".ics")[0], base + "/healthz", base + "/nothing", base + "/metrics"):
        async with http.get(where) as response:
            assert response.headers["Content-Security-Policy"].startswith("default-src 'none'"), where
            assert "script-src" not in response.headers["Content-Security-Policy"]
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Referrer-Policy"] == "no-referrer"


async def test_no_body_no_other_method_and_a_rate_limit_per_address(world, tmp_path, emulator, clock, http):
    settings = web_settings(tmp_path, emulator, requests_per_minute=5)
    async with bot_on_emulator(settings, emulator, clock=clock) as running:
        base = running.web.public_url
        async with http.post(base + "/healthz", data=b"x") as response:
            assert response.status == 405 and response.headers["Allow"] == "GET, HEAD"
        async with http.get(base + "/healthz", data=b"x" * 5000) as response:
            assert response.status == 413
        statuses = []
        for _ in range(4):  # 5 a minute: the two refused above counted too
            async with http.get(base + "/healthz") as response:
                statuses.append(response.status)
        assert statuses == [200, 200, 200, 429]
        async with http.get(base + "/healthz", headers={"X-Forwarded-For": "203.0.113.9"}) as response:
            assert response.status == 429, "X-Forwarded-For is not trusted unless configured"


@pytest.mark.parametrize(
    ("header", "asked", "expected"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.8", None, "fr"),
        ("en-US,en;q=0.9,fr;q=0.8", None, "en"),
        ("de-DE,de;q=0.9", None, "en"),
        ("en;q=0.2, fr;q=0.7", None, "fr"),
        ("fr;q=abc, en", None, "en"),
        (None, None, "en"),
        ("en", "fr", "fr"),
        ("fr", "xx", "fr"),
    ],
)
def test_language_negotiation(header, asked, expected):
    assert negotiate_language(header, asked) == expected
