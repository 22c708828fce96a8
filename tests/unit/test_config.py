"""Settings: defaults, precedence, and errors that name every bad key without showing the token."""

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_settings, resolve_config_path

TOKEN = "MTIzNDU2Nzg5.secret-part.abcdWXYZ"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_when_the_file_is_absent(tmp_path):
    settings = load_settings(tmp_path / "missing.toml", env={})
    assert settings.token is None
    assert settings.discord.api_base_url == "https://discord.com/api/v10"
    assert settings.discord.gateway_url == "wss://gateway.discord.gg/"
    assert settings.database.url == "sqlite:///var/summit-bot.sqlite3"
    assert settings.database.store.sqlite_path == Path("var/summit-bot.sqlite3")
    assert settings.reminders.default_leads == ["1d", "1h"]


def test_the_example_file_is_valid_and_documents_every_key():
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    settings = load_settings(example, env={}, required=True)
    text = example.read_text(encoding="utf-8")
    for section, model in settings.model_dump().items():
        assert f"[{section}]" in text
        for key in model:
            assert f"{key} =" in text or f"# {key} =" in text, f"{section}.{key} is not documented"


def test_environment_token_wins_over_the_file(tmp_path):
    path = write(tmp_path, '[discord]\ntoken = "from-the-file-0000"\n')
    assert load_settings(path, env={"DISCORD_TOKEN": TOKEN}).token == TOKEN
    assert load_settings(path, env={}).token == "from-the-file-0000"


def test_config_path_precedence(tmp_path):
    assert resolve_config_path("a.toml", env={"SUMMIT_BOT_CONFIG": "b.toml"}) == Path("a.toml")
    assert resolve_config_path(None, env={"SUMMIT_BOT_CONFIG": "b.toml"}) == Path("b.toml")
    assert resolve_config_path(None, env={}) == Path("config.toml")


def test_every_bad_key_is_named(tmp_path):
    path = write(
        tmp_path,
        """
[discord]
api_base_url = "ftp://example.org"
gateway_url = "https://not-a-websocket"
colour = "blue"

[database]
busy_timeout_ms = -1

[reminders]
default_leads = ["tomorrow"]
max_subscriptions_per_user = 0

[logging]
level = "LOUD"
""",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    keys = {problem.key for problem in caught.value.problems}
    assert keys == {
        "discord.api_base_url",
        "discord.gateway_url",
        "discord.colour",
        "database.busy_timeout_ms",
        "reminders.default_leads.0",
        "reminders.max_subscriptions_per_user",
        "logging.level",
    }
    assert "unknown key" in str(caught.value)


def test_a_key_that_moved_says_where_it_went(tmp_path):
    path = write(tmp_path, "[reminders]\nglobal_rate_limit = 50\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    (problem,) = caught.value.problems
    assert str(problem) == (
        "reminders.global_rate_limit: unknown key (moved to discord.global_rate_limit, as it now paces every request)"
    )
    moved = write(tmp_path, "[discord]\nglobal_rate_limit = 50\n")
    assert load_settings(moved, env={}).discord.global_rate_limit == 50


def test_a_bad_token_is_reported_without_its_value(tmp_path):
    secret = "abc def ghi jkl mno"
    path = write(tmp_path, f'[discord]\ntoken = "{secret}"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    message = str(caught.value)
    assert "discord.token" in message
    assert secret not in message
    assert "abc" not in message


def test_toml_syntax_errors_are_reported(tmp_path):
    path = write(tmp_path, "[discord\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path, env={})


def test_check_config_command_lists_bad_keys_and_fails(tmp_path, capsys):
    path = write(tmp_path, '[database]\npath = 3\nbusy_timeout_ms = "soon"\n[nonsense]\nx = 1\n')
    assert main(["--config", str(path), "check-config"]) != 0
    err = capsys.readouterr().err
    assert "database.busy_timeout_ms" in err
    assert "database.path" in err
    assert "nonsense" in err


def test_check_config_command_shows_at_most_the_last_four_characters(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    path = write(tmp_path, "[logging]\nlevel = 'debug'\n")
    assert main(["--config", str(path), "check-config"]) == 0
    out = capsys.readouterr().out
    assert "valid" in out
    assert TOKEN not in out
    assert TOKEN[:-4] not in out
    assert "…WXYZ" in out


def test_check_config_on_a_missing_file_fails(tmp_path, capsys):
    assert main(["--config", str(tmp_path / "nope.toml"), "check-config"]) != 0
    assert "does not exist" in capsys.readouterr().err


def test_web_section_is_off_by_default_and_checked(tmp_path):
    assert load_settings(None, env={}).web.enabled is False
    path = write(tmp_path, '[web]\nenabled = true\nport = 70000\npublic_url = "ftp://x.org"\nhost = "a b"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    keys = {problem.key for problem in caught.value.problems}
    assert keys == {"web.port", "web.public_url", "web.host"}
    good = write(tmp_path, '[web]\nenabled = true\npublic_url = "https://events.example.org/"\n')
    assert load_settings(good, env={}).web.public_url == "https://events.example.org"


def test_the_old_database_path_still_works_and_check_config_says_where_it_moved(tmp_path, capsys):
    path = write(tmp_path, '[database]\npath = "var/old.sqlite3"\n')
    settings = load_settings(path, env={})
    assert settings.database.url == "sqlite:///var/old.sqlite3"
    assert main(["--config", str(path), "check-config"]) == 0
    assert "database.path is deprecated: it moved to database.url" in capsys.readouterr().out


def test_summit_database_url_in_the_environment_wins(tmp_path):
    path = write(tmp_path, '[database]\nurl = "sqlite:///var/a.sqlite3"\n')
    settings = load_settings(path, env={"SUMMIT_DATABASE_URL": "postgresql://bot@db:5432/summit"})
    assert settings.database.store.dialect.name == "postgresql"
    assert settings.database.store.sqlite_path is None
