"""`summit-bot status`: what the store says runs — live processes and their leases, dead ones still holding
claims, and the reminders due next. Read-only; the same on both stores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.reminders.planning import Audience, plan_event
from bot.storage.database import Database
from bot.storage.repositories.deliveries import DeliveryRepository
from bot.storage.repositories.events import EventRepository
from bot.storage.repositories.processes import ProcessRepository, ProcessRow
from bot.storage.repositories.reminders import ReminderRepository

STATUS_SCHEMA = 8  # the migration that added bot_processes


@dataclass(frozen=True)
class ProcessStatus:
    process: ProcessRow
    alive: bool
    claims: int  # ledger rows 'claimed' by it, not settled yet


@dataclass(frozen=True)
class DueReminder:
    due_at: datetime
    guild_id: int
    event_id: int
    event_key: str
    audience: Audience
    lead_seconds: int
    recipients: int  # members for a DM reminder, 1 for a channel post


@dataclass(frozen=True)
class Status:
    at: datetime
    processes: list[ProcessStatus]
    unowned_claims: int  # claimed before processes were recorded (no holder): taken over like a dead one's
    due: list[DueReminder]

    @property
    def live(self) -> list[ProcessStatus]:
        return [entry for entry in self.processes if entry.alive]

    @property
    def dead(self) -> list[ProcessStatus]:
        return [entry for entry in self.processes if not entry.alive]


async def read_status(database: Database, *, now: datetime, next_count: int = 10) -> Status:
    held = await DeliveryRepository(database).claims_by_holder()
    processes = [
        ProcessStatus(row, row.alive_at(now), held.pop(row.id, 0)) for row in await ProcessRepository(database).all()
    ]
    unowned = held.pop(None, 0)
    # Claims of a process whose row is gone (a clean stop that was cut short): no holder alive either.
    unowned += sum(held.values())
    return Status(now, processes, unowned, await _due_next(database, now, next_count))


async def _due_next(database: Database, now: datetime, count: int) -> list[DueReminder]:
    reminders, events = ReminderRepository(database), EventRepository(database)
    planned = []
    for guild_id in sorted(await reminders.guilds_with_reminders()):
        channel_leads = await reminders.channel_leads(guild_id)
        for event in await events.list(guild_id):
            dm_leads = await reminders.dm_leads(guild_id, event.id)
            since = await reminders.dated_since(event.id)
            jobs = plan_event(event, dm_leads=dm_leads, channel_leads=channel_leads, dated_since=since)
            planned += [(job, event.key) for job in jobs if job.due_at > now]
    planned.sort(key=lambda pair: (pair[0].due_at, pair[0].event_id, pair[0].audience.value, pair[0].lead))
    due = []
    for job, key in planned[:count]:
        if job.audience is Audience.DM:
            recipients = len(await reminders.followers(job.guild_id, job.event_id, lead=job.lead))
        else:
            recipients = 1
        due.append(DueReminder(job.due_at, job.guild_id, job.event_id, key, job.audience, job.lead, recipients))
    return due


def _seconds(value: float) -> str:
    return f"{value:.1f} s"


def _lead(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{rest // 60}m" if rest // 60 else ""]
    return " ".join(part for part in parts if part) or f"{seconds}s"


def _shards(row: ProcessRow) -> str:
    return f"{','.join(map(str, row.shard_ids)) or '-'} of {row.shard_count}"


def render_text(status: Status) -> str:
    at = status.at
    lines = [f"summit-bot status at {at.isoformat(timespec='seconds')}"]
    lines.append(f"live processes: {len(status.live)}")
    for entry in status.live:
        row = entry.process
        latency = "not connected" if row.latency_ms is None else f"{row.latency_ms} ms"
        stopping = ", stopping" if row.stopping else ""
        lines.append(
            f"  {row.id}  {row.host} pid {row.pid}  shards {_shards(row)}  latency {latency}"
            f"  heartbeat {_seconds((at - row.heartbeat_at).total_seconds())} ago"
            f"  lease {_seconds((row.lease_until - at).total_seconds())} left  claims held {entry.claims}{stopping}"
        )
    lines.append(f"dead processes (lease ended): {len(status.dead)}")
    for entry in status.dead:
        row = entry.process
        fate = "being taken over by the live processes" if entry.claims else "nothing left to take over"
        lines.append(
            f"  {row.id}  {row.host} pid {row.pid}  shards {_shards(row)}"
            f"  lease ended {_seconds((at - row.lease_until).total_seconds())} ago  claims held {entry.claims} ({fate})"
        )
    if status.unowned_claims:
        lines.append(f"claims with no process: {status.unowned_claims} (taken over at the next sweep)")
    lines.append(f"reminders due next: {len(status.due)}")
    for due in status.due:
        who = f"{due.recipients} member(s) by DM" if due.audience is Audience.DM else "a channel post"
        lines.append(
            f"  {due.due_at.isoformat(timespec='seconds')}  event {due.event_key} (#{due.event_id}, server"
            f" {due.guild_id})  {_lead(due.lead_seconds)} before  {who}"
        )
    return "\n".join(lines)


def to_json(status: Status) -> dict[str, Any]:
    def process(entry: ProcessStatus) -> dict[str, Any]:
        row = entry.process
        return {
            "id": row.id, "host": row.host, "pid": row.pid, "shard_ids": list(row.shard_ids),
            "shard_count": row.shard_count, "started_at": row.started_at.isoformat(),
            "heartbeat_at": row.heartbeat_at.isoformat(), "lease_until": row.lease_until.isoformat(),
            "latency_ms": row.latency_ms, "stopping": row.stopping, "alive": entry.alive, "claims": entry.claims,
        }  # fmt: skip

    return {
        "at": status.at.isoformat(),
        "processes": [process(entry) for entry in status.processes],
        "unowned_claims": status.unowned_claims,
        "due": [
            {
                "due_at": due.due_at.isoformat(),
                "guild_id": due.guild_id,
                "event_id": due.event_id,
                "event_key": due.event_key,
                "audience": due.audience.value,
                "lead_seconds": due.lead_seconds,
                "recipients": due.recipients,
            }
            for due in status.due
        ],
    }
