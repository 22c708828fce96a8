"""The delivery ledger's keys: one key per message that may ever leave, and the nonce derived from it.

The nonce is what makes a re-send after a crash safe: Discord (with `enforce_nonce`) answers a second
message with the same nonce, in the same channel, within a few minutes, with the first one. The same
string, shown in the message as its reference, lets recovery find it in the channel's history later.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from bot.reminders.planning import Audience, DeliveryKind

NONCE_LENGTH = 20  # Discord takes at most 25 characters; 20 base32 characters are 100 bits
NO_INSTANT = "tba"


class DeliveryState(StrEnum):
    CLAIMED = "claimed"  # about to be sent, or sent without confirmation (a crash): recovery decides
    SENT = "sent"
    SKIPPED = "skipped"  # owed but not sent: past the grace window, event started, no longer wanted
    CLOSED_DM = "closed_dm"  # Discord refused: the member does not accept DMs (error 50007)
    FAILED = "failed"  # Discord refused for another reason (missing access, unknown channel …)


def instant_text(instant: datetime | None) -> str:
    """How an instant is written in a key: UTC ISO 8601 to the second, or "tba"."""
    return NO_INSTANT if instant is None else instant.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class DeliveryKey:
    kind: DeliveryKind
    event_id: int
    instant: str  # instant_text() of the event's instant when the message was planned
    audience: Audience
    recipient_id: int  # a user for DMs, a channel for posts
    lead: int  # seconds; for moved/cancelled notices, the event's change sequence

    @property
    def nonce(self) -> str:
        text = "|".join(
            (self.kind.value, str(self.event_id), self.instant, self.audience.value, str(self.recipient_id),
             str(self.lead))
        )  # fmt: skip
        digest = hashlib.sha256(text.encode()).digest()
        return base64.b32encode(digest).decode().lower()[:NONCE_LENGTH]

    @property
    def reference(self) -> str:
        """Shown in the message (footer) so the message can be recognised in a channel's history."""
        return f"r-{self.nonce}"
