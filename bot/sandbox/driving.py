"""The test-facing interaction API of DiscordEmulator: slash, autocomplete, click, select, submit_modal.

Each builds what a Discord client would send for a user, delivers INTERACTION_CREATE over the
gateway and waits for the bot's answer. A timeout raises AssertionError listing what the bot did
do for that interaction (its requests and the errors it got).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .commands import CommandError, Resolved, split_path
from .interaction_builder import command_data
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    BUTTON,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    SELECT_TYPES,
    STRING_SELECT,
    Interaction,
    InteractionResult,
    buttons_of,
    find_component,
)
from .models import Channel, Guild, Member, Message, User

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

Target = InteractionResult | Message | dict[str, Any]


class InteractionDriver:
    """Mixed into DiscordEmulator."""

    async def slash(
        self: DiscordEmulator,
        member: Member | User,
        channel: Channel | None,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        locale: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 (public API, like asyncio.wait_for)
    ) -> InteractionResult:
        """Run `/command` ("eventadmin edit" for a subcommand) as `member` in `channel` (None: in DM)."""
        registered, path, guild = self._registered(command, channel)
        data = command_data(self.builder, registered, command, options or {}, guild)
        name = " ".join([registered["name"], *path[1:]])
        ix = self.builder.new(APPLICATION_COMMAND, member, channel, name=name, data=data, locale=locale)
        return await self._run(ix, timeout, wait_deferred=True)

    async def autocomplete(
        self: DiscordEmulator,
        member: Member | User,
        channel: Channel | None,
        command: str,
        options: dict[str, Any],
        *,
        focused: str | None = None,
        locale: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 (public API, like asyncio.wait_for)
    ) -> list[dict[str, Any]]:
        """The choices the bot offers while `member` types `options[focused]` (default: the last option)."""
        registered, path, guild = self._registered(command, channel)
        if not options:
            raise CommandError("autocomplete needs the option being typed")
        focused = focused or list(options)[-1]
        data = command_data(self.builder, registered, command, options, guild, focused=focused)
        name = " ".join([registered["name"], *path[1:]])
        ix = self.builder.new(AUTOCOMPLETE, member, channel, name=name, data=data, locale=locale)
        await self._run(ix, timeout, wait_deferred=False)
        return list(ix.choices or [])

    async def click(
        self: DiscordEmulator,
        member: Member | User,
        target: Target,
        *,
        label: str | None = None,
        custom_id: str | None = None,
        locale: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 (public API, like asyncio.wait_for)
        wait_deferred: bool = True,
    ) -> InteractionResult:
        """Press a button (by label or custom_id) on a reply, a follow-up, or any message dict."""
        if (label is None) == (custom_id is None):
            raise TypeError("click() needs exactly one of label= or custom_id=")

        def matches(component: dict[str, Any]) -> bool:
            if component.get("type") != BUTTON:
                return False
            return component.get("label") == label if label is not None else component.get("custom_id") == custom_id

        message, button = self._locate(target, matches, f"button {label or custom_id!r}")
        if button.get("disabled"):
            raise AssertionError(f"the button {label or custom_id!r} is disabled")
        if button.get("url"):
            raise AssertionError(
                f"the button {label or custom_id!r} is a link to {button['url']}: it sends no interaction"
            )
        data = {"custom_id": button["custom_id"], "component_type": BUTTON}
        ix = self._component_interaction(member, message, data, locale)
        return await self._run(ix, timeout, wait_deferred=wait_deferred)

    async def select(
        self: DiscordEmulator,
        member: Member | User,
        target: Target,
        *,
        custom_id: str,
        values: list[Any],
        locale: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 (public API, like asyncio.wait_for)
        wait_deferred: bool = True,
    ) -> InteractionResult:
        """Choose `values` in the select menu `custom_id`."""
        message, menu = self._locate(
            target, lambda c: c.get("type") in SELECT_TYPES and c.get("custom_id") == custom_id, f"select {custom_id!r}"
        )
        if menu.get("disabled"):
            raise AssertionError(f"the select {custom_id!r} is disabled")
        low, high = menu.get("min_values", 1), menu.get("max_values", 1)
        if not low <= len(values) <= high:
            raise AssertionError(f"the select {custom_id!r} takes {low}..{high} values, got {len(values)}")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": menu["type"]}
        if menu["type"] == STRING_SELECT:
            offered = [o["value"] for o in menu.get("options") or []]
            unknown = [v for v in values if v not in offered]
            if unknown:
                raise AssertionError(f"the select {custom_id!r} offers {offered}, not {unknown}")
            data["values"] = list(values)
        else:
            channel = self.world.channels[message.channel_id]
            guild = self.world.guilds.get(channel.guild_id) if channel.guild_id else None
            resolve = self.builder.entity_resolver(guild)
            resolved = Resolved()
            kind = {5: 6, 6: 8, 7: 9, 8: 7}[menu["type"]]  # select type -> option type of its values
            data["values"] = [resolve(kind, v, resolved) for v in values]
            data["resolved"] = resolved.to_json() or {}
        ix = self._component_interaction(member, message, data, locale)
        return await self._run(ix, timeout, wait_deferred=wait_deferred)

    async def submit_modal(
        self: DiscordEmulator,
        member: Member | User,
        opened_by: InteractionResult,
        values: dict[str, str],
        *,
        locale: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 (public API, like asyncio.wait_for)
    ) -> InteractionResult:
        """Fill and submit the modal the bot opened in answer to `opened_by`."""
        modal = opened_by.modal
        if modal is None:
            raise AssertionError(
                f"the bot opened no modal for {opened_by.interaction.name!r} (callback {opened_by.callback_type})"
            )
        remaining = dict(values)
        components = [_submitted(component, remaining) for component in modal.get("components") or []]
        components = [c for c in components if c is not None]
        if remaining:
            raise AssertionError(f"the modal has no field(s) {sorted(remaining)}")
        opening = opened_by.interaction
        data = {"custom_id": modal["custom_id"], "components": components}
        ix = self.builder.new(
            MODAL_SUBMIT,
            member,
            opening.channel,
            name=modal["custom_id"],
            data=data,
            locale=locale,
            source=opening.source,
        )
        return await self._run(ix, timeout, wait_deferred=True)

    # -- shared steps -------------------------------------------------------------------------

    def _registered(
        self: DiscordEmulator, command: str, channel: Channel | None
    ) -> tuple[dict[str, Any], list[str], Guild | None]:
        """The registered command a user there would run, its path, and the guild."""
        guild_id = channel.guild_id if channel is not None else None
        path = split_path(command)
        registered = self.commands.find(guild_id, path[0]) if path else None
        if registered is None:
            known = ", ".join(f"/{name}" for name in self.commands.names(guild_id)) or "(none)"
            raise CommandError(f"no command /{command} is registered; registered commands: {known}")
        guild = self.world.guilds.get(guild_id) if guild_id is not None else None
        return registered, path, guild

    def _locate(self: DiscordEmulator, target: Target, matches: Any, what: str) -> tuple[Message, dict[str, Any]]:
        if isinstance(target, InteractionResult):
            candidates = target.messages
        else:
            stored = self.world.messages.get(int(target["id"]))
            if stored is None:
                raise AssertionError(f"message {target['id']} no longer exists")
            candidates = [stored]
        for message in candidates:
            found = find_component(message.get("components") or [], matches)
            if found is not None:
                return message, found
        shown = [b["label"] or b["custom_id"] for m in candidates for b in buttons_of(m.get("components") or [])]
        raise AssertionError(f"no {what} on that message; its buttons: {shown}")

    def _component_interaction(
        self: DiscordEmulator, member: Member | User, message: Message, data: dict[str, Any], locale: str | None
    ) -> Interaction:
        channel = self.world.channels[message.channel_id]
        return self.builder.new(
            MESSAGE_COMPONENT, member, channel, name=data["custom_id"], data=data, locale=locale, source=message
        )

    async def _run(self: DiscordEmulator, ix: Interaction, seconds: float, *, wait_deferred: bool) -> InteractionResult:
        self.interactions.add(ix)
        self.stats.interactions += 1
        if self.gateway.dispatch("INTERACTION_CREATE", ix.payload) == 0:
            raise AssertionError("the bot has no gateway session: start it and await emu.wait_for_ready() first")

        errors_before = len(self.internal_errors)

        def answered() -> bool | None:
            if len(self.internal_errors) > errors_before:
                raise AssertionError(f"emulator error: {self.internal_errors[-1]}")
            if ix.callback_type is None:
                return None
            if wait_deferred and ix.callback_type in (DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE):
                return True if ix.settled else None
            return True

        try:
            await ix.signal.wait_for(answered, seconds)
        except TimeoutError:
            state = (
                "no answer"
                if ix.callback_type is None
                else f"deferred (type {ix.callback_type}) but never edited nor followed up"
            )
            raise AssertionError(f"{state} within {seconds}s\n{self.describe_interaction(ix)}") from None
        return InteractionResult(self, ix)


def _submitted(component: dict[str, Any], remaining: dict[str, str]) -> dict[str, Any] | None:
    """The modal-submit form of one modal component: the same layout, with the values filled in."""
    kind = component.get("type")
    if kind == 1:  # action row holding a text input
        children = [_submitted(child, remaining) for child in component.get("components") or []]
        return {"type": 1, "components": [c for c in children if c is not None]}
    if kind == 18:  # label wrapping one input
        inner = _submitted(component["component"], remaining)
        return {"type": 18, "component": inner} if inner is not None else None
    custom_id = component.get("custom_id")
    if custom_id is None:
        return None
    if kind == 4:  # text input
        value = remaining.pop(custom_id, component.get("value") or "")
        if component.get("required", True) and not value:
            raise AssertionError(f"the modal field {custom_id!r} is required")
        longest = component.get("max_length")
        if longest is not None and len(value) > longest:
            raise AssertionError(f"the modal field {custom_id!r} takes at most {longest} characters")
        return {"type": 4, "custom_id": custom_id, "value": value}
    value = remaining.pop(custom_id, [])
    return {"type": kind, "custom_id": custom_id, "values": value if isinstance(value, list) else [value]}
