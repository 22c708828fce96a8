"""Running one command, button or autocomplete on the rig and listing what went wrong (empty: it behaved)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from bot.sandbox import InteractionResult, Member

from .commands import INTEGER, NUMBER, STRING, Leaf
from .database_state import differences
from .hostile import plausible_strategy, value_strategy
from .observation import short
from .rig import Rig

LOCALES = [None, "en-US", "en-GB", "fr", "de", "ja"]  # None: the member's own; de, ja: no catalogue, English
Suggestions = dict[tuple[str, str], list[Any]]


class Invocation:
    """One drawn command run (a plain class: Hypothesis shows its repr, not every field of a dataclass).

    `who` None stands for a member who just joined: no cooldown, no subscriptions, no history yet.
    """

    def __init__(
        self, leaf: Leaf, who: Member | None, locale: str | None, in_dm: bool, options: dict[str, Any]
    ) -> None:
        self.leaf, self.who, self.locale, self.in_dm, self.options = leaf, who, locale, in_dm, options

    def __repr__(self) -> str:
        where = "in DM" if self.in_dm else "in #general"
        who = self.who.name if self.who is not None else "a newcomer"
        shown = ", ".join(f"{name}={short(value)}" for name, value in self.options.items())
        return f"/{self.leaf.path} by {who} ({self.locale or 'own locale'}) {where}: {shown}"


def invocations(rig: Rig, leaf: Leaf, suggestions: Suggestions) -> st.SearchStrategy[Invocation]:
    """Who runs `leaf`, where, in which locale, with which values (optional options sometimes left out)."""

    @st.composite
    def build(draw: st.DrawFn) -> Invocation:
        who = rig.moderator if leaf.moderators_only else draw(st.sampled_from([*rig.members, None]))
        given = [option for option in leaf.options if option.get("required") or draw(st.booleans())]
        # Half the time every value is hostile; otherwise one is and the others let the command go on.
        hostile = set(range(len(given)))
        if given and draw(st.booleans()):
            hostile = {draw(st.integers(0, len(given) - 1))}
        options = {}
        for index, option in enumerate(given):
            offered = suggestions.get((leaf.path, option["name"]), [])
            values = value_strategy if index in hostile else plausible_strategy
            options[option["name"]] = draw(values(option, suggestions=offered, entities=rig.entities()))
        in_dm = leaf.usable_in_dms and draw(st.booleans())
        return Invocation(leaf, who, draw(st.sampled_from(LOCALES)), in_dm, options)

    return build()


async def offered_choices(rig: Rig) -> Suggestions:
    """What each autocomplete offers a moderator on an empty option."""
    found = {}
    for leaf in rig.leaves:
        for option in leaf.autocompleted:
            choices = await rig.emulator.autocomplete(
                rig.moderator, rig.general, leaf.path, {option["name"]: ""}, focused=option["name"]
            )
            found[(leaf.path, option["name"])] = [choice["value"] for choice in choices]
    return found


async def invoke(rig: Rig, invocation: Invocation) -> tuple[InteractionResult, list[str]]:
    """Run the command; a refusal must be ephemeral and leave the store as it was."""
    observer = rig.observer
    mark = observer.mark()
    before = await rig.snapshot()
    channel = None if invocation.in_dm else rig.general
    who = invocation.who or rig.newcomer()
    result = await rig.emulator.slash(who, channel, invocation.leaf.path, invocation.options, locale=invocation.locale)
    after = await rig.snapshot()
    problems = observer.problems(mark, [result], ping_roles=rig.ping_roles)
    if not (result.content or result.embeds or result.attachments):
        problems.append("the answer is empty")
    refusal = observer.refusal(result)
    if refusal is not None:
        if not result.ephemeral:
            problems.append(f"refused in public ({refusal!r}): {result.content!r}")
        if after != before:
            problems.append(f"refused ({refusal!r}) but changed the store:\n" + "\n".join(differences(before, after)))
    return result, problems


async def press(rig: Rig, who: Member, result: InteractionResult, custom_id: str) -> list[str]:
    mark = rig.observer.mark()
    pressed = await rig.emulator.click(who, result, custom_id=custom_id)
    return rig.observer.problems(mark, [pressed], ping_roles=rig.ping_roles)


async def complete(
    rig: Rig, leaf: Leaf, option: dict[str, Any], typed: str, who: Member, locale: str | None, *, wait: float = 3
) -> list[str]:
    """Ask for choices; they must fit Discord's limits and reading them must change nothing."""
    mark = rig.observer.mark()
    before = await rig.snapshot()
    try:
        choices = await rig.emulator.autocomplete(
            who, rig.general, leaf.path, {option["name"]: typed}, focused=option["name"], locale=locale, timeout=wait
        )
    except AssertionError as unanswered:  # Discord shows no choice after 3 s
        choices, problems = [], [str(unanswered)]
    else:
        problems = []
    problems += rig.observer.problems(mark) + choice_problems(option, choices)
    after = await rig.snapshot()
    if after != before:
        problems.append("autocomplete changed the store:\n" + "\n".join(differences(before, after)))
    return problems


def choice_problems(option: dict[str, Any], choices: list[dict[str, Any]]) -> list[str]:
    problems = []
    if len(choices) > 25:
        problems.append(f"{len(choices)} choices (Discord takes 25)")
    expected = {STRING: str, INTEGER: int, NUMBER: int | float}[option["type"]]
    for choice in choices:
        name, value = choice.get("name"), choice.get("value")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            problems.append(f"choice name {short(name)} is not 1..100 characters")
        if not isinstance(value, expected) or (isinstance(value, str) and len(value) > 100):
            problems.append(f"choice value {short(value)} is not a {option['type']}-typed value of ≤ 100 characters")
    return problems
