"""Ids sent as strings, as Discord's API schema types snowflakes, where discord.py would send integers.

discord.py 2.7 copies `allowed_mentions` roles and users into the body as `[x.id for x in ...]`
(discord/mentions.py:126 and :131) and numbers a new file's attachment entry with an int index
(discord/file.py:166, `'id': index`). Discord tolerates both today; its published schema wants strings,
and the sandbox checks every request body against that schema.
"""

from __future__ import annotations

from typing import Any

import discord


class SnowflakeRef:
    """A role or user for discord.AllowedMentions: discord.py puts `.id` in the body as it is, a string here."""

    __slots__ = ("id",)

    def __init__(self, snowflake: int) -> None:
        self.id = str(int(snowflake))

    def __repr__(self) -> str:
        return f"SnowflakeRef({self.id})"


class UploadFile(discord.File):
    """A discord.File whose entry in the message's `attachments` has a string id ("0", "1"…)."""

    __slots__ = ()

    def to_dict(self, index: int) -> dict[str, Any]:
        payload = super().to_dict(index)
        payload["id"] = str(index)
        return payload
