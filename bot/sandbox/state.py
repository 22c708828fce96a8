"""The emulated server world: users, guilds with their roles/channels/members, DM channels and messages.

All lookups are dict lookups so a benchmark with thousands of DMs stays cheap.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from . import errors
from .models import DM, GUILD_TEXT, Channel, Guild, Member, Message, Role, User
from .permissions import DEFAULT_BOT, DEFAULT_EVERYONE, member_permissions
from .snowflakes import Now, SnowflakeFactory


class World:
    def __init__(self, now: Now, snowflakes: SnowflakeFactory, *, bot_name: str, bot_permissions: int | None) -> None:
        self.now = now
        self.snowflakes = snowflakes
        self.bot_permissions = bot_permissions
        self.bot = User(id=snowflakes.next(), name=bot_name, global_name=None, bot=True)
        self.owner = User(id=snowflakes.next(), name="app-owner")
        self.users: dict[int, User] = {self.bot.id: self.bot, self.owner.id: self.owner}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.dm_by_user: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self._message_seq = 0

    # -- creating things ---------------------------------------------------------------

    def new_user(self, name: str, *, bot: bool = False) -> User:
        u = User(id=self.snowflakes.next(), name=name, global_name=name.title(), bot=bot)
        self.users[u.id] = u
        return u

    def create_guild(self, name: str, locale: str) -> Guild:
        owner = self.new_user(f"{name.lower().replace(' ', '-')}-owner")
        guild_id = self.snowflakes.next_in_new_millisecond()
        guild = Guild(id=guild_id, name=name, locale=locale, owner_id=owner.id, created_at=self.now())
        # @everyone's id is the guild's id.
        guild.roles[guild_id] = Role(id=guild_id, guild_id=guild_id, name="@everyone", permissions=DEFAULT_EVERYONE)
        bot_role = Role(
            id=self.snowflakes.next(),
            guild_id=guild_id,
            name=self.bot.name,
            permissions=self.bot_permissions if self.bot_permissions is not None else DEFAULT_BOT,
            position=1,
            managed=True,
            bot_id=self.bot.id,
        )
        guild.roles[bot_role.id] = bot_role
        self.guilds[guild_id] = guild
        self._add_member(guild, owner, roles=[], locale=locale)
        self._add_member(guild, self.bot, roles=[bot_role], locale="en-US")
        return guild

    def create_text_channel(self, guild: Guild, name: str, topic: str | None = None) -> Channel:
        c = Channel(
            id=self.snowflakes.next(),
            type=GUILD_TEXT,
            guild_id=guild.id,
            name=name,
            position=len(guild.channels),
            topic=topic,
        )
        guild.channels[c.id] = c
        self.channels[c.id] = c
        return c

    def create_role(self, guild: Guild, name: str, permissions: int, *, mentionable: bool = False) -> Role:
        r = Role(
            id=self.snowflakes.next(),
            guild_id=guild.id,
            name=name,
            permissions=permissions,
            position=len(guild.roles),
            mentionable=mentionable,
        )
        guild.roles[r.id] = r
        return r

    def create_member(
        self,
        guild: Guild,
        name: str,
        *,
        locale: str,
        roles: Iterable[Role],
        permissions: int | None,
        administrator: bool,
    ) -> Member:
        return self._add_member(
            guild, self.new_user(name), roles=roles, locale=locale, permissions=permissions, administrator=administrator
        )

    def _add_member(
        self,
        guild: Guild,
        u: User,
        *,
        roles: Iterable[Role],
        locale: str,
        permissions: int | None = None,
        administrator: bool = False,
    ) -> Member:
        m = Member(
            guild_id=guild.id,
            user=u,
            role_ids=[r.id for r in roles],
            locale=locale,
            joined_at=self.now(),
            permissions=permissions,
            administrator=administrator,
        )
        guild.members[u.id] = m
        return m

    def dm_channel(self, u: User) -> Channel:
        """The one DM channel between the bot and `u`, created on first use."""
        existing = self.dm_by_user.get(u.id)
        if existing is not None:
            return existing
        c = Channel(id=self.snowflakes.next(), type=DM, guild_id=None, name=None, recipient_id=u.id)
        self.dm_by_user[u.id] = c
        self.channels[c.id] = c
        return c

    # -- lookups that answer like Discord ------------------------------------------------

    def guild_for_bot(self, guild_id: str | int) -> Guild:
        guild = self.guilds.get(_as_id(guild_id))
        if guild is None:
            raise errors.unknown_guild()
        if not guild.bot_present:
            raise errors.missing_access()
        return guild

    def channel_for_bot(self, channel_id: str | int) -> Channel:
        c = self.channels.get(_as_id(channel_id))
        if c is None:
            raise errors.unknown_channel()
        if c.guild_id is not None and not self.guilds[c.guild_id].bot_present:
            raise errors.missing_access()
        return c

    def message_in(self, c: Channel, message_id: str | int) -> Message:
        """A message as the channel routes see it: ephemeral ones only exist for their webhook."""
        message = self.messages.get(_as_id(message_id))
        if message is None or message.channel_id != c.id or message.ephemeral:
            raise errors.unknown_message()
        return message

    def bot_member(self, guild: Guild) -> Member:
        return guild.members[self.bot.id]

    def bot_permissions_in(self, guild: Guild) -> int:
        return member_permissions(guild, self.bot_member(guild))

    def recipient(self, c: Channel) -> User | None:
        return self.users.get(c.recipient_id) if c.recipient_id is not None else None

    # -- messages ------------------------------------------------------------------------

    def next_message_seq(self) -> int:
        self._message_seq += 1
        return self._message_seq

    def store_message(self, message: Message, *, listed: bool) -> None:
        """Keep a message; `listed` ones (not ephemeral) show in their channel's history."""
        self.messages[message.id] = message
        if listed:
            self.channels[message.channel_id].message_ids.append(message.id)

    def delete_message(self, message: Message) -> None:
        self.messages.pop(message.id, None)
        ids = self.channels[message.channel_id].message_ids
        index = bisect.bisect_left(ids, message.id)
        if index < len(ids) and ids[index] == message.id:
            del ids[index]

    def channel_history(self, c: Channel) -> list[Message]:
        return [self.messages[i] for i in c.message_ids]


def _as_id(value: str | int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
