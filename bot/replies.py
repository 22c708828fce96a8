"""One way to answer an interaction, whether it is fresh, deferred or already answered."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.snowflake_strings import UploadFile

log = logging.getLogger(__name__)

_ANSWERED = "summit_answered"


async def reply(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    embeds: list[discord.Embed] | None = None,
    view: discord.ui.View | None = None,
    files: list[discord.File] | None = None,
    ephemeral: bool = False,
    allowed_mentions: discord.AllowedMentions | None = None,
) -> None:
    """Send the answer: the response if none was sent yet, the deferred message's edit, else a follow-up.

    Mentions are off unless the caller passes `allowed_mentions` on purpose.
    """
    mentions = allowed_mentions or discord.AllowedMentions.none()
    common: dict[str, Any] = {"allowed_mentions": mentions}
    if embed is not None:
        common["embed"] = embed
    if embeds is not None:
        common["embeds"] = embeds
    if view is not None:
        common["view"] = view

    if files:
        files = _with_string_ids(files)
    response = interaction.response
    try:
        if not response.is_done():
            if files:
                common["files"] = files
            await response.send_message(content, ephemeral=ephemeral, **common)
        elif _is_unanswered_defer(interaction):
            if files:
                common["attachments"] = files
            await interaction.edit_original_response(content=content, **common)
        else:
            if files:
                common["files"] = files
            await interaction.followup.send(content, ephemeral=ephemeral, **common)
    except discord.NotFound as exc:
        # The token expired (15 min) or Discord forgot the interaction: nobody is left to read it.
        log.warning("interaction %s could not be answered: %s", interaction.id, exc.text)
        return
    interaction.extras[_ANSWERED] = True


def _with_string_ids(files: list[discord.File]) -> list[discord.File]:
    for file in files:
        if type(file) is discord.File:
            # Same slots, so the object is kept (and its buffer's real close); only its attachment entry
            # is written differently: id "0", not 0 (see bot/snowflake_strings.py).
            file.__class__ = UploadFile
    return files


def _is_unanswered_defer(interaction: discord.Interaction) -> bool:
    deferred = (
        discord.InteractionResponseType.deferred_channel_message,
        discord.InteractionResponseType.deferred_message_update,
    )
    return interaction.response.type in deferred and not interaction.extras.get(_ANSWERED)
