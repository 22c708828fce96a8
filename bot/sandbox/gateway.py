"""The gateway: one websocket per bot connection, sessions that survive drops and RESUME.

Protocol (v10, JSON encoding): HELLO → IDENTIFY → READY (guilds as unavailable stubs) then one
GUILD_CREATE per guild; HEARTBEAT → HEARTBEAT_ACK; RESUME replays the dispatches the client
missed, then RESUMED; an unknown session gets INVALID_SESSION (false) so the client identifies again.

A session outlives its connection unless the client closed with 1000/1001 (as on Discord): events
dispatched while the bot is disconnected are buffered and replayed on RESUME.

Shards (see sharding.py): a session that identified with `shard: [id, count]` gets only its guilds'
events (READY and GUILD_CREATE included) and, on shard 0, the DMs; one without `shard` gets everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from . import payloads
from .compression import Compressor, compressor_for
from .sharding import (
    INVALID_SHARD,
    SHARDING_REQUIRED,
    IdentifyGate,
    InvalidShard,
    event_guild_id,
    parse_shard,
    shard_of,
)
from .snowflakes import session_id

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE_UPDATE, VOICE_STATE_UPDATE = 0, 1, 2, 3, 4
RESUME, RECONNECT, REQUEST_GUILD_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 6, 7, 8, 9, 10, 11

# Intents (what the bot asked for decides which events it gets).
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
GUILD_SCHEDULED_EVENTS = 1 << 16

# Close codes.
UNKNOWN_OPCODE, DECODE_ERROR, NOT_AUTHENTICATED, AUTHENTICATION_FAILED, ALREADY_AUTHENTICATED = (
    4001,
    4002,
    4003,
    4004,
    4005,
)
INVALID_API_VERSION = 4012

REPLAY_BUFFER = 10_000  # dispatches kept per session for RESUME


def _json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


class Connection:
    """One websocket. Frames go through a queue so they leave in the order they were produced."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, compressor: Compressor | None) -> None:
        self.ws = ws
        self.request = request
        self.compressor = compressor
        self.session: Session | None = None
        self.closed = asyncio.Event()
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._writer = asyncio.create_task(self._write(), name="sandbox-gateway-writer")

    def send(self, text: str) -> None:
        self._queue.put_nowait(text)

    def send_payload(self, payload: dict[str, Any]) -> None:
        self.send(_json(payload))

    async def close(self, code: int, reason: str) -> None:
        """Close after what is queued has gone out."""
        self._queue.put_nowait(None)
        with contextlib.suppress(Exception):
            await self._writer
        await self.ws.close(code=code, message=reason.encode())

    def abort(self) -> None:
        """Drop the TCP connection without a close frame, as a network failure would."""
        transport = self.request.transport
        if transport is not None:
            transport.abort()

    async def stop_writer(self) -> None:
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._writer

    async def _write(self) -> None:
        while True:
            text = await self._queue.get()
            if text is None:
                return
            if self.ws.closed:
                return
            try:
                if self.compressor is None:
                    await self.ws.send_str(text)
                else:
                    await self.ws.send_bytes(self.compressor.compress(text))
            except (ConnectionError, RuntimeError):
                return


class Session:
    def __init__(self, sid: str, intents: int, shard: tuple[int, int] | None = None) -> None:
        self.id = sid
        self.intents = intents
        self.shard = shard  # (shard_id, shard_count), None when the client did not shard
        self.seq = 0
        self.buffer: deque[tuple[int, str]] = deque(maxlen=REPLAY_BUFFER)
        self.connection: Connection | None = None
        self.ready = False
        self.terminated = False

    def dispatch(self, event: str, data: Any) -> None:
        self.seq += 1
        text = _json({"op": DISPATCH, "t": event, "s": self.seq, "d": data})
        self.buffer.append((self.seq, text))
        if self.connection is not None:
            self.connection.send(text)

    @property
    def shard_id(self) -> int:
        return self.shard[0] if self.shard is not None else 0

    def receives(self, guild_id: int | None) -> bool:
        """Whether this session is the one a guild's events (None: a DM's) are routed to."""
        if self.shard is None:
            return True
        return shard_of(guild_id, self.shard[1]) == self.shard[0]

    def replay_after(self, seq: int) -> list[str] | None:
        """The frames after `seq`, or None when some of them are no longer buffered."""
        if seq > self.seq:
            return None
        if seq == self.seq:
            return []
        if not self.buffer or self.buffer[0][0] > seq + 1:
            return None
        return [text for number, text in self.buffer if number > seq]


