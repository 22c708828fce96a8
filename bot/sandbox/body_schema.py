"""Request bodies checked against the request schemas of Discord's OpenAPI spec.

bot/sandbox/discord_request_schemas.json holds, for every documented operation that takes a body,
its JSON and multipart schemas, plus the component schemas they reach (regenerate it with
`python -m bot.sandbox.body_schema path/to/openapi.json`). The spec is OpenAPI 3.1, i.e. JSON Schema
2020-12 with `$ref`s to #/components/schemas: the whole file is one resource in a `referencing`
registry, and each operation gets one Draft202012Validator, built on first use and kept.

Speed: the emulator checks every request of the test suite and of the benchmarks. `oneOf` is
rewritten to `anyOf` on load: Discord's unions are told apart by a `type` (or are `null | X`), so
"exactly one" and "at least one" accept the same bodies, but `anyOf` stops at the first branch that
fits where `oneOf` must try them all. A body already found valid for an operation (same bytes) is
not checked again: the benchmarks send the same answers over and over (measured on `bench --quick
--only interactions`: 99 % of bodies are known, about 10 µs each; a new body 0.7 ms once warm).
"""

from __future__ import annotations

import collections
import functools
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, relevance
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMAS_FILE = Path(__file__).with_name("discord_request_schemas.json")
_BASE_URI = "urn:discord-api-spec"
JSON = "application/json"
MULTIPART = "multipart/form-data"
_VALID_CACHE_SIZE = 4096
_SHOWN_VALUE = 60  # characters of an offending value quoted in a violation


# Top-level fields that discord.py itself sends as integers where the schema wants a snowflake string,
# with no public API to send a string instead: taken as their string, everything else checked.
_DISCORD_PY_INTEGER_IDS: dict[str, frozenset[str]] = {
    # discord.py 2.7.1 http.py:872 `'recipient_id': user_id` (User.create_dm, so every DM the bot sends)
    "POST /users/@me/channels": frozenset({"recipient_id"}),
}


@dataclass(frozen=True)
class _Operation:
    index: int  # in the document's "operations"
    kinds: frozenset[str]  # the content types it documents a schema for
    required: bool


@dataclass(frozen=True)
class BodyViolation:
    """Where a body departs from the schema: `path` like "data.attachments[0].id" ("" for the body itself)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class BodySchemas:
    def __init__(self, document: dict[str, Any]) -> None:
        document = _one_of_as_any_of(document)
        self._operations = {
            f"{op['method']} {op['path']}": _Operation(index, frozenset(op["schemas"]), op["required"])
            for index, op in enumerate(document["operations"])
        }
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry: Registry = Registry().with_resource(_BASE_URI, resource)
        self._validators: dict[tuple[str, str], Draft202012Validator] = {}
        self._valid: collections.OrderedDict[tuple[str, str, bytes], None] = collections.OrderedDict()

    @classmethod
    def load(cls, path: Path | str | None = None) -> BodySchemas:
        return cls(json.loads(Path(path or SCHEMAS_FILE).read_text(encoding="utf-8")))

    def check(
        self, route: str, body: Any, *, multipart: bool = False, raw: bytes | None = None
    ) -> BodyViolation | None:
        """The first departure of BODY from the request schema of ROUTE ("POST /channels/{channel_id}/messages").

        `body` is the decoded JSON (or multipart payload_json), None when there was none; `raw` its bytes,
        which key the cache of bodies already found valid.
        """
        operation = self._operations.get(route)
        if operation is None:
            if body is None:
                return None
            return BodyViolation("", "this operation takes no request body")
        if body is None:
            if operation.required and not multipart:
                return BodyViolation("", "a request body is required")
            return None
        kind = MULTIPART if multipart and MULTIPART in operation.kinds else JSON
        if kind not in operation.kinds:
            return BodyViolation("", f"this operation takes no {kind} body")
        tolerated = _DISCORD_PY_INTEGER_IDS.get(route)
        if tolerated and isinstance(body, dict):
            body = {name: _id_string(value) if name in tolerated else value for name, value in body.items()}
        # A digest, not the bytes: thousands of remembered bodies stay a few hundred kB.
        key = (route, kind, hashlib.blake2b(raw, digest_size=16).digest()) if raw is not None else None
        if key is not None and key in self._valid:
            self._valid.move_to_end(key)
            return None
        validator = self._validator(route, kind, operation.index)
        error = _first_error(validator, body)
        if error is None:
            if key is not None:
                self._valid[key] = None
                if len(self._valid) > _VALID_CACHE_SIZE:
                    self._valid.popitem(last=False)
            return None
        return BodyViolation(_field_path(error.absolute_path), _message(error))

    def _validator(self, route: str, kind: str, index: int) -> Draft202012Validator:
        validator = self._validators.get((route, kind))
        if validator is None:
            schema = {"$ref": f"{_BASE_URI}#/operations/{index}/schemas/{kind.replace('/', '~1')}"}
            validator = Draft202012Validator(schema, registry=self._registry)
            self._validators[(route, kind)] = validator
        return validator


@functools.cache
def shared_body_schemas() -> BodySchemas:
    """One instance per process: its validators and its cache of valid bodies serve every emulator."""
    return BodySchemas.load()


def _first_error(validator: Draft202012Validator, body: Any) -> ValidationError | None:
    """The most telling error, descending into unions to the branch that fits the body's kind."""
    error = max(validator.iter_errors(body), key=relevance, default=None)
    while error is not None and error.context:
        error = _branch_error(error)
    return error


