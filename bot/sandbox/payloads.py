"""Discord's JSON objects (user, role, channel, member, guild, application) built from the models.

Shapes follow Discord's API v10 documentation, including the fields discord.py reads with [] (required).
"""

from __future__ import annotations

from typing import Any

from .models import DM, Channel, Guild, Member, Role, User
from .snowflakes import iso


def user(u: User) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(u.id),
        "username": u.name,
        "discriminator": "0",
        "global_name": u.global_name,
        "avatar": None,
        "avatar_decoration_data": None,
        "banner": None,
        "accent_color": None,
        "public_flags": 0,
        "flags": 0,
        "collectibles": None,
        "primary_guild": None,
    }
    if u.bot:
        data["bot"] = True
    return data


def current_user(u: User) -> dict[str, Any]:
    """GET /users/@me for a bot token."""
    return {**user(u), "verified": True, "mfa_enabled": False, "locale": "en-US", "email": None, "bio": ""}


def role(r: Role) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(r.id),
        "name": r.name,
        "description": None,
        "permissions": str(r.permissions),
        "position": r.position,
        "color": r.color,
        "colors": {"primary_color": r.color, "secondary_color": None, "tertiary_color": None},
        "hoist": r.hoist,
        "icon": None,
        "unicode_emoji": None,
        "managed": r.managed,
        "mentionable": r.mentionable,
        "flags": 0,
    }
    if r.bot_id is not None:
        data["tags"] = {"bot_id": str(r.bot_id)}
    return data


def channel(c: Channel, recipient: User | None = None) -> dict[str, Any]:
    last = c.last_message_id
    if c.type == DM:
        return {
            "id": str(c.id),
            "type": DM,
            "last_message_id": str(last) if last else None,
            "flags": 0,
            "recipients": [user(recipient)] if recipient is not None else [],
        }
    return {
        "id": str(c.id),
        "type": c.type,
        "guild_id": str(c.guild_id),
        "name": c.name,
        "position": c.position,
        "permission_overwrites": [],
        "parent_id": None,
        "topic": c.topic,
        "nsfw": False,
        "last_message_id": str(last) if last else None,
        "rate_limit_per_user": 0,
        "flags": 0,
    }


def member(m: Member, *, permissions: int | None = None) -> dict[str, Any]:
    """A guild member; `permissions` is only present in interaction payloads."""
    data: dict[str, Any] = {
        "user": user(m.user),
        "nick": m.nick,
        "avatar": None,
        "banner": None,
        "roles": [str(role_id) for role_id in m.role_ids],
        "joined_at": iso(m.joined_at),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
        "unusual_dm_activity_until": None,
    }
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def guild(g: Guild, application_id: int) -> dict[str, Any]:
    """GET /guilds/{guild_id}: the guild without its channels and members."""
    return {
        "id": str(g.id),
        "name": g.name,
        "icon": None,
        "icon_hash": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": str(g.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "widget_enabled": False,
        "widget_channel_id": None,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "roles": [role(r) for r in g.roles.values()],
        "emojis": [],
        "stickers": [],
        "features": list(g.features),
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "max_presences": None,
        "max_members": 500000,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": g.locale,
        "public_updates_channel_id": None,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "safety_alerts_channel_id": None,
        "incidents_data": None,
    }


def guild_create(
    g: Guild, application_id: int, bot_user_id: int, *, all_members: bool, joined: bool = False
) -> dict[str, Any]:
    """The GUILD_CREATE dispatch: the guild with channels, the bot's member (all members with that intent).

    After READY, `unavailable: false` says "a guild of READY became available"; a guild the bot
    has just joined comes without the key (discord.py tells guild_available from guild_join so).
    """
    bot_member = g.members[bot_user_id]
    members = g.members.values() if all_members else [bot_member]
    data = {
        **guild(g, application_id),
        "joined_at": iso(bot_member.joined_at),
        "large": len(g.members) >= 250,
        "unavailable": False,
        "member_count": len(g.members),
        "voice_states": [],
        "members": [member(m) for m in members],
        "channels": [channel(c) for c in g.channels.values()],
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": list(g.scheduled_events.values()),
        "soundboard_sounds": [],
        "embedded_activities": [],
        "lazy": True,
        "application_command_counts": {},
    }
    if joined:
        del data["unavailable"]
    return data


def application(application_id: int, bot: User, owner: User, *, flags: int) -> dict[str, Any]:
    return {
        "id": str(application_id),
        "name": bot.name,
        "icon": None,
        "description": "Emulated application",
        "summary": "",
        "type": None,
        "hook": True,
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "owner": user(owner),
        "team": None,
        "flags": flags,
        "bot": user(bot),
        "rpc_origins": [],
        "tags": [],
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "approximate_guild_count": 0,
        "approximate_user_install_count": 0,
        "install_params": None,
        "integration_types_config": {"0": {}},
        "custom_install_url": None,
        "is_monetized": False,
        "is_verified": False,
        "is_discoverable": False,
        "explicit_content_filter": 0,
    }
