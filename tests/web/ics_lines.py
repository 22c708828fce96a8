"""A small, strict iCalendar reader, independent of the `icalendar` library the bot writes with.

It checks what RFC 5545 says of the bytes themselves (CRLF line ends, lines of at most 75 octets,
folding with one space, BEGIN/END nested and balanced) and reads components as dictionaries of
property name → list of (parameters, value), with TEXT values unescaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TEXT_PROPERTIES = {"SUMMARY", "DESCRIPTION", "LOCATION", "NAME", "X-WR-CALNAME"}


@dataclass
class Component:
    name: str
    properties: dict[str, list[tuple[dict[str, str], str]]] = field(default_factory=dict)
    children: list[Component] = field(default_factory=list)

    def value(self, name: str) -> str:
        (found,) = self.properties[name]
        return found[1]

    def params(self, name: str) -> dict[str, str]:
        (found,) = self.properties[name]
        return found[0]

    def walk(self, name: str) -> list[Component]:
        found = [self] if self.name == name else []
        for child in self.children:
            found.extend(child.walk(name))
        return found


def unescape_text(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        char = value[i]
        if char == "\\":
            following = value[i + 1]
            out.append({"n": "\n", "N": "\n", "\\": "\\", ";": ";", ",": ","}[following])
            i += 2
            continue
        if char in ",;" :
            raise ValueError(f"unescaped {char!r} in a TEXT value: {value!r}")
        out.append(char)
        i += 1
    return "".join(out)


def _split(line: str) -> tuple[str, dict[str, str], str]:
    # The value starts at the first ":" outside a quoted parameter value.
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            head, value = line[:index], line[index + 1 :]
            break
    else:
        raise ValueError(f"no ':' in {line!r}")
    name, *raw_params = head.split(";")
    params = {}
    for raw in raw_params:
        key, _, val = raw.partition("=")
        params[key.upper()] = val.strip('"')
    return name.upper(), params, value


def parse(data: bytes) -> Component:
    if not data.endswith(b"\r\n"):
        raise ValueError("the last line does not end with CRLF")
    physical = data[:-2].split(b"\r\n")
    for raw in physical:
        if b"\n" in raw or b"\r" in raw:
            raise ValueError(f"a bare LF or CR in {raw!r}")
        if len(raw) > 75:
            raise ValueError(f"a line of {len(raw)} octets (at most 75): {raw!r}")
    logical: list[bytes] = []
    for raw in physical:
        if raw.startswith(b" "):
            if not logical:
                raise ValueError("a continuation line first")
            logical[-1] += raw[1:]
        else:
            logical.append(raw)
    stack: list[Component] = []
    root: Component | None = None
    for raw in logical:
        name, params, value = _split(raw.decode("utf-8"))
        if name == "BEGIN":
            component = Component(value.upper())
            if stack:
                stack[-1].children.append(component)
            elif root is not None:
                raise ValueError("a second top-level component")
            else:
                root = component
            stack.append(component)
        elif name == "END":
            if not stack or stack[-1].name != value.upper():
                raise ValueError(f"END:{value} does not close {stack[-1].name if stack else 'anything'}")
            stack.pop()
        else:
            if not stack:
                raise ValueError(f"{name} outside any component")
            if name in TEXT_PROPERTIES:
                value = unescape_text(value)
            stack[-1].properties.setdefault(name, []).append((params, value))
    if stack or root is None:
        raise ValueError("unbalanced BEGIN/END")
    return root
