"""Random and hostile option values sent to every (sub)command and autocomplete the bot registers.

Properties, for each invocation: the bot answers; nothing unexpected happens (no apology, no log record
at ERROR, no emulator error, no invalid form body, no double or late answer); a refusal is an ephemeral
message and leaves every table as it was; nothing pings except an announcement's chosen role. Pressing a
button of the answer (as the invoker or someone else) behaves too. Autocomplete offers at most 25 choices
with names and values of at most 100 characters, and changes nothing.

The commands are read from what the bot registered, so a command added later is covered without a change.
Moderator commands run as a moderator here (members are refused before their options are read: see
test_moderator_commands.py). Announcements, a role to ping and mirroring are on, so every accepted change
also posts and mirrors the hostile text. The store is put back after each example, so examples do not
depend on each other and a failure can be replayed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sandbox import Member

from .budget import hypothesis_settings, scaled
from .commands import Leaf
from .hostile import hostile_text
from .probes import LOCALES, Suggestions, complete, invocations, invoke, offered_choices, press
from .rig import Rig, running_rig

COMMAND_SETTINGS = hypothesis_settings(ci_examples=20, long_examples=300)
AUTOCOMPLETE_SETTINGS = hypothesis_settings(ci_examples=25, long_examples=400)

pytestmark = pytest.mark.timeout(scaled(240, 7200))


async def announce_to_followers_and_mirror(rig: Rig) -> None:
    result = await rig.emulator.slash(
        rig.moderator,
        rig.general,
        "eventadmin settings",
        {"channel": rig.announcements, "role": rig.followers, "mirroring": True},
    )
    assert result.ephemeral and not rig.observer.refusal(result), result.content


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    with running_rig(tmp_path_factory.mktemp("hostile"), setup=announce_to_followers_and_mirror) as running:
        yield running


@pytest.fixture(scope="module")
def suggestions(rig: Rig) -> Suggestions:
    return rig.run(offered_choices(rig))


def check_leaf(rig: Rig, leaf: Leaf, suggestions: Suggestions) -> None:
    @COMMAND_SETTINGS
    @given(data=st.data())
    def hostile_values_are_answered_politely(data: st.DataObject) -> None:
        invocation = data.draw(invocations(rig, leaf, suggestions), label="invocation")
        # Drawn before the answer is known: what is drawn must not depend on the bot (Hypothesis replays it).
        button_number = data.draw(st.none() | st.integers(0, 24), label="then press button number")
        presser = data.draw(st.sampled_from([invocation.who, *rig.members]), label="pressed by (None: the newcomer)")
        try:
            result, problems = rig.run(invoke(rig, invocation))
            presser = presser or result.interaction.member or result.interaction.user
            assert not problems, "\n".join(problems)
            pressable = [b for b in result.buttons if b["custom_id"] and not b["disabled"]]
            if pressable and button_number is not None:
                button = pressable[button_number % len(pressable)]
                problems = rig.run(press(rig, presser, result, button["custom_id"]))
                assert not problems, "\n".join(problems)
        finally:
            rig.run(rig.reset())

    hostile_values_are_answered_politely()


def test_every_command_answers_hostile_values_politely(rig: Rig, suggestions: Suggestions, subtests) -> None:
    assert len(rig.leaves) >= 10, f"expected the bot's commands, found {rig.leaves}"
    for leaf in rig.leaves:
        with subtests.test(msg=f"/{leaf.path}"):
            check_leaf(rig, leaf, suggestions)


def check_autocomplete(rig: Rig, leaf: Leaf, option: dict[str, Any]) -> None:
    people = [rig.moderator] if leaf.moderators_only else rig.members

    @AUTOCOMPLETE_SETTINGS
    @given(
        typed=hostile_text(max_size=option.get("max_length", 6000)),
        who=st.sampled_from(people),
        locale=st.sampled_from(LOCALES),
    )
    def typed_text_gets_at_most_25_short_choices(typed: str, who: Member, locale: str | None) -> None:
        problems = rig.run(complete(rig, leaf, option, typed, who, locale))
        assert not problems, "\n".join(problems)

    typed_text_gets_at_most_25_short_choices()


def test_every_autocomplete_offers_at_most_25_short_choices(rig: Rig, subtests) -> None:
    completed = [(leaf, option) for leaf in rig.leaves for option in leaf.autocompleted]
    assert completed, "expected options with autocomplete"
    for leaf, option in completed:
        with subtests.test(msg=f"/{leaf.path} {option['name']}"):
            check_autocomplete(rig, leaf, option)
