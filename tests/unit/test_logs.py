"""The token never reaches a log line, whether in the message, its arguments or a traceback."""

import io
import logging

from bot.logs import REDACTED, configure_logging

TOKEN = "MTIzNDU2Nzg5.secret-part.abcdWXYZ"


def test_token_is_scrubbed_from_messages_arguments_and_tracebacks():
    stream = io.StringIO()
    handler = configure_logging("INFO", secrets=[TOKEN], stream=stream)
    logger = logging.getLogger("test.redaction")
    try:
        logger.info("connecting with %s", TOKEN)
        logger.warning(f"literal {TOKEN}")
        try:
            raise RuntimeError(f"bad token {TOKEN}")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logging.getLogger().removeHandler(handler)
    output = stream.getvalue()
    assert TOKEN not in output
    assert output.count(REDACTED) == 3
    assert "RuntimeError" in output


def test_database_password_is_one_of_the_secrets_however_it_is_written():
    from bot.storage.dialect import passwords

    assert passwords("postgresql://summit:s3cr%40t@db:5432/summit") == ["s3cr@t", "s3cr%40t"]
    assert passwords("postgresql://summit@db/summit?sslmode=require&password=hunter2") == ["hunter2"]
    assert passwords("postgresql://summit@db/summit") == []
    assert passwords("sqlite:///data/bot.sqlite3") == []


def test_a_library_warning_with_a_traceback_is_told_in_one_line_and_errors_keep_theirs():
    stream = io.StringIO()
    handler = configure_logging("INFO", secrets=["hunter2"], stream=stream)
    pool = logging.getLogger("asyncpg.pool")
    try:
        try:
            raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432) password hunter2")
        except ConnectionRefusedError:
            pool.warning("Failed to restore the pool connection floor; retrying", exc_info=True)
            logging.getLogger("bot.test").warning("ours", exc_info=True)
    finally:
        logging.getLogger().removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines[0].endswith(
        "WARNING asyncpg.pool: Failed to restore the pool connection floor; retrying: ConnectionRefusedError:"
        f" [Errno 111] Connect call failed ('127.0.0.1', 5432) password {REDACTED}"
    )
    assert "WARNING bot.test: ours" in lines[1] and lines[2] == "Traceback (most recent call last):"
    assert "hunter2" not in stream.getvalue()
