"""Every moderator command run by members without the permission: refused, ephemerally, and nothing changed.

"Moderator commands" are every subcommand of the registered commands that carry default_member_permissions
(Discord hides those from members, but a server's admins can show them to anyone: the bot checks again).
The same options, run by a moderator, are not refused for permission: so the refusal is about who asks,
not about what they typed. Buttons on a moderator's answer (e.g. confirming a deletion) pressed by a member
change nothing either.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from discord import app_commands

from bot.errors import NotAllowedError
from bot.sandbox import InteractionResult

from .commands import BOOLEAN, CHANNEL, INTEGER, MENTIONABLE, NUMBER, ROLE, USER, Leaf
from .database_state import differences
from .probes import Invocation, Suggestions, invoke, offered_choices
from .rig import Rig, running_rig

REFUSED_FOR_PERMISSION = (NotAllowedError, app_commands.MissingPermissions, app_commands.CheckFailure)
# Free text a moderator could mean in any required text option: a plausible name, and a date too.
PLAUSIBLE_TEXT = "2031-06-01 10:00"


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    async def announce(rig: Rig) -> None:
        await rig.emulator.slash(
            rig.moderator, rig.general, "eventadmin settings", {"channel": rig.announcements, "mirroring": True}
        )

    with running_rig(tmp_path_factory.mktemp("moderation"), setup=announce) as running:
        yield running


@pytest.fixture(scope="module")
def suggestions(rig: Rig) -> Suggestions:
    return rig.run(offered_choices(rig))


def plausible_options(rig: Rig, leaf: Leaf, suggestions: Suggestions) -> dict[str, Any]:
    """The required options, filled as a moderator would: offered choices, existing things, sensible text."""
    entity = {USER: rig.member_en, ROLE: rig.followers, CHANNEL: rig.announcements, MENTIONABLE: rig.member_en}
    options: dict[str, Any] = {}
    for option in leaf.options:
        if not option.get("required"):
            continue
        offered = suggestions.get((leaf.path, option["name"]))
        if option.get("choices"):
            value: Any = option["choices"][0]["value"]
        elif offered:
            value = offered[0]
        elif option["type"] in entity:
            value = entity[option["type"]]
        elif option["type"] == BOOLEAN:
            value = True
        elif option["type"] in (INTEGER, NUMBER):
            value = option.get("min_value", 1)
        else:
            value = PLAUSIBLE_TEXT
        options[option["name"]] = value
    return options


def discord_side(rig: Rig) -> tuple[int, list[dict[str, Any]]]:
    """What members would see change on Discord: announcements posted, scheduled events."""
    return len(rig.emulator.channel_messages(rig.announcements)), rig.emulator.scheduled_events(rig.guild)


def moderated_leaves(rig: Rig) -> list[Leaf]:
    found = [leaf for leaf in rig.leaves if leaf.moderators_only]
    assert found, f"expected moderator commands among {rig.leaves}"
    return found


def test_members_are_refused_every_moderator_command(rig: Rig, suggestions: Suggestions, subtests) -> None:
    for leaf in moderated_leaves(rig):
        options = plausible_options(rig, leaf, suggestions)
        answers = {}
        for member in (rig.member_en, rig.member_fr):
            with subtests.test(msg=f"/{leaf.path} by {member.name}"):
                seen = discord_side(rig)
                result, problems = rig.run(invoke(rig, Invocation(leaf, member, None, False, options)))
                rig.run(rig.reset())
                assert not problems, "\n".join(problems)
                assert isinstance(rig.observer.refusal(result), REFUSED_FOR_PERMISSION), result.content
                assert result.ephemeral and result.content and not result.embeds
                assert discord_side(rig) == seen
                answers[member.locale] = result.content
        assert answers["fr"] != answers["en-US"], "the refusal is not translated"

        with subtests.test(msg=f"/{leaf.path} by the moderator, same options"):
            result, problems = rig.run(invoke(rig, Invocation(leaf, rig.moderator, None, False, options)))
            rig.run(rig.reset())
            assert not problems, "\n".join(problems)
            assert not isinstance(rig.observer.refusal(result), REFUSED_FOR_PERMISSION), result.content


async def press_as_member(rig: Rig, leaf: Leaf, options: dict[str, Any]) -> list[str]:
    """The moderator runs the command; a member presses each button of the answer."""
    answer: InteractionResult = await rig.emulator.slash(rig.moderator, rig.general, leaf.path, options)
    problems = []
    for button in [b for b in answer.buttons if b["custom_id"] and not b["disabled"]]:
        before, seen = await rig.snapshot(), discord_side(rig)
        mark = rig.observer.mark()
        pressed = await rig.emulator.click(rig.member_en, answer, custom_id=button["custom_id"])
        problems += rig.observer.problems(mark, [pressed], ping_roles=rig.ping_roles)
        after = await rig.snapshot()
        if after != before or discord_side(rig) != seen:
            changed = "; ".join(differences(before, after)) or "Discord's side"
            problems.append(f"{button['custom_id']} pressed by a member changed {changed}")
        if pressed.message is not None and pressed.message is not answer.message and not pressed.ephemeral:
            problems.append(f"{button['custom_id']} pressed by a member answered in public: {pressed.content!r}")
    await rig.reset()
    return problems


def test_members_pressing_a_moderators_buttons_change_nothing(rig: Rig, suggestions: Suggestions, subtests) -> None:
    for leaf in moderated_leaves(rig):
        with subtests.test(msg=f"/{leaf.path}"):
            problems = rig.run(press_as_member(rig, leaf, plausible_options(rig, leaf, suggestions)))
            assert not problems, "\n".join(problems)