class Gateway:
    def __init__(self, emu: DiscordEmulator, on_change: Callable[[], None], gate: IdentifyGate) -> None:
        self.emu = emu
        self.on_change = on_change
        self.gate = gate
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.connects = 0
        self.identifies = 0
        self.identifies_refused = 0  # answered op 9 by the per-bucket window or the session start limit
        self.resumes = 0

    # -- what the rest of the emulator uses ---------------------------------------------

    def live_sessions(self) -> list[Session]:
        return [s for s in self.sessions.values() if not s.terminated]

    def ready_session(self) -> Session | None:
        """A session that got READY and its guilds, and whose bot is connected now."""
        for session in self.sessions.values():
            if session.ready and not session.terminated and session.connection is not None:
                return session
        return None

    def ready_shards(self) -> set[int]:
        """The shard ids whose session got READY and is connected now."""
        return {s.shard_id for s in self.sessions.values() if s.ready and not s.terminated and s.connection is not None}

    def dispatch(self, event: str, data: Any, *, intent: int | None = None) -> int:
        """Send a dispatch to every session that has `intent` and whose shard the event's guild is on
        (DMs: shard 0); returns how many got it."""
        guild_id = event_guild_id(event, data)
        count = 0
        for session in self.live_sessions():
            if (intent is None or session.intents & intent) and session.receives(guild_id):
                session.dispatch(event, data)
                count += 1
        return count

    async def drop_connections(self, *, forget_sessions: bool = False) -> int:
        connections = [c for c in self.connections if c.session is not None]
        for connection in connections:
            if forget_sessions and connection.session is not None:
                self._terminate(connection.session)
            connection.abort()
        for connection in connections:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(connection.closed.wait(), 5)
        return len(connections)

    async def close_all(self) -> None:
        for connection in list(self.connections):
            connection.abort()
            await connection.stop_writer()

    # -- the websocket handler ------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoclose=False, max_msg_size=0, compress=False)
        await ws.prepare(request)
        try:
            compressor = compressor_for(request.query.get("compress"))
        except ValueError:
            await ws.close(code=DECODE_ERROR, message=b"Unsupported compression")
            return ws
        connection = Connection(ws, request, compressor)
        self.connections.add(connection)
        self.connects += 1
        try:
            if request.query.get("v", "10") not in ("9", "10"):
                await connection.close(INVALID_API_VERSION, "Invalid API version")
                return ws
            if request.query.get("encoding", "json") != "json":
                await connection.close(DECODE_ERROR, "Only JSON encoding is emulated")
                return ws
            connection.send_payload({"op": HELLO, "d": {"heartbeat_interval": self.emu.heartbeat_interval_ms}})
            await self._receive_loop(connection)
        finally:
            self._detach(connection)
            await connection.stop_writer()
            self.connections.discard(connection)
            connection.closed.set()
            self.on_change()
        return ws

    async def _receive_loop(self, connection: Connection) -> None:
        ws = connection.ws
        while True:
            message = await ws.receive()
            if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                raw = message.data if message.type is WSMsgType.TEXT else message.data.decode()
                try:
                    payload = json.loads(raw)
                    op = payload["op"]
                except (ValueError, KeyError, TypeError):
                    await connection.close(DECODE_ERROR, "Error while decoding payload.")
                    return
                if not await self._handle_op(connection, op, payload.get("d")):
                    return
            elif message.type is WSMsgType.CLOSE:
                # Discord forgets the session only on a clean 1000/1001 close by the client.
                if connection.session is not None and ws.close_code in (1000, 1001):
                    self._terminate(connection.session)
                with contextlib.suppress(Exception):
                    await ws.close()
                return
            else:  # CLOSING, CLOSED, ERROR: the connection went away
                return

    async def _handle_op(self, connection: Connection, op: int, data: Any) -> bool:
        """Handles one client payload; False when the connection was closed."""
        if op == HEARTBEAT:
            self._acknowledge_heartbeat(connection)
            return True
        if op == IDENTIFY:
            return await self._identify(connection, data or {})
        if op == RESUME:
            return await self._resume(connection, data or {})
        if connection.session is None:
            await connection.close(NOT_AUTHENTICATED, "Not authenticated.")
            return False
        if op in (PRESENCE_UPDATE, VOICE_STATE_UPDATE):
            return True
        if op == REQUEST_GUILD_MEMBERS:
            self._send_member_chunk(connection.session, data or {})
            return True
        await connection.close(UNKNOWN_OPCODE, "Unknown opcode.")
        return False

    def _acknowledge_heartbeat(self, connection: Connection) -> None:
        """At once, unless the emulator plays a network's round trip (`summit-bot emulator` does): on loopback
        an instant ACK can reach discord.py before its heartbeat thread records the send, and it then reports
        a whole heartbeat interval (41 s) as the gateway latency. Delayed, a dispatch may go before the ACK."""
        delay = self.emu.heartbeat_ack_delay
        if delay <= 0:
            connection.send_payload({"op": HEARTBEAT_ACK})
        else:
            asyncio.get_running_loop().call_later(delay, connection.send_payload, {"op": HEARTBEAT_ACK})

    async def _identify(self, connection: Connection, data: dict[str, Any]) -> bool:
        if connection.session is not None:
            await connection.close(ALREADY_AUTHENTICATED, "Already authenticated.")
            return False
        if data.get("token") != self.emu.token:
            await connection.close(AUTHENTICATION_FAILED, "Authentication failed.")
            return False
        try:
            shard = parse_shard(data.get("shard"))
        except InvalidShard:
            await connection.close(INVALID_SHARD, "Invalid shard.")
            return False
        world = self.emu.world
        probe = Session("", 0, shard)
        guilds = [g for g in world.guilds.values() if g.bot_present and probe.receives(g.id)]
        if len(guilds) > self.gate.limits.sharding_threshold:
            await connection.close(SHARDING_REQUIRED, "Sharding required.")
            return False
        refused = self.gate.admit(probe.shard_id)
        if refused is not None:
            log.info("sandbox gateway: IDENTIFY refused (%s)", refused)
            self.identifies_refused += 1
            connection.send_payload({"op": INVALID_SESSION, "d": False})
            self.on_change()
            return True
        # A new IDENTIFY of a shard means a new bot process for it: that shard's sessions left without
        # a connection are dropped (discord.py closes with 4000 on Client.close(), which would
        # otherwise keep them resumable), and so are those of an earlier shard count.
        for orphan in [s for s in self.sessions.values() if s.connection is None and _replaced_by(s, probe)]:
            self._terminate(orphan)
        session = Session(session_id(), int(data.get("intents") or 0), shard)
        self.sessions[session.id] = session
        session.connection = connection
        connection.session = session
        self.identifies += 1
        ready: dict[str, Any] = {
            "v": 10,
            "user": payloads.current_user(world.bot),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.emu.gateway_url,
            "application": {"id": str(self.emu.application_id), "flags": self.emu.application_flags},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "guild_join_requests": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": ["emulated"],
            "auth": {},
            "_trace": ['["gateway-emulated",{"micros":0}]'],
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        session.dispatch("READY", ready)
        for guild in guilds:
            session.dispatch("GUILD_CREATE", self.emu.guild_create_payload(guild, session.intents))
        session.ready = True
        self.on_change()
        return True

    async def _resume(self, connection: Connection, data: dict[str, Any]) -> bool:
        if data.get("token") != self.emu.token:
            await connection.close(AUTHENTICATION_FAILED, "Authentication failed.")
            return False
        session = self.sessions.get(str(data.get("session_id")))
        frames = None
        if session is not None and not session.terminated:
            frames = session.replay_after(int(data.get("seq") or 0))
        if session is None or frames is None:
            connection.send_payload({"op": INVALID_SESSION, "d": False})
            if session is not None:
                self._terminate(session)
            return True
        if session.connection is not None and session.connection is not connection:
            session.connection.session = None
            session.connection.abort()
        for text in frames:
            connection.send(text)
        session.connection = connection
        connection.session = session
        session.dispatch("RESUMED", {"_trace": ['["gateway-emulated",{"micros":0}]']})  # discord.py writes into d
        self.resumes += 1
        self.on_change()
        return True

    def _send_member_chunk(self, session: Session, data: dict[str, Any]) -> None:
        guild = self.emu.world.guilds.get(int(data.get("guild_id") or 0))
        if guild is None:
            return
        members = list(guild.members.values())
        user_ids = data.get("user_ids")
        if user_ids:
            wanted = {int(x) for x in ([user_ids] if isinstance(user_ids, str | int) else user_ids)}
            members = [m for m in members if m.user_id in wanted]
        elif data.get("query"):
            prefix = str(data["query"]).lower()
            members = [m for m in members if m.name.lower().startswith(prefix)]
        if data.get("limit"):
            members = members[: int(data["limit"])]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [payloads.member(m) for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        session.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    def _detach(self, connection: Connection) -> None:
        session = connection.session
        if session is not None and session.connection is connection:
            session.connection = None

    def _terminate(self, session: Session) -> None:
        session.terminated = True
        session.ready = False
        self.sessions.pop(session.id, None)
        self.on_change()


def _replaced_by(old: Session, new: Session) -> bool:
    """Whether `new` takes over what `old` carried: the same shard, or a different split of the guilds."""
    old_count = old.shard[1] if old.shard else 1
    new_count = new.shard[1] if new.shard else 1
    return old.shard_id == new.shard_id or old_count != new_count
