"""How hard the reliability suite pushes: modest in `make test`, much harder with SUMMIT_LONG=1."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG = os.environ.get("SUMMIT_LONG", "") not in ("", "0")


def scaled(ci: int, long: int) -> int:
    return long if LONG else ci


def hypothesis_settings(ci_examples: int, long_examples: int) -> settings:
    return settings(
        max_examples=scaled(ci_examples, long_examples),
        deadline=None,  # one example is a round trip through the bot: its time varies with the machine's load
        database=None,  # nothing written to the work tree; a failure prints the blob to reproduce it
        print_blob=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
