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
