"""What the bot posted or edited that the console has not shown yet: a DM, a post in a channel, a board
edited in place. The console prints each once, marked with where it came from.

Watched: every text channel of the console's server, and each persona's DMs with the bot.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .models import Channel, Guild, Member, Message

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

# Edits are looked for among each channel's latest messages: a board or a post edited in place is
# recent, and older ones are not worth a scan of the whole history at every message.
RECENT = 50


@dataclass(frozen=True)
class Arrival:
    channel: Channel
    recipient: Member | None  # whose DM it is; None in a server channel
    message: Message
    edited: bool


class Arrivals:
    def __init__(self, emu: DiscordEmulator, guild: Guild, personas: dict[str, Member]) -> None:
        self.emu = emu
        self.guild = guild
        self.personas = personas
        self._cursors: dict[int, int] = {}  # channel id -> the last message id looked at
        self._versions: dict[int, int] = {}  # message id -> the version the console has shown
        self.skip()

    def _watched(self) -> list[tuple[Channel, Member | None]]:
        watched: list[tuple[Channel, Member | None]] = [(c, None) for c in self.guild.channels.values()]
        for member in self.personas.values():
            dm = self.emu.world.dm_by_user.get(member.user.id)
            if dm is not None:
                watched.append((dm, member))
        return watched

    def skip(self) -> None:
        """What is already there is history, not news."""
        for channel, _ in self._watched():
            self._cursors[channel.id] = channel.message_ids[-1] if channel.message_ids else 0
            self.shown(self._recent(channel))

    def shown(self, messages: Iterable[Message]) -> None:
        """These were printed (as an answer, or with :dm): not news any more, in this version."""
        for message in messages:
            self._versions[message.id] = message.version

    def pending(self) -> list[Arrival]:
        """New messages and newly edited ones, oldest first."""
        found = []
        for channel, recipient in self._watched():
            after = self._cursors.get(channel.id, 0)
            for message in self._recent(channel):
                known = self._versions.get(message.id)
                if known is None and message.id > after:
                    found.append(Arrival(channel, recipient, message, edited=False))
                elif known is not None and message.version > known:
                    found.append(Arrival(channel, recipient, message, edited=True))
        return sorted(found, key=lambda arrival: (arrival.message.id, arrival.message.version))

    def take(self) -> list[Arrival]:
        """The pending arrivals, marked as shown."""
        arrivals = self.pending()
        for arrival in arrivals:
            channel_id = arrival.channel.id
            self._cursors[channel_id] = max(self._cursors.get(channel_id, 0), arrival.message.id)
        self.shown(arrival.message for arrival in arrivals)
        return arrivals

    def _recent(self, channel: Channel) -> list[Message]:
        ids = channel.message_ids
        messages = self.emu.world.messages
        start = max(0, len(ids) - RECENT)
        after = self._cursors.get(channel.id, 0)
        # Every message since the cursor (a burst may exceed RECENT), and the latest ones for edits.
        start = min(start, bisect.bisect_right(ids, after))
        return [messages[i] for i in ids[start:] if i in messages]
