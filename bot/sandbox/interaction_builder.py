"""INTERACTION_CREATE payloads as Discord fills them for a bot, and option values naming Discord things.

What discord.py's Interaction needs is all there: version, token, application_id, locale and
guild_locale, the channel object, the member with roles and computed permissions, app_permissions,
entitlements, authorizing_integration_owners, context and attachment_size_limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import payloads
from .commands import ATTACHMENT, CHANNEL, MENTIONABLE, ROLE, USER, CommandError, Resolved, build_data, split_path
from .interactions import BOT_DM_CONTEXT, GUILD_CONTEXT, Interaction
from .models import DM, Attachment, Channel, Guild, Member, Message, Role, User
from .permissions import member_permissions

if TYPE_CHECKING:
    from .emulator import DiscordEmulator


class InteractionBuilder:
    """Builds INTERACTION_CREATE payloads the way Discord fills them for a bot."""

    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu

    def new(
        self,
        kind: int,
        user_or_member: Member | User,
        channel: Channel | None,
        *,
        name: str,
        data: dict[str, Any],
        locale: str | None,
        source: Message | None = None,
    ) -> Interaction:
        world = self.emu.world
        member = user_or_member if isinstance(user_or_member, Member) else None
        user = member.user if member is not None else user_or_member
        assert isinstance(user, User)
        if channel is None or channel.type == DM:
            channel = world.dm_channel(user)
            guild = None
            member = None
        else:
            guild = world.guilds[channel.guild_id] if channel.guild_id is not None else None
            if guild is not None and not guild.bot_present:
                raise AssertionError(
                    f"the bot is not in {guild.name} (remove_guild): Discord would not offer its commands"
                )
            if guild is not None and (member is None or member.guild_id != guild.id):
                member = guild.members.get(user.id)
                if member is None:
                    raise AssertionError(f"{user.name} is not a member of {guild.name}")
        default_locale = member.locale if member is not None else "en-US"
        interaction = Interaction(
            interaction_id=world.snowflakes.next(),
            kind=kind,
            user=user,
            member=member,
            guild=guild,
            channel=channel,
            locale=locale or default_locale,
            name=name,
            source=source,
        )
        interaction.payload = self._payload(interaction, data)
        return interaction

    def _payload(self, ix: Interaction, data: dict[str, Any]) -> dict[str, Any]:
        emu = self.emu
        world = emu.world
        payload: dict[str, Any] = {
            "id": str(ix.id),
            "application_id": str(emu.application_id),
            "type": ix.type,
            "data": data,
            "token": ix.token,
            "version": 1,
            "locale": ix.locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": emu.attachment_size_limit,
        }
        if ix.guild is not None and ix.member is not None:
            guild = ix.guild
            bot_permissions = world.bot_permissions_in(guild)
            user_permissions = member_permissions(guild, ix.member)
            channel_json = payloads.channel(ix.channel)
            channel_json["permissions"] = str(user_permissions)
            payload.update(
                {
                    "guild_id": str(guild.id),
                    "guild": {"id": str(guild.id), "locale": guild.locale, "features": list(guild.features)},
                    "guild_locale": guild.locale,
                    "channel_id": str(ix.channel.id),
                    "channel": channel_json,
                    "member": payloads.member(ix.member, permissions=user_permissions),
                    "app_permissions": str(bot_permissions),
                    "authorizing_integration_owners": {"0": str(guild.id)},
                    "context": GUILD_CONTEXT,
                }
            )
        else:
            channel_json = payloads.channel(ix.channel, ix.user)
            payload.update(
                {
                    "channel_id": str(ix.channel.id),
                    "channel": channel_json,
                    "user": payloads.user(ix.user),
                    "app_permissions": str(emu.world.bot_permissions or 0),
                    "authorizing_integration_owners": {"0": "0"},
                    "context": BOT_DM_CONTEXT,
                }
            )
        if ix.source is not None:
            payload["message"] = dict(ix.source)
        return payload

    # -- option values that name users, channels, roles, files ---------------------------------

    def entity_resolver(self, guild: Guild | None) -> Callable[[int, Any, Resolved], str]:
        world = self.emu.world

        def resolve(kind: int, value: Any, resolved: Resolved) -> str:
            if kind == ATTACHMENT:
                return self._resolve_attachment(value, resolved)
            if kind in (USER, MENTIONABLE):
                user = self._user(guild, value)
                if user is not None:
                    resolved.users[str(user.id)] = payloads.user(user)
                    member = guild.members.get(user.id) if guild is not None else None
                    if member is not None:
                        member_json = payloads.member(member, permissions=member_permissions(guild, member))  # type: ignore[arg-type]
                        del member_json["user"]
                        resolved.members[str(user.id)] = member_json
                    return str(user.id)
            if kind in (ROLE, MENTIONABLE):
                role = self._role(guild, value)
                if role is not None:
                    resolved.roles[str(role.id)] = payloads.role(role)
                    return str(role.id)
            if kind == CHANNEL:
                channel = self._channel(guild, value)
                if channel is not None:
                    data = payloads.channel(channel, world.recipient(channel))
                    data["permissions"] = str(world.bot_permissions_in(guild)) if guild is not None else "0"
                    resolved.channels[str(channel.id)] = data
                    return str(channel.id)
            raise CommandError(f"cannot find what {value!r} names here")

        return resolve

    def _user(self, guild: Guild | None, value: Any) -> User | None:
        world = self.emu.world
        if isinstance(value, Member):
            return value.user
        if isinstance(value, User):
            return value
        text = str(value).strip().removeprefix("<@").removeprefix("!").removesuffix(">").lstrip("@")
        if text.isdigit():
            return world.users.get(int(text))
        if guild is not None:
            for member in guild.members.values():
                if member.name == text:
                    return member.user
        return None

    def _role(self, guild: Guild | None, value: Any) -> Role | None:
        if isinstance(value, Role):
            return value
        if guild is None:
            return None
        text = str(value).strip().removeprefix("<@&").removesuffix(">").lstrip("@&")
        if text.isdigit():
            return guild.roles.get(int(text))
        return next((r for r in guild.roles.values() if r.name == text), None)

    def _channel(self, guild: Guild | None, value: Any) -> Channel | None:
        if isinstance(value, Channel):
            return value
        text = str(value).strip().removeprefix("<#").removesuffix(">").lstrip("#")
        if text.isdigit():
            return self.emu.world.channels.get(int(text))
        if guild is None:
            return None
        return next((c for c in guild.channels.values() if c.name == text), None)

    def _resolve_attachment(self, value: Any, resolved: Resolved) -> str:
        if isinstance(value, tuple) and len(value) == 2:
            filename, data = value
        else:
            raise CommandError("an attachment option takes a (filename, bytes) tuple")
        world = self.emu.world
        attachment_id = world.snowflakes.next()
        url = f"{self.emu.http_base_url}/attachments/0/{attachment_id}/{filename}"
        raw = data.encode() if isinstance(data, str) else bytes(data)
        attachment = Attachment(
            id=attachment_id, filename=filename, content_type="application/octet-stream", data=raw, url=url
        )
        self.emu.attachments[attachment_id] = attachment
        resolved.attachments[str(attachment_id)] = {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(raw),
            "url": url,
            "proxy_url": url,
            "content_type": attachment.content_type,
            "ephemeral": True,
        }
        return str(attachment_id)


def command_data(
    builder: InteractionBuilder,
    command: dict[str, Any],
    path_text: str,
    options: dict[str, Any],
    guild: Guild | None,
    *,
    focused: str | None = None,
) -> dict[str, Any]:
    return build_data(command, split_path(path_text), options, builder.entity_resolver(guild), focused=focused)
