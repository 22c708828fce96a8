"""`summit-bot try` turns the web server on at a loopback port and prints its address."""

from __future__ import annotations

import re

from tests.e2e.test_cli import summit_bot


def test_the_sandbox_prints_its_web_address_and_feeds_use_it(tmp_path):
    script = ":as moderator\n/eventadmin settings calendar_feed:On\n"
    done = summit_bot("try", stdin=script, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    (address,) = re.findall(r"Web server \(calendar feeds, events page, /healthz\): (http://127\.0\.0\.1:\d+)\n",
                            done.stdout)  # fmt: skip
    assert re.search(re.escape(address) + r"/calendar/[A-Za-z0-9_-]{32}\.ics", done.stdout), done.stdout[-2000:]
    assert "webcal://" + address.removeprefix("http://") in done.stdout
