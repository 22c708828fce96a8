"""The public events page in a real browser: headless Chromium from Debian's `chromium` package.

Both languages (by Accept-Language) at phone (390 px) and desktop (1280 px) widths: what the page shows,
that it fits the width, that nothing typed by moderators runs, and a screenshot of each kept in
tests/artefacts/web/ (or $SUMMIT_ARTEFACTS/web/), whose path is printed. Without chromium the test is
skipped with the reason, except under CI=true, where it fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.web.chromium import chromium, chromium_binary, new_tab
from tests.web.conftest import admin, turn_feed_on

ARTEFACTS = Path(os.environ.get("SUMMIT_ARTEFACTS", Path(__file__).resolve().parents[1] / "artefacts")) / "web"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
LANGUAGES = {"en": "en-GB,en;q=0.9", "fr": "fr-FR,fr;q=0.9,en;q=0.5"}
HOSTILE_NAME = "<script>document.title='pwned'</script> \"Quoted\" 'forum'"


@pytest.fixture
def browser_binary() -> str:
    binary = chromium_binary()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed: CI must install Debian's `chromium` package")
        pytest.skip("chromium is not installed (Debian: apt-get install chromium); the page's browser test needs it")
    return binary


async def test_the_page_in_chromium_in_both_languages_at_phone_and_desktop_widths(bot, world, browser_binary):
    await admin(world, "add", {"name": HOSTILE_NAME, "date": "2027-03-15 09:00", "end": "2027-03-15 17:00",
                               "timezone": "Europe/Zurich", "city": "Geneva", "country": "CH",
                               "description": "<img src=x onerror=\"document.title='pwned'\">",
                               "source_url": "https://example.org/forum", "key": "forum-2027"})  # fmt: skip
    page = (await turn_feed_on(world)).split(".ics")[0]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    async with chromium(browser_binary) as (session, devtools):
        for lang, accept in LANGUAGES.items():
            for label, (width, height) in WIDTHS.items():
                async with new_tab(session, devtools) as tab:
                    await tab.open(page, width=width, height=height, accept_language=accept)
                    shown = await tab.evaluate(
                        "({lang: document.documentElement.lang, title: document.title,"
                        " h1: document.querySelector('h1').innerText,"
                        " sections: [...document.querySelectorAll('main h2')].map(h => h.innerText),"
                        " events: [...document.querySelectorAll('article h3')].map(h => h.innerText),"
                        " add: [...document.querySelectorAll('.actions a')].map(a => a.innerText),"
                        " scripts: document.scripts.length, images: document.images.length,"
                        " landmarks: ['header','nav','main','footer'].every(t => document.querySelector(t)),"
                        " overflow: document.documentElement.scrollWidth - window.innerWidth,"
                        " colour: getComputedStyle(document.body).color,"
                        " background: getComputedStyle(document.body).backgroundColor,"
                        " times: document.querySelectorAll('time[datetime]').length})"
                    )
                    path = ARTEFACTS / f"events-page-{lang}-{label}.png"
                    await tab.screenshot(path)
                    print(f"screenshot: {path}")
                assert shown["lang"] == lang
                assert shown["title"] != "pwned" and shown["scripts"] == 0 and shown["images"] == 0
                assert HOSTILE_NAME in shown["events"], shown["events"]
                assert shown["landmarks"] and shown["times"] >= 2
                assert shown["overflow"] <= 0, f"{lang} {label}: the page is wider than the window"
                assert (shown["colour"], shown["background"]) == ("rgb(27, 27, 27)", "rgb(255, 255, 255)")
                if lang == "fr":
                    assert shown["h1"] == "Summit Community\u00a0: événements"  # French typography
                    assert shown["sections"][:3] == ["S'abonner dans votre calendrier", "Événements à venir",
                                                     "Événements passés"]  # fmt: skip
                    assert "Ajouter au calendrier" in shown["add"]
                else:
                    assert shown["h1"] == "Summit Community: events"
                    assert shown["sections"][:3] == ["Subscribe in your calendar", "Upcoming events", "Past events"]
                    assert "Add to calendar" in shown["add"]
    assert sorted(p.name for p in ARTEFACTS.glob("events-page-*.png")) == sorted(
        f"events-page-{lang}-{label}.png" for lang in LANGUAGES for label in WIDTHS
    )