def _branch_error(union: ValidationError) -> ValidationError:
    # Errors of the branch the body was meant for: not one that rejected its `type` discriminator or
    # its null-ness; among those the closest (fewest errors: 30 choices are one `maxItems` away from
    # the string branch, 30 errors away from the integer one), then the one that got deepest.
    branches: dict[Any, list[ValidationError]] = collections.defaultdict(list)
    for error in union.context or ():
        branches[error.schema_path[0] if error.schema_path else None].append(error)
    candidates = [errors for errors in branches.values() if not any(_is_discriminator(e, union) for e in errors)]
    chosen = candidates or list(branches.values())
    errors = min(chosen, key=lambda errs: (len(errs), -max(len(e.absolute_path) for e in errs)))
    return max(errors, key=lambda e: len(e.absolute_path))


def _is_discriminator(error: ValidationError, union: ValidationError) -> bool:
    relative = list(error.absolute_path)[len(union.absolute_path) :]
    if len(relative) == 1 and error.validator in ("enum", "const"):
        return True  # a branch for another kind (`type`, `entity_type`…) of object
    return not relative and error.validator == "type" and error.validator_value == "null"  # `null` of `null | X`


def _message(error: ValidationError) -> str:
    """jsonschema's message, with the offending value cut short: it can be a 30-item list or 6,000 characters."""
    shown = repr(error.instance)
    if len(shown) > _SHOWN_VALUE and error.message.startswith(shown):
        return f"{shown[: _SHOWN_VALUE - 1]}…{error.message[len(shown) :]}"
    return error.message


def _id_string(value: Any) -> Any:
    return str(value) if type(value) is int else value


def _field_path(path: collections.deque[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _one_of_as_any_of(node: Any) -> Any:
    if isinstance(node, dict):
        return {("anyOf" if key == "oneOf" else key): _one_of_as_any_of(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_one_of_as_any_of(value) for value in node]
    return node


# --- regenerating the data file from Discord's spec -----------------------------------------------


def extract(openapi: dict[str, Any], source_rev: str = "") -> dict[str, Any]:
    """From the full spec: each operation's JSON/multipart request schemas and the components they reach."""
    operations = []
    wanted: set[str] = set()
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if not body:
                continue
            schemas = {kind: spec["schema"] for kind, spec in body["content"].items() if kind in (JSON, MULTIPART)}
            operations.append(
                {"method": method.upper(), "path": path, "required": bool(body.get("required")), "schemas": schemas}
            )
            wanted |= _refs(schemas)
    components = openapi["components"]["schemas"]
    kept: dict[str, Any] = {}
    pending = list(wanted)
    while pending:
        name = pending.pop().rsplit("/", 1)[-1]
        if name not in kept:
            kept[name] = components[name]
            pending.extend(_refs(components[name]))
    return {
        "source": "https://github.com/discord/discord-api-spec specs/openapi.json",
        "source_rev": source_rev,
        "note": "request-body schemas of Discord's OpenAPI spec; the emulator checks every request body against them",
        "operations": operations,
        "components": {"schemas": dict(sorted(kept.items()))},
    }


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node)) if node else set()
    return set()


if __name__ == "__main__":  # python -m bot.sandbox.body_schema openapi.json [source_rev]
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    rev = sys.argv[2] if len(sys.argv) > 2 else ""
    SCHEMAS_FILE.write_text(json.dumps(extract(spec, rev), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
