"""How many times Discord heard an answer to an interaction, read from the emulator's request log."""

from __future__ import annotations

from collections import Counter

from bot.sandbox import DiscordEmulator
from bot.sandbox.rest import INTERACTION_CALLBACK


def callbacks_accepted(emulator: DiscordEmulator) -> Counter[int]:
    """Interaction id -> callbacks answered with a 2xx (Discord takes one per interaction)."""
    accepted: Counter[int] = Counter()
    for request in emulator.requests:
        if request.template == INTERACTION_CALLBACK and 200 <= request.status < 300:
            accepted[int(request.path.split("/interactions/", 1)[1].split("/", 1)[0])] += 1
    return accepted
