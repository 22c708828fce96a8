"""docs/deployment.md quotes `summit-bot status` as it prints: every line of its status examples has the shape
of a line bot/cluster/status.py renders (numbers, ids and times aside), so a change of the output that
leaves the guide behind fails here."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.cluster.status import DueReminder, ProcessStatus, Status, render_text
from bot.reminders.planning import Audience
from bot.storage.repositories.processes import ProcessRow

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"


def shape(line: str) -> str:
    line = re.sub(r"\b[0-9a-f]{16}\b", "<id>", line)
    return re.sub(r"\d+(\.\d+)?", "<n>", line)


def status_examples() -> list[list[str]]:
    """The lines printed after each `$ summit-bot status` of the guide."""
    examples, current = [], None
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        if line == "$ summit-bot status":
            current = []
        elif current is not None and line.startswith("```"):
            examples.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return examples


def rendered_shapes() -> set[str]:
    at = datetime(2026, 12, 7, 4, 56, 30, tzinfo=UTC)

    def row(pid: int, lease: float, shards: tuple[int, ...]) -> ProcessRow:
        heartbeat = at - timedelta(seconds=1.5)
        return ProcessRow(f"{pid:016x}", "vm", pid, shards, 6, at, heartbeat, at + timedelta(seconds=lease), 21, False)

    processes = [
        ProcessStatus(row(10324, 28.5, (4, 5)), True, 0),
        ProcessStatus(row(10321, -1.0, (0, 1)), False, 16),
        ProcessStatus(row(10322, -12.5, (2, 3)), False, 0),
    ]
    due = [DueReminder(at + timedelta(minutes=1), 1579360232172158976, 361, "demo", Audience.DM, 60, 500)]
    texts = [render_text(Status(at, processes, 0, due)), render_text(Status(at, [], 0, []))]
    return {shape(line) for text in texts for line in text.splitlines()}


def test_the_guide_quotes_summit_bot_status_as_it_prints() -> None:
    examples = status_examples()
    assert len(examples) >= 5, "the walk-through shows status before, during and after the takeover"
    shapes = rendered_shapes()
    for example in examples:
        assert example and example[0].startswith("summit-bot status at "), example
        for line in example:
            assert shape(line) in shapes, f"not a line summit-bot status prints: {line!r}"
