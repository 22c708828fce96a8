"""A bare discord.py bot with tiny app commands, to test the emulator without the project's bot."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.snowflake_strings import SnowflakeRef, UploadFile

CLAUSES = ["energy", "engagement", "ethics", "education"]
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


class CardView(discord.ui.View):
    @discord.ui.button(label="Next", custom_id="card:next")
    async def next_page(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="page 2", embed=None, view=None)

    @discord.ui.button(label="Later", custom_id="card:later")
    async def later(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content="later, edited")

    @discord.ui.button(label="Off", custom_id="card:off", disabled=True)
    async def off(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:  # pragma: no cover
        await interaction.response.send_message("unreachable")


class PickView(discord.ui.View):
    @discord.ui.select(
        custom_id="pick",
        options=[discord.SelectOption(label="Alpha", value="a"), discord.SelectOption(label="Beta", value="b")],
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.send_message(f"chose {','.join(select.values)}", ephemeral=True)


class AnswerModal(discord.ui.Modal, title="Your answer"):
    answer = discord.ui.TextInput(label="Answer", custom_id="answer")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"got {self.answer.value}")


def admin_group() -> app_commands.Group:
    """/admin event edit: a subcommand group with typed options."""
    admin = app_commands.Group(name="admin", description="Admin tools")
    events = app_commands.Group(name="event", description="Events", parent=admin)

    @events.command(name="edit", description="Edit an event")
    async def edit(interaction: discord.Interaction, name: str, count: int, flag: bool, who: discord.Member) -> None:
        await interaction.response.send_message(f"{name}|{count}|{type(count).__name__}|{flag}|{who.id}|{who.name}")

    return admin


def build_bot() -> commands.Bot:
    bot = commands.Bot(command_prefix="!", intents=discord.Intents(guilds=True), guild_ready_timeout=0.05)
    tree = bot.tree
    tree.add_command(admin_group())

    @tree.command(description="An embed and buttons")
    async def card(interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="Card", description="page 1").add_field(name="A", value="1")
        await interaction.response.send_message(embed=embed, view=CardView())

    @tree.command(description="Defers then edits")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content="done")

    @tree.command(description="Defers then follows up")
    async def later(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        await interaction.followup.send("followed up")

    @tree.command(description="Ephemeral reply")
    async def secret(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("psst", ephemeral=True)

    @tree.command(description="Reply then two follow-ups")
    async def multi(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("one")
        await interaction.followup.send("two")
        await interaction.followup.send("three", ephemeral=True)

    @tree.command(description="Clause by reference")
    async def clause(interaction: discord.Interaction, ref: str) -> None:
        await interaction.response.send_message(f"clause {ref}")

    @clause.autocomplete("ref")
    async def clause_ref(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=c.title(), value=c) for c in CLAUSES if c.startswith(current)]

    @tree.command(description="DM someone")
    async def dm(interaction: discord.Interaction, who: discord.Member) -> None:
        try:
            await who.send("hello from the bot")
        except discord.Forbidden as exc:
            await interaction.response.send_message(f"forbidden {exc.status} {exc.code}", ephemeral=True)
        else:
            await interaction.response.send_message("sent", ephemeral=True)

    @tree.command(description="Post twice with the same nonce")
    async def announce(interaction: discord.Interaction, text: str) -> None:
        channel = interaction.channel
        assert isinstance(channel, discord.TextChannel)
        first = await channel.send(text, nonce=4242)
        second = await channel.send(text, nonce=4242)
        await interaction.response.send_message(f"{first.id} {second.id}", ephemeral=True)

    @tree.command(description="Post an embed over 6000 characters")
    async def big(interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="Big", description="d" * 4000)
        for index in range(3):
            embed.add_field(name=f"f{index}", value="v" * 1000)
        try:
            await interaction.channel.send(embed=embed)  # type: ignore[union-attr]
        except discord.HTTPException as exc:
            await interaction.response.send_message(f"rejected {exc.status} {exc.code}", ephemeral=True)

    @tree.command(description="Mention someone")
    @app_commands.choices(mode=[app_commands.Choice(name=m, value=m) for m in ("none", "user", "default")])
    async def mention(interaction: discord.Interaction, who: discord.Member, mode: str) -> None:
        allowed = {
            "none": discord.AllowedMentions.none(),
            # String ids, as Discord's schema wants (discord.py would send `who.id`, an int).
            "user": discord.AllowedMentions(users=[SnowflakeRef(who.id)], everyone=False, roles=False),
            "default": None,
        }[mode]
        await interaction.response.send_message(f"<@{who.id}> hello @everyone", allowed_mentions=allowed)

    @tree.command(description="A file")
    async def ics(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("calendar", file=UploadFile(io.BytesIO(ICS), filename="summit.ics"))

    @tree.command(description="A select menu")
    async def pick(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pick one", view=PickView())

    @tree.command(description="A form")
    async def form(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(AnswerModal())

    @tree.command(description="Create an external event")
    async def event(interaction: discord.Interaction, name: str) -> None:
        guild = interaction.guild
        assert guild is not None
        start = datetime.now(UTC) + timedelta(days=1)
        try:
            created = await guild.create_scheduled_event(
                name=name,
                start_time=start,
                end_time=start + timedelta(hours=2),
                entity_type=discord.EntityType.external,
                privacy_level=discord.PrivacyLevel.guild_only,
                location="Grand Palais, Paris",
            )
        except discord.HTTPException as exc:
            await interaction.response.send_message(f"failed {exc.status} {exc.code}", ephemeral=True)
        else:
            await interaction.response.send_message(f"created {created.id} {created.location}", ephemeral=True)

    async def setup_hook() -> None:
        await tree.sync()

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot
