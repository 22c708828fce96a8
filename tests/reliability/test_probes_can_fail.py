"""The probes the reliability suite relies on do catch each kind of misbehaviour (else its passes prove nothing)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.client import EXTENSIONS

from .probes import Invocation, complete, invoke
from .rig import Rig, running_rig


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    extensions = (*EXTENSIONS, "tests.reliability.misbehaving")
    with running_rig(tmp_path_factory.mktemp("misbehaving"), extensions=extensions) as running:
        yield running


def problems_of(rig: Rig, name: str) -> list[str]:
    (leaf,) = [leaf for leaf in rig.leaves if leaf.path == name]
    _, problems = rig.run(invoke(rig, Invocation(leaf, rig.member_en, None, False, {})))
    rig.run(rig.reset())
    return problems


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("crash", "apologised for an unexpected error"),
        ("crash", "logged at ERROR by bot.errors"),
        ("refuse-in-public", "refused in public"),
        ("write-then-refuse", "but changed the store"),
        ("ping-everyone", "its answer pinged"),
    ],
)
def test_a_misbehaving_command_is_caught(rig: Rig, command: str, expected: str) -> None:
    assert any(expected in problem for problem in problems_of(rig, command))


def test_a_well_behaved_command_passes(rig: Rig) -> None:
    assert problems_of(rig, "about") == []


def test_too_many_autocomplete_choices_are_caught(rig: Rig) -> None:
    (leaf,) = [leaf for leaf in rig.leaves if leaf.path == "too-many-choices"]
    (option,) = leaf.autocompleted
    problems = rig.run(complete(rig, leaf, option, "", rig.member_en, None, wait=0.5))
    assert any("invalid form body" in problem for problem in problems)
    # The emulator refused it for being outside Discord's request schema, and recorded that.
    (violation,) = rig.emulator.spec_violations
    assert violation.split(" body: ")[1].startswith("data.choices: ") and violation.endswith("is too long")
    rig.emulator.spec_violations.clear()
