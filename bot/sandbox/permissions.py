"""Permission bits and how a member's permissions add up (@everyone, then roles; administrator = all)."""

from __future__ import annotations

from .models import Guild, Member

CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
CHANGE_NICKNAME = 1 << 26
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_EVENTS = 1 << 33
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
CREATE_EVENTS = 1 << 44
SEND_POLLS = 1 << 49
USE_EXTERNAL_APPS = 1 << 50

# Every permission discord.py 2.7 knows (discord.Permissions.all()).
ALL = 8866461766385663

# What @everyone gets in a new server.
DEFAULT_EVERYONE = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
    | SEND_POLLS
    | USE_EXTERNAL_APPS
)

# What the bot's own role gets, as if invited with a typical permissions integer.
DEFAULT_BOT = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | SEND_MESSAGES_IN_THREADS
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
    | MANAGE_EVENTS
    | CREATE_EVENTS
)

# Names accepted by emu.set_missing_permission(guild, name, True): the bits the bot then lacks.
SWITCHABLE = {
    "scheduled_events": MANAGE_EVENTS | CREATE_EVENTS,
    "send_messages": SEND_MESSAGES | SEND_MESSAGES_IN_THREADS,
    "embed_links": EMBED_LINKS,
    "attach_files": ATTACH_FILES,
    "view_channel": VIEW_CHANNEL | READ_MESSAGE_HISTORY,
}


def member_permissions(guild: Guild, member: Member) -> int:
    if member.permissions is not None:
        value = member.permissions
    elif member.administrator or member.user_id == guild.owner_id:
        value = ALL
    else:
        value = guild.everyone.permissions
        for role_id in member.role_ids:
            role = guild.roles.get(role_id)
            if role is not None:
                value |= role.permissions
        if value & ADMINISTRATOR:
            value = ALL
    if member.user.bot:  # the switches model what the server's admins took away from the bot
        for name in guild.missing_permissions:
            value &= ~SWITCHABLE[name]
    return value


def has(permissions: int, needed: int) -> bool:
    return permissions & needed == needed
