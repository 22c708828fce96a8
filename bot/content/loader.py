"""Load and fingerprint the content the bot serves from data/.

Errors name the file and the key path inside it (e.g. `events.toml: events[key=kigali-2025].end: …`),
so whoever edited data/ can find the mistake without reading a traceback.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.content.models import Content

DEFAULT_DATA_DIR = Path(__file__).parents[2] / "data"

DECLARATION_FILE = "declaration/declaration.toml"
SIGNATORIES_FILE = "signatories.toml"
EVENTS_FILE = "events.toml"
# What content_hash covers: the files the bot serves from data/. data/i18n/ is left out on purpose: it
# belongs to the translations, which are fingerprinted on their own.
HASHED_ENTRIES = ("declaration", SIGNATORIES_FILE, EVENTS_FILE)

# Each part of Content comes from one file; signatories.toml and events.toml hold one array each.
_FILE_OF = {"declaration": DECLARATION_FILE, "signatories": SIGNATORIES_FILE, "events": EVENTS_FILE}
# Fields that identify an element of an array, shown in key paths instead of a bare index.
_IDENTITY_FIELDS = ("key", "number", "position")


@dataclass(frozen=True)
class ContentProblem:
    file: str  # relative to the data directory, or "" for a problem across files
    key: str  # key path inside the file, or "" for the whole file
    reason: str

    def __str__(self) -> str:
        return ": ".join(part for part in (self.file, self.key, self.reason) if part)


class ContentError(Exception):
    """data/ cannot be served; `problems` names every file and key at fault."""

    def __init__(self, data_dir: Path, problems: list[ContentProblem]) -> None:
        self.data_dir = data_dir
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"invalid content in {data_dir}:\n{lines}")


def load_content(data_dir: Path = DEFAULT_DATA_DIR) -> Content:
    """Read and validate the declaration, the signatories and the shipped events."""
    problems: list[ContentProblem] = []
    declaration = _read_toml(data_dir, DECLARATION_FILE, problems)
    signatories = _read_toml(data_dir, SIGNATORIES_FILE, problems)
    events = _read_toml(data_dir, EVENTS_FILE, problems)
    if problems:
        raise ContentError(data_dir, problems)
    raw: dict[str, Any] = {"declaration": declaration}
    for name, document in (("signatories", signatories), ("events", events)):
        problems.extend(
            ContentProblem(_FILE_OF[name], key, "unknown key (the file holds only [[" + name + "]])")
            for key in document
            if key != name
        )
        if name in document:
            raw[name] = document[name]
    if problems:
        raise ContentError(data_dir, problems)
    try:
        return Content.model_validate(raw)
    except ValidationError as exc:
        raise ContentError(data_dir, [_problem(error, raw) for error in exc.errors()]) from None


def content_hash(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """sha256 over the relative path and bytes of every served file, so any edit to them changes it."""
    digest = hashlib.sha256()
    for path in _served_files(data_dir):
        data = path.read_bytes()
        # Path and length first, so no two different file sets can produce the same byte stream.
        digest.update(f"{path.relative_to(data_dir).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _served_files(data_dir: Path) -> list[Path]:
    files: list[Path] = []
    for entry in HASHED_ENTRIES:
        path = data_dir / entry
        if path.is_dir():
            files.extend(f for f in path.rglob("*") if f.is_file() and not _hidden(f, data_dir))
        elif path.is_file():
            files.append(path)
    return sorted(files, key=lambda found: found.relative_to(data_dir).as_posix())


def _hidden(path: Path, data_dir: Path) -> bool:
    # Editor swap files and the like are not content.
    return any(part.startswith(".") for part in path.relative_to(data_dir).parts)


def _read_toml(data_dir: Path, name: str, problems: list[ContentProblem]) -> dict[str, Any]:
    try:
        return tomllib.loads((data_dir / name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(ContentProblem(name, "", "file does not exist"))
    except tomllib.TOMLDecodeError as exc:
        problems.append(ContentProblem(name, "", f"not valid TOML: {exc}"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(ContentProblem(name, "", f"cannot be read: {exc}"))
    return {}


def _problem(error: Any, raw: dict[str, Any]) -> ContentProblem:
    loc = tuple(error["loc"])
    reason = _reason(error)
    if not loc:
        # A check across files: its message names the files and keys involved.
        return ContentProblem("", "", reason)
    file = _FILE_OF[str(loc[0])]
    # declaration.toml's keys are the Declaration's fields; the other files hold one array named as the field.
    path, document = (loc[1:], raw["declaration"]) if loc[0] == "declaration" else (loc, raw)
    return ContentProblem(file, _key_path(path, document), reason)


def _key_path(loc: tuple[Any, ...], document: Any) -> str:
    """("events", 2, "end") -> "events[key=kigali-2025].end", looking up the element's identifying field."""
    parts: list[str] = []
    node = document
    for step in loc:
        if isinstance(step, int):
            element = node[step] if isinstance(node, list) and step < len(node) else None
            identity = next((f for f in _IDENTITY_FIELDS if isinstance(element, dict) and f in element), None)
            parts.append(f"[{identity}={element[identity]}]" if identity else f"[{step}]")
            node = element
        else:
            parts.append(f".{step}" if parts else str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts)


def _reason(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key"
    if error["type"] == "missing":
        return "required key is missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    value = error.get("input")
    # Show what was typed, except where our own message already says it.
    shown = isinstance(value, str | int | float) and not isinstance(value, bool)
    if shown and error["type"] != "value_error":
        message = f"{message} (found {value!r})"
    return message
