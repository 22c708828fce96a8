"""A loopback Discord emulator for the unmodified discord.py client (tests, benchmarks, `summit-bot try`)."""

from .commands import CommandError
from .console import run_console
from .emulator import DiscordEmulator, EmulatorStats
from .interactions import InteractionResult
from .models import Attachment, Channel, Guild, Member, Message, Pings, Role, User
from .rest import RequestRecord

__all__ = [
    "Attachment",
    "Channel",
    "CommandError",
    "DiscordEmulator",
    "EmulatorStats",
    "Guild",
    "InteractionResult",
    "Member",
    "Message",
    "Pings",
    "RequestRecord",
    "Role",
    "User",
    "run_console",
]
