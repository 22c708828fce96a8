"""The messages the sender posts, built from the event as it is now and the member's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord

from bot.events.changes import HistoryEntry
from bot.events.models import Event, EventDate
from bot.i18n import language_for
from bot.reminders.ledger import DeliveryKey
from bot.reminders.sender import OutgoingMessage
from bot.rendering.reminders import cancelled_embed, changes_since, channel_post, moved_embed, reminder_embed
from bot.services.events.announcements import announcement_mentions, guild_language
from bot.storage.repositories.reminders import Subscription
from bot.views.reminders import notice_view, reminder_view


class MessageFactory:
    def __init__(self, client: discord.Client) -> None:
        self._client = client

    def server(self, guild_id: int) -> str | None:
        guild = self._client.get_guild(guild_id)
        return guild.name if guild else None

    def reminder_dm(
        self,
        event: Event,
        key: DeliveryKey,
        *,
        locale: str,
        lead: int | None,
        subscription: Subscription | None,
        history: Sequence[HistoryEntry],
        late_due: datetime | None,
    ) -> OutgoingMessage:
        """A reminder (`lead` None: a snoozed one) with Snooze and Unsubscribe buttons."""
        lang = language_for(locale)
        changes = changes_since(history, subscription.created_at, lang) if subscription else []
        embed = reminder_embed(
            event, lang=lang, lead=lead, reference=key.reference, server=self.server(event.guild_id),
            late_due=late_due, changes=changes,
        )  # fmt: skip
        view = reminder_view(event.id, subscription.id if subscription else None, lang)
        return OutgoingMessage(embed=embed, view=view)

    def channel(self, event: Event, key: DeliveryKey, *, lead: int, role_id: int | None,
                late_due: datetime | None) -> OutgoingMessage:  # fmt: skip
        lang = guild_language(self._client, event.guild_id)
        text, embed = channel_post(event, lang=lang, lead=lead, role_id=role_id, reference=key.reference,
                                   server=self.server(event.guild_id), late_due=late_due)  # fmt: skip
        return OutgoingMessage(embed=embed, content=text, allowed_mentions=announcement_mentions(role_id))

    def moved(
        self, event: Event, key: DeliveryKey, *, old: EventDate, new: EventDate, reason: str | None,
        subscription: Subscription,
    ) -> OutgoingMessage:  # fmt: skip
        lang = language_for(subscription.locale)
        embed = moved_embed(event, old=old, new=new, reason=reason, lang=lang, reference=key.reference,
                            server=self.server(event.guild_id))  # fmt: skip
        return OutgoingMessage(embed=embed, view=notice_view(subscription.id, lang))

    def cancelled(self, event: Event, key: DeliveryKey, *, reason: str | None,
                  subscription: Subscription) -> OutgoingMessage:  # fmt: skip
        lang = language_for(subscription.locale)
        embed = cancelled_embed(event, reason=reason, lang=lang, reference=key.reference,
                                server=self.server(event.guild_id))  # fmt: skip
        return OutgoingMessage(embed=embed)
