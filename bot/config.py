"""The bot's settings: one TOML file validated by pydantic, the token from the environment or the file."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.shards import ALL, AUTO, ShardCount, parse_shard_count, parse_shard_ids, shard_ids_problem
from bot.storage.dialect import StoreURL, StoreURLError

CONFIG_ENV = "SUMMIT_BOT_CONFIG"
TOKEN_ENV = "DISCORD_TOKEN"  # noqa: S105 - the name of the variable, not a secret
DATABASE_URL_ENV = "SUMMIT_DATABASE_URL"
DEFAULT_DATABASE_URL = "sqlite:///var/summit-bot.sqlite3"
DEFAULT_CONFIG_PATH = Path("config.toml")

Snowflake = Annotated[int, Field(gt=0, lt=2**64)]


class _Section(BaseModel):
    # A misspelt key is a mistake the operator wants to hear about, not a silent default.
    model_config = ConfigDict(extra="forbid", frozen=True)


class DiscordSettings(_Section):
    token: SecretStr | None = None
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    # Sync slash commands to these guilds instantly instead of globally (useful while developing).
    dev_guild_ids: list[Snowflake] = []
    # Discord's global rate limit for this bot, requests/s; every REST call but interaction answers is paced under it.
    global_rate_limit: float = Field(50.0, gt=0, le=10_000)
    # At start, while Discord cannot be reached: the wait before the first retry, doubled after each
    # failed attempt up to the second value (both in seconds, ±20 % jitter).
    start_retry_first_seconds: float = Field(1.0, gt=0, le=3600)
    start_retry_max_seconds: float = Field(60.0, gt=0, le=3600)
    # Shards: how many the bot has in all (a number, or "auto": Discord's recommendation at start) and
    # which of them this process runs ("0-3", "4,5" or "all"). One shard suits a bot under 2,500 servers.
    shard_count: ShardCount = 1
    shard_ids: str = ALL
    # Discord's window between two IDENTIFYs of one max_concurrency bucket, in seconds (across every
    # process on a PostgreSQL store); and how many session starts must remain beyond this process's
    # shards for it to start at all.
    identify_window: float = Field(5.0, gt=0, le=60)
    session_start_margin: int = Field(2, ge=0, le=1000)

    @field_validator("shard_count", mode="before")
    @classmethod
    def _shard_count(cls, value: object) -> object:
        return parse_shard_count(value) if isinstance(value, str) else value

    @field_validator("shard_count")
    @classmethod
    def _positive_shard_count(cls, value: ShardCount) -> ShardCount:
        if value != AUTO and value < 1:
            raise ValueError("must be 1 or more, or 'auto'")
        return value

    @field_validator("shard_ids")
    @classmethod
    def _shard_ids(cls, value: str) -> str:
        parse_shard_ids(value)
        return value

    @model_validator(mode="after")
    def _shards_agree(self) -> DiscordSettings:
        problem = shard_ids_problem(self.shard_ids, self.shard_count)
        if problem:
            raise ValueError(f"discord.shard_ids: {problem}")
        return self

    @property
    def shard_id_list(self) -> list[int] | None:
        """This process's shard ids; None for all of them."""
        return parse_shard_ids(self.shard_ids)

    @field_validator("api_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        HttpUrl(value)
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("gateway_url")
    @classmethod
    def _ws_url(cls, value: str) -> str:
        if not value.startswith(("ws://", "wss://")):
            raise ValueError("must start with ws:// or wss://")
        if "?" in value:
            raise ValueError("must not hold a query string (discord.py adds its own)")
        return value

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            raw = value.get_secret_value()
            if not raw.strip() or any(ch.isspace() for ch in raw):
                raise ValueError("must be a non-empty token without spaces")
        return value


class DatabaseSettings(_Section):
    # sqlite:///relative/path, sqlite:////abs/path or postgresql://user@host:port/db. The default file is
    # outside data/ (which is content under version control) and git-ignored.
    url: str = DEFAULT_DATABASE_URL
    # Deprecated: the SQLite file; converted to `url` (check-config says where it moved).
    path: Path | None = None
    busy_timeout_ms: int = Field(5000, ge=0, le=600_000)  # SQLite: how long a write waits for another's lock
    pool_size: int = Field(4, ge=1, le=100)  # PostgreSQL: connections per process

    @model_validator(mode="before")
    @classmethod
    def _path_to_url(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("path"), str | Path):
            if data.get("url") not in (None, DEFAULT_DATABASE_URL):
                raise ValueError("database.path is deprecated and database.url is set too: keep database.url only")
            data = {**data, "url": StoreURL.for_sqlite_path(data["path"]).url}
        return data

    @field_validator("url")
    @classmethod
    def _valid_url(cls, value: str) -> str:
        try:
            StoreURL.parse(value)
        except StoreURLError as exc:  # its message never holds the password
            raise ValueError(str(exc)) from None
        return value

    @property
    def store(self) -> StoreURL:
        """Which store, where: `.dialect`, `.description` (no password), `.sqlite_path` (SQLite only)."""
        return StoreURL.parse(self.url)

    @property
    def deprecation(self) -> str | None:
        if self.path is None:
            return None
        return f"database.path is deprecated: it moved to database.url (here {self.store.description})"


class ModerationSettings(_Section):
    # Members with one of these roles may edit events even without the Manage Events permission.
    moderator_role_ids: list[Snowflake] = []


LEAD_PATTERN = r"^\s*(\d+\s*[wdhm]\s*)+$"


class ReminderSettings(_Section):
    default_leads: list[Annotated[str, Field(pattern=LEAD_PATTERN)]] = ["1d", "1h"]
    max_subscriptions_per_user: int = Field(25, ge=1, le=1000)
    grace_minutes: int = Field(60, ge=0, le=7 * 24 * 60)
    max_concurrency: int = Field(16, ge=1, le=1000)
    # How long Discord dedupes a message nonce ("a few minutes"); past it, recovery reads the history.
    nonce_window_seconds: int = Field(240, ge=0, le=3600)


class ClusterSettings(_Section):
    """Processes and their leases (bot/cluster/membership.py): how soon a dead process's claims are taken over."""

    heartbeat_seconds: float = Field(5.0, gt=0, le=600)
    # A process that has not renewed its lease for this long is dead; it must outlast a few heartbeats.
    lease_seconds: float = Field(30.0, gt=0, le=3600)

    @model_validator(mode="after")
    def _lease_outlasts_heartbeats(self) -> ClusterSettings:
        if self.lease_seconds < 2 * self.heartbeat_seconds:
            raise ValueError("lease_seconds must be at least twice heartbeat_seconds")
        return self


class WebSettings(_Section):
    """The bot's small web server: calendar feeds, the public events page, /healthz and /metrics."""

    # Off unless the operator turns it on: a bot that serves nothing over HTTP opens no port.
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)  # 0: any free port (the sandbox and the tests)
    # The address people reach (behind the operator's reverse proxy); links are built on it.
    # Unset: http://host:port as bound, which only suits a machine's own loopback.
    public_url: str | None = None
    metrics: bool = True
    # Per client address; behind a reverse proxy every client has the proxy's address unless trusted.
    requests_per_minute: int = Field(120, ge=1, le=100_000)
    trust_forwarded_for: bool = False
    # Suggested to calendar apps (REFRESH-INTERVAL, X-PUBLISHED-TTL).
    feed_refresh_minutes: int = Field(60, ge=5, le=7 * 24 * 60)

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        value = value.strip()
        if not value or any(ch.isspace() or ch in "/?#@" for ch in value):
            raise ValueError("must be an address or a host name to listen on, such as 127.0.0.1")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        HttpUrl(value)
        if "?" in value or "#" in value:
            raise ValueError("must not hold a query string or a fragment")
        return value.rstrip("/")


class LoggingSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class Settings(_Section):
    discord: DiscordSettings = DiscordSettings()
    database: DatabaseSettings = DatabaseSettings()
    moderation: ModerationSettings = ModerationSettings()
    reminders: ReminderSettings = ReminderSettings()
    cluster: ClusterSettings = ClusterSettings()
    web: WebSettings = WebSettings()
    logging: LoggingSettings = LoggingSettings()

    @property
    def token(self) -> str | None:
        return self.discord.token.get_secret_value() if self.discord.token else None


@dataclass(frozen=True)
class ConfigProblem:
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.key}: {self.reason}"


class ConfigError(Exception):
    """The configuration cannot be used; `problems` names every bad key."""

    def __init__(self, source: str, problems: list[ConfigProblem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"invalid configuration in {source}:\n{lines}")


def resolve_config_path(cli_path: str | os.PathLike[str] | None, env: dict[str, str] | None = None) -> Path:
    """Pick the file: --config, else $SUMMIT_BOT_CONFIG, else ./config.toml."""
    env = os.environ if env is None else env
    if cli_path:
        return Path(cli_path)
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV])
    return DEFAULT_CONFIG_PATH


def load_settings(
    path: Path | None,
    *,
    env: dict[str, str] | None = None,
    required: bool = False,
) -> Settings:
    """Read and validate the file; a missing optional file means defaults. $DISCORD_TOKEN wins over the file."""
    env = os.environ if env is None else env
    raw: dict[str, object] = {}
    source = str(path) if path else "<defaults>"
    if path is not None:
        if path.exists():
            try:
                raw = tomllib.loads(path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(source, [ConfigProblem("<file>", f"not valid TOML: {exc}")]) from None
            except OSError as exc:
                raise ConfigError(source, [ConfigProblem("<file>", f"cannot be read: {exc.strerror}")]) from None
        elif required:
            raise ConfigError(source, [ConfigProblem("<file>", "does not exist")])
    database_url = env.get(DATABASE_URL_ENV)
    if database_url:  # wins over the file, as the token does
        database_section = raw.setdefault("database", {})
        if isinstance(database_section, dict):
            database_section.pop("path", None)
            database_section["url"] = database_url
    token = env.get(TOKEN_ENV)
    if token:
        discord_section = raw.setdefault("discord", {})
        if isinstance(discord_section, dict):
            discord_section["token"] = token
    return validate_settings(raw, source)


def validate_settings(raw: dict[str, object], source: str = "<memory>") -> Settings:
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(source, [_problem(error) for error in exc.errors()]) from None


# Keys that have moved: an operator's old file gets told where, not only that the key is unknown.
MOVED_KEYS = {"reminders.global_rate_limit": "discord.global_rate_limit, as it now paces every request"}


def _problem(error: dict) -> ConfigProblem:
    key = ".".join(str(part) for part in error["loc"]) or "<root>"
    reason = error["msg"]
    if error["type"] == "extra_forbidden":
        reason = f"unknown key (moved to {MOVED_KEYS[key]})" if key in MOVED_KEYS else "unknown key"
    # pydantic echoes the bad input in some messages; the token must never be shown.
    if key == "discord.token":
        reason = f"{reason} (value hidden{token_hint(error.get('input'))})"
    return ConfigProblem(key, reason)


def token_hint(token: object) -> str:
    """At most the last 4 characters, so an operator can tell which token is in use."""
    if isinstance(token, SecretStr):
        token = token.get_secret_value()
    if not isinstance(token, str) or len(token) < 12:
        return ""
    return f", ends with …{token[-4:]}"
