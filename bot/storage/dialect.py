"""What differs between the two stores, kept small: which one a URL names, and the SQL text itself.

- `Dialect` (`SQLITE`, `POSTGRESQL`): `.name` is "sqlite" or "postgresql". Repositories key the few
  statements that must differ on it, in one mapping at the top of their module.
- `StoreURL.parse(url)`: `sqlite:///relative/path.sqlite3`, `sqlite:////abs/path.sqlite3`, `sqlite:///:memory:`,
  `postgresql://user[:password]@host:port/db` (or `postgres://`). `.description` is the URL without its
  password, the only form that may reach a log, an error or check-config.
- `numbered(sql)`: SQL is written with `?` placeholders; PostgreSQL wants `$1…$n`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit


@dataclass(frozen=True)
class Dialect:
    name: str

    def __str__(self) -> str:
        return self.name


SQLITE = Dialect("sqlite")
POSTGRESQL = Dialect("postgresql")


class StoreURLError(ValueError):
    """A database URL this release cannot use; the message never contains the password."""


@dataclass(frozen=True)
class StoreURL:
    dialect: Dialect
    url: str  # the full URL, password included: hand it to the driver only
    description: str  # the URL without the password
    sqlite_path: Path | None = None

    @classmethod
    def parse(cls, url: str) -> StoreURL:
        url = url.strip()
        if url.startswith("sqlite:///"):
            rest = url[len("sqlite:///") :]
            if not rest:
                raise StoreURLError("sqlite URL without a path (sqlite:///relative/path or sqlite:////abs/path)")
            return cls(SQLITE, url, url, Path(rest))
        parts = urlsplit(url)
        if parts.scheme in ("postgresql", "postgres"):
            if not parts.hostname and "host=" not in parts.query:
                raise StoreURLError(f"{redact(url)}: no host")
            return cls(POSTGRESQL, url, redact(url))
        raise StoreURLError(f"{redact(url)}: expected sqlite:///path or postgresql://user@host:port/db")

    @classmethod
    def for_sqlite_path(cls, path: Path | str) -> StoreURL:
        path = Path(path)
        return cls.parse(f"sqlite:///{path}" if str(path) != ":memory:" else "sqlite:///:memory:")


def redact(url: str) -> str:
    """The URL with any password replaced by ***, and a `password=` query parameter dropped."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable database URL>"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in userinfo else f"{user}@{host}"
    query = "&".join(item for item in parts.query.split("&") if item and not item.lower().startswith("password="))
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def passwords(url: str) -> list[str]:
    """The secrets a database URL holds (its password, a `password=` parameter): for the log redactor."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = [unquote(parts.password)] if parts.password else []
    if parts.password and unquote(parts.password) != parts.password:
        found.append(parts.password)  # as typed, percent-encoded
    found += [unquote(value) for name, _, value in (item.partition("=") for item in parts.query.split("&"))
              if name.lower() == "password" and value]  # fmt: skip
    return found


@functools.lru_cache(maxsize=2048)
def numbered(sql: str) -> str:
    """`?` → `$1…$n`, leaving quoted literals, quoted identifiers and comments alone (cached per statement)."""
    out: list[str] = []
    count = 0
    i, end = 0, len(sql)
    while i < end:
        char = sql[i]
        if char in ("'", '"'):
            close = sql.find(char, i + 1)
            while close != -1 and close + 1 < end and sql[close + 1] == char:  # '' or "" escapes
                close = sql.find(char, close + 2)
            stop = end if close == -1 else close + 1
            out.append(sql[i:stop])
            i = stop
        elif sql.startswith("--", i):
            stop = sql.find("\n", i)
            stop = end if stop == -1 else stop
            out.append(sql[i:stop])
            i = stop
        elif sql.startswith("/*", i):
            stop = sql.find("*/", i + 2)
            stop = end if stop == -1 else stop + 2
            out.append(sql[i:stop])
            i = stop
        elif char == "?":
            count += 1
            out.append(f"${count}")
            i += 1
        else:
            out.append(char)
            i += 1
    return "".join(out)
