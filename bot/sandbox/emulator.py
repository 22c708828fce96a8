"""DiscordEmulator: a loopback Discord (gateway v10 + REST v10) for the unmodified discord.py client.

async with DiscordEmulator() as emu:
    guild = emu.create_guild("Summit Community")
    general = emu.create_text_channel(guild, "general")
    alice = emu.create_member(guild, "alice", locale="fr")
    # point discord.py at emu.api_base_url / emu.gateway_url, start the bot, then:
    await emu.wait_for_ready()
    result = await emu.slash(alice, general, "about")
"""

from __future__ import annotations

import bisect
import collections
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from . import payloads
from .body_schema import BodySchemas, shared_body_schemas
from .commands import CommandStore
from .driving import InteractionDriver
from .gateway import DIRECT_MESSAGES, GUILD_MEMBERS, GUILD_MESSAGES, GUILDS, Gateway
from .interaction_builder import InteractionBuilder
from .interactions import Interaction, InteractionRegistry
from .models import DM, Attachment, Channel, Guild, Member, Message, Pings, Role, User
from .permissions import SWITCHABLE
from .ratelimit import RateLimiter
from .rest import RequestRecord
from .server import API_PREFIX, GATEWAY_PATH, Server
from .sharding import IdentifyGate, ShardingLimits
from .snowflakes import SnowflakeFactory, as_now
from .spec import SpecRoutes
from .state import World
from .waiting import Signal

# GATEWAY_GUILD_MEMBERS_LIMITED | GATEWAY_MESSAGE_CONTENT_LIMITED | APPLICATION_COMMAND_BADGE
APPLICATION_FLAGS = (1 << 15) | (1 << 19) | (1 << 23)


@dataclass
class EmulatorStats:
    requests: int = 0  # REST requests received
    rate_limited: int = 0  # 429s served
    interactions: int = 0  # interactions delivered to the bot
    messages: int = 0  # messages created by the bot


