"""What the emulated Discord holds: users, guilds, roles, channels, members, messages and their files.

Tests get these objects back from `emu.create_*` and hand them to `emu.slash(...)` and friends.
Message is a dict (Discord's JSON, updated in place on edits) with a few extra attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Channel types we create (Discord's numbers).
GUILD_TEXT = 0
DM = 1

EPHEMERAL = 1 << 6
LOADING = 1 << 7


@dataclass(eq=False)
class User:
    id: int
    name: str
    global_name: str | None = None
    bot: bool = False
    dms_open: bool = True

    def __repr__(self) -> str:
        return f"<User {self.name} id={self.id}>"


@dataclass(eq=False)
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None  # set on the role Discord gives a bot when it joins

    def __repr__(self) -> str:
        return f"<Role {self.name} id={self.id}>"


@dataclass(eq=False)
class Channel:
    id: int
    type: int
    guild_id: int | None
    name: str | None
    position: int = 0
    topic: str | None = None
    recipient_id: int | None = None  # DM channels: the other user
    # Ids of the channel's messages, oldest first (snowflakes grow, so also sorted).
    message_ids: list[int] = field(default_factory=list)

    @property
    def last_message_id(self) -> int | None:
        return self.message_ids[-1] if self.message_ids else None

    def __repr__(self) -> str:
        return f"<Channel #{self.name or self.recipient_id} id={self.id}>"


@dataclass(eq=False)
class Member:
    guild_id: int
    user: User
    role_ids: list[int]
    locale: str
    joined_at: datetime
    nick: str | None = None
    permissions: int | None = None  # when set, the member's permissions regardless of roles
    administrator: bool = False

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def user_id(self) -> int:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.name

    def __repr__(self) -> str:
        return f"<Member {self.user.name} id={self.user.id} guild={self.guild_id}>"


@dataclass(eq=False)
class Guild:
    id: int
    name: str
    locale: str
    owner_id: int
    created_at: datetime
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    scheduled_events: dict[int, dict[str, Any]] = field(default_factory=dict)
    missing_permissions: set[str] = field(default_factory=set)
    features: list[str] = field(default_factory=list)
    bot_present: bool = True

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]

    def __repr__(self) -> str:
        return f"<Guild {self.name} id={self.id}>"


@dataclass(eq=False)
class Attachment:
    """An uploaded file, with its bytes so a test can read what the bot sent."""

    id: int
    filename: str
    content_type: str
    data: bytes
    url: str
    description: str | None = None
    ephemeral: bool = False

    @property
    def size(self) -> int:
        return len(self.data)

    def text(self, encoding: str = "utf-8") -> str:
        return self.data.decode(encoding)

    def __repr__(self) -> str:
        return f"<Attachment {self.filename} {self.content_type} {self.size} bytes>"


@dataclass(frozen=True)
class Pings:
    """Who a message notifies, per Discord's allowed_mentions rules."""

    users: frozenset[int] = frozenset()
    roles: frozenset[int] = frozenset()
    everyone: bool = False  # @everyone or @here
    replied_user: int | None = None

    @property
    def nothing(self) -> bool:
        return not (self.users or self.roles or self.everyone or self.replied_user)


NO_PINGS = Pings()


class Message(dict):  # type: ignore[type-arg]
    """A message as Discord's JSON (this dict), plus what the emulator knows about it.

    The dict is edited in place, so a reference held by a test always shows the current version.
    """

    __slots__ = ("files", "interactions", "pinged", "seq", "version")

    def __init__(self, data: dict[str, Any], *, seq: int) -> None:
        super().__init__(data)
        self.seq = seq  # creation order over the whole emulator
        self.version = 0  # bumped on each edit
        self.pinged: Pings = NO_PINGS
        self.files: list[Attachment] = []
        self.interactions: list[Any] = []  # interactions waiting on edits of this message

    @property
    def id(self) -> int:
        return int(self["id"])

    @property
    def channel_id(self) -> int:
        return int(self["channel_id"])

    @property
    def ephemeral(self) -> bool:
        return bool(self.get("flags", 0) & EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.get("flags", 0) & LOADING)

    @property
    def attachments(self) -> list[Attachment]:
        return self.files
