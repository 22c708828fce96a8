"""Discord's documented REST routes, and matching a concrete request path against them.

The route list (bot/sandbox/discord_routes.json) holds the method and path template of every
operation in Discord's OpenAPI spec. Templates are kept in a segment trie, so matching costs one
dict lookup per path segment whatever the number of routes. `{param}` matches any one segment;
literal segments (`@me`, `@original`, `search`) win over parameters, as in Discord's router.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

ROUTES_FILE = Path(__file__).with_name("discord_routes.json")


@dataclass
class _Node:
    literals: dict[str, _Node] = field(default_factory=dict)
    param: _Node | None = None
    param_name: str | None = None
    # method -> (template, parameter names in order)
    routes: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


@dataclass(frozen=True)
class RouteMatch:
    method: str
    template: str
    params: dict[str, str]


class SpecRoutes:
    def __init__(self, routes: list[tuple[str, str]]) -> None:
        self._root = _Node()
        self.templates: set[tuple[str, str]] = set()
        for method, template in routes:
            self._add(method.upper(), template)

    @classmethod
    def load(cls, path: Path | str | None = None) -> SpecRoutes:
        data = json.loads(Path(path or ROUTES_FILE).read_text(encoding="utf-8"))
        routes = data["routes"] if isinstance(data, dict) else data
        return cls([(route["method"], route["path"]) for route in routes])

    def _add(self, method: str, template: str) -> None:
        node = self._root
        names: list[str] = []
        for segment in _segments(template):
            if segment.startswith("{") and segment.endswith("}"):
                if node.param is None:
                    node.param = _Node()
                node = node.param
                names.append(segment[1:-1])
            else:
                node = node.literals.setdefault(segment, _Node())
        node.routes[method] = (template, tuple(names))
        self.templates.add((method, template))

    def match(self, method: str, path: str) -> RouteMatch | None:
        """The documented operation for METHOD + path (path relative to /api/v10), or None."""
        segments = _segments(path)
        found = self._find(self._root, segments, 0, method, [])
        if found is None:
            return None
        template, names, values = found
        return RouteMatch(method, template, dict(zip(names, values, strict=True)))

    def path_is_documented(self, path: str) -> bool:
        """Whether some method is documented for this path (a wrong method is then a 405)."""
        return self._find(self._root, _segments(path), 0, None, []) is not None

    def _find(
        self, node: _Node, segments: list[str], index: int, method: str | None, values: list[str]
    ) -> tuple[str, tuple[str, ...], list[str]] | None:
        if index == len(segments):
            if method is None:
                if node.routes:
                    template, names = next(iter(node.routes.values()))
                    return template, names, list(values)
                return None
            route = node.routes.get(method)
            return (route[0], route[1], list(values)) if route else None
        segment = segments[index]
        literal = node.literals.get(segment)
        if literal is not None:
            found = self._find(literal, segments, index + 1, method, values)
            if found is not None:
                return found
        if node.param is not None and segment:
            values.append(segment)
            found = self._find(node.param, segments, index + 1, method, values)
            values.pop()
            if found is not None:
                return found
        return None


def _segments(path: str) -> list[str]:
    return path.strip("/").split("/")