class DiscordEmulator(InteractionDriver):
    def __init__(
        self,
        token: str = "test-token",  # noqa: S107 (the emulator's own made-up token)
        *,
        global_rate_limit: float | None = 50,
        clock: Any = None,
        heartbeat_interval_ms: int = 41250,
        heartbeat_ack_delay: float = 0.0,  # seconds before HEARTBEAT_ACK: a network's round trip (gateway.py)
        interaction_ttl: float = 3.0,
        nonce_window: timedelta = timedelta(minutes=5),
        route_rate_limit: tuple[int, float] = (10_000, 1.0),
        route_rate_limits: dict[str, tuple[int, float]] | None = None,
        attachment_size_limit: int = 10 * 1024 * 1024,
        bot_name: str = "summit-bot",
        bot_permissions: int | None = None,
        routes_file: Path | str | None = None,
        validate_bodies: bool = True,
        request_log_size: int = 100_000,
        host: str = "127.0.0.1",
        port: int = 0,
        sharding: ShardingLimits | None = None,
    ) -> None:
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.heartbeat_ack_delay = heartbeat_ack_delay
        self.interaction_ttl = interaction_ttl
        self.nonce_window = nonce_window
        self.attachment_size_limit = attachment_size_limit
        self.application_flags = APPLICATION_FLAGS
        self.host = host
        self.listen_port = port  # 0: any free port
        # Off by default (identify_window 0): tests restart bots on one emulator within 5 s.
        self.sharding = sharding or ShardingLimits(identify_window=0)
        now = as_now(clock)
        self.world = World(now, SnowflakeFactory(now), bot_name=bot_name, bot_permissions=bot_permissions)
        # As for every bot created since 2016, the application id is the bot user's id.
        self.application_id = self.world.bot.id
        self.bot_user_id = self.world.bot.id
        self.spec = SpecRoutes.load(routes_file)
        # Every request body is checked against the spec's request schema; only benchmarks may opt out.
        self.body_schemas: BodySchemas | None = shared_body_schemas() if validate_bodies else None
        self.limiter = RateLimiter(
            global_per_second=global_rate_limit, route_limit=route_rate_limit, route_overrides=route_rate_limits
        )
        self.commands = CommandStore(self.application_id, self.world.snowflakes)
        self.interactions = InteractionRegistry()
        self.builder = InteractionBuilder(self)
        self.attachments: dict[int, Attachment] = {}
        self.nonces: dict[tuple[int, int, str], tuple[int, Any]] = {}
        # What tests look at.
        self.requests: collections.deque[RequestRecord] = collections.deque(maxlen=request_log_size)
        self.spec_violations: list[str] = []
        self.unimplemented: list[str] = []  # documented routes the emulator does not serve (answered 404)
        self.errors_returned: collections.deque[RequestRecord] = collections.deque(maxlen=1000)
        self.internal_errors: list[str] = []
        self.stats = EmulatorStats()
        # Waiting without sleeping.
        self.gateway_signal = Signal()
        self.commands_signal = Signal()
        self.messages_signal = Signal()
        self.identify_gate = IdentifyGate(self.sharding)
        self.gateway = Gateway(self, self.gateway_signal.notify, self.identify_gate)
        self._server = Server(self)
        self._message_cursors: dict[tuple[str, int], int] = {}
        self._resumes_before_drop = 0

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> DiscordEmulator:
        await self._server.start(self.host, self.listen_port)
        return self

    async def stop(self) -> None:
        await self._server.stop()

    async def __aenter__(self) -> DiscordEmulator:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def http_base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base_url(self) -> str:
        return f"{self.http_base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        # No query: discord.py adds ?v=10&encoding=json&compress=... itself.
        return f"ws://{self.host}:{self.port}{GATEWAY_PATH}"

    # -- building the world -------------------------------------------------------------------

    def create_guild(self, name: str, *, locale: str = "en-US") -> Guild:
        guild = self.world.create_guild(name, locale)
        self.gateway.dispatch("GUILD_CREATE", self.guild_create_payload(guild, 0, joined=True), intent=GUILDS)
        return guild

    def create_text_channel(self, guild: Guild, name: str, *, topic: str | None = None) -> Channel:
        channel = self.world.create_text_channel(guild, name, topic)
        if guild.bot_present:
            self.gateway.dispatch("CHANNEL_CREATE", payloads.channel(channel), intent=GUILDS)
        return channel

    def create_role(self, guild: Guild, name: str, *, permissions: int = 0, mentionable: bool = False) -> Role:
        role = self.world.create_role(guild, name, permissions, mentionable=mentionable)
        if guild.bot_present:
            self.gateway.dispatch(
                "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": payloads.role(role)}, intent=GUILDS
            )
        return role

    def create_member(
        self,
        guild: Guild,
        name: str,
        *,
        locale: str = "en-US",
        roles: list[Role] | tuple[Role, ...] = (),
        permissions: int | None = None,
        administrator: bool = False,
    ) -> Member:
        """A new user in `guild`. `permissions` fixes the member's permissions whatever the roles."""
        member = self.world.create_member(
            guild, name, locale=locale, roles=roles, permissions=permissions, administrator=administrator
        )
        if guild.bot_present:
            event = {**payloads.member(member), "guild_id": str(guild.id)}
            self.gateway.dispatch("GUILD_MEMBER_ADD", event, intent=GUILD_MEMBERS)
        return member

    def remove_guild(self, guild: Guild) -> None:
        """The bot is kicked: GUILD_DELETE (without `unavailable`), and the guild's routes answer 403."""
        guild.bot_present = False
        self.gateway.dispatch("GUILD_DELETE", {"id": str(guild.id)}, intent=GUILDS)

    def restore_guild(self, guild: Guild) -> None:
        """The bot is invited back: GUILD_CREATE."""
        guild.bot_present = True
        self.gateway.dispatch("GUILD_CREATE", self.guild_create_payload(guild, 0, joined=True), intent=GUILDS)

    def close_dms(self, who: Member | User) -> None:
        _user(who).dms_open = False

    def open_dms(self, who: Member | User) -> None:
        _user(who).dms_open = True

    def set_missing_permission(self, guild: Guild, name: str, missing: bool = True) -> None:
        """Take a permission away from the bot in `guild` ("scheduled_events", "send_messages", ...)."""
        if name not in SWITCHABLE:
            raise ValueError(f"unknown permission switch {name!r}; known: {', '.join(sorted(SWITCHABLE))}")
        if missing:
            guild.missing_permissions.add(name)
        else:
            guild.missing_permissions.discard(name)

    # -- looking at what the bot did ----------------------------------------------------------

    def channel_messages(self, channel: Channel) -> list[Message]:
        """Messages in the channel, oldest first (ephemeral replies are not in channels)."""
        return self.world.channel_history(channel)

    def dm_messages(self, who: Member | User) -> list[Message]:
        channel = self.world.dm_by_user.get(_user(who).id)
        return self.world.channel_history(channel) if channel is not None else []

    def message_pings(self, message: Message | dict[str, Any]) -> Pings:
        return self.world.messages[int(message["id"])].pinged

    def scheduled_events(self, guild: Guild) -> list[dict[str, Any]]:
        return list(guild.scheduled_events.values())

    def registered_commands(self, guild: Guild | None = None) -> list[dict[str, Any]]:
        """Commands the bot registered: global and every guild's (or only `guild`'s)."""
        if guild is not None:
            return list(self.commands.guild_commands.get(guild.id, {}).values())
        return self.commands.all()

    @property
    def sync_count(self) -> int:
        return self.commands.sync_count

    @property
    def gateway_connects(self) -> int:
        return self.gateway.connects

    @property
    def identifies(self) -> int:
        return self.gateway.identifies

    @property
    def resumes(self) -> int:
        return self.gateway.resumes

    def assert_no_spec_violations(self) -> None:
        if self.spec_violations:
            listed = "\n  ".join(self.spec_violations)
            raise AssertionError(f"REST calls outside Discord's documented API:\n  {listed}")

    def describe_interaction(self, ix: Interaction) -> str:
        """The requests the bot made for one interaction, for failure messages."""
        marks = (str(ix.id), ix.token)
        lines = [r.describe() for r in self.requests if any(mark in r.path for mark in marks)]
        connected = self.gateway.ready_session() is not None
        head = (
            f"interaction {ix.id} ({ix.name}) by {ix.user.name} in {ix.channel!r}"
            f" (bot {'connected' if connected else 'NOT connected'} to the gateway):"
        )
        if not lines:
            return f"{head} the bot made no request for it"
        return head + "\n  " + "\n  ".join(lines)

    # -- waiting --------------------------------------------------------------------------------

    async def wait_for_ready(self, timeout: float = 10.0, *, shards: int = 1) -> None:  # noqa: ASYNC109
        """Until a bot has IDENTIFYed and been sent READY and every GUILD_CREATE (on `shards` shards)."""
        await self._wait(
            self.gateway_signal,
            lambda: len(self.gateway.ready_shards()) >= shards or None,
            timeout,
            f"the bot to connect (READY on {shards} shard(s))",
        )

    async def wait_for_commands(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Until the bot has bulk-overwritten its commands at least once."""
        await self._wait(
            self.commands_signal, lambda: self.commands.sync_count or None, timeout, "the bot to sync its commands"
        )

    async def wait_for_resumed(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Until the bot has RESUMEd since the last drop_gateway()."""
        target = self._resumes_before_drop
        await self._wait(
            self.gateway_signal, lambda: self.gateway.resumes > target or None, timeout, "the bot to RESUME"
        )

    async def wait_for_message(
        self,
        where: Channel | Member | User,
        predicate: Any = None,
        timeout: float = 5.0,  # noqa: ASYNC109 (public API, like asyncio.wait_for)
    ) -> Message:
        """The next bot message in a channel (or in the DM with a member) not returned by an earlier call.

        Messages are taken in order and each is returned once, so one sent before this call is not
        missed; `predicate(message)` skips the ones a test does not care about.
        """
        key = ("channel", where.id) if isinstance(where, Channel) else ("user", _user(where).id)
        after = self._message_cursors.get(key, 0)

        def next_message() -> Message | None:
            channel = where if isinstance(where, Channel) else self.world.dm_by_user.get(key[1])
            if channel is None:
                return None
            for message_id in channel.message_ids[_first_after(channel.message_ids, after) :]:
                message = self.world.messages[message_id]
                if predicate is None or predicate(message):
                    return message
            return None

        message = await self._wait(self.messages_signal, next_message, timeout, f"a bot message in {where!r}")
        self._message_cursors[key] = message.id
        return message

    async def _wait(self, signal: Signal, check: Any, seconds: float, what: str) -> Any:
        try:
            return await signal.wait_for(check, seconds)
        except TimeoutError:
            recent = "\n  ".join(r.describe() for r in list(self.requests)[-10:]) or "(no request)"
            raise AssertionError(f"timed out after {seconds}s waiting for {what}; last requests:\n  {recent}") from None

    # -- gateway --------------------------------------------------------------------------------

    async def drop_gateway(self, *, resumable: bool = True) -> None:
        """Cut the bot's websocket without a close frame; discord.py then reconnects and RESUMEs.

        With resumable=False the session is forgotten too: the RESUME gets INVALID_SESSION and
        discord.py identifies again (await wait_for_ready() then).
        """
        self._resumes_before_drop = self.gateway.resumes
        await self.gateway.drop_connections(forget_sessions=not resumable)

    def guild_create_payload(self, guild: Guild, intents: int, *, joined: bool = False) -> dict[str, Any]:
        return payloads.guild_create(
            guild, self.application_id, self.bot_user_id, all_members=bool(intents & GUILD_MEMBERS), joined=joined
        )

    # -- hooks used by the REST handlers ------------------------------------------------------------

    def on_message_created(self, message: Message) -> None:
        self.stats.messages += 1
        self._dispatch_message("MESSAGE_CREATE", message)
        self.messages_signal.notify()

    def on_message_updated(self, message: Message) -> None:
        for interaction in message.interactions:
            interaction.changed()
        # Only interactions still waiting for this edit need to hear about later ones.
        message.interactions = [ix for ix in message.interactions if not ix.settled]
        self._dispatch_message("MESSAGE_UPDATE", message)
        self.messages_signal.notify()

    def delete_message(self, message: Message) -> None:
        self.world.delete_message(message)
        channel = self.world.channels[message.channel_id]
        event: dict[str, Any] = {"id": str(message.id), "channel_id": str(channel.id)}
        if channel.guild_id is not None:
            event["guild_id"] = str(channel.guild_id)
        self.gateway.dispatch("MESSAGE_DELETE", event, intent=DIRECT_MESSAGES if channel.type == DM else GUILD_MESSAGES)
        for interaction in message.interactions:
            interaction.changed()

    def _dispatch_message(self, event: str, message: Message) -> None:
        if message.ephemeral or not self.gateway.sessions:
            return
        channel = self.world.channels[message.channel_id]
        if channel.type == DM:
            self.gateway.dispatch(event, message, intent=DIRECT_MESSAGES)
            return
        data = {**message, "guild_id": str(channel.guild_id)}
        self.gateway.dispatch(event, data, intent=GUILD_MESSAGES)


def _user(who: Member | User) -> User:
    return who.user if isinstance(who, Member) else who


def _first_after(ids: list[int], after: int) -> int:
    return bisect.bisect_right(ids, after)
