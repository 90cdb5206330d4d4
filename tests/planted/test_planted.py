"""Every mistake the instructor's guide lists is caught: a planted-mistake test.

README.md's "Common mistakes, exercise by exercise" names, for each chapter's
exercises, the mistakes learners make. `mistakes.py` plants each one, as a few
exact-text edits, into a temporary copy of the chapter (then one named test of
the chapter's own tests, run in learner mode, must fail) or into the
exercise's solution in the notebook (then the exercise's check must say
`[NOT YET]`). A mistake nothing catches is a gap in the tests.

The planted runs start a pytest or a kernel each (minutes in all), so plain
`pytest` leaves them out (marked `planted`, see tests/conftest.py) and runs
only the two quick checks at the bottom; CI runs them all in a step of its own:

    pytest tests/planted
"""

from __future__ import annotations

import re

import pytest
from harness import ROOT
from kernels import printed
from planted.mistakes import MISTAKES
from planted.planting import (
    NOTEBOOK,
    Mistake,
    PatchNoLongerApplies,
    exercise_cells,
    failed_tests,
    guide_mistakes,
    plant_in_notebook,
    plant_in_package,
    planted,
    run_chapter_test,
    run_until_check,
)
from workshop import NOT_YET

IN_PACKAGE = [m for m in MISTAKES if m.file != NOTEBOOK]
IN_NOTEBOOK = [m for m in MISTAKES if m.file == NOTEBOOK]


@pytest.mark.planted
@pytest.mark.parametrize("mistake", IN_PACKAGE, ids=[m.id for m in IN_PACKAGE])
def test_the_chapter_tests_catch_the_mistake(mistake: Mistake, tmp_path):
    folder = plant_in_package(mistake, tmp_path)
    done = run_chapter_test(mistake, folder)
    output = done.stdout + done.stderr
    assert done.returncode == 1, (
        f"{mistake.id}: expected {mistake.caught_by} to fail on the planted "
        f"mistake ({mistake.says}), pytest exited {done.returncode}:\n{output[-3000:]}"
    )
    test_name = mistake.caught_by.split("::")[-1]
    failed = [node.split("::")[-1] for node in failed_tests(done.stdout)]
    assert test_name in failed, f"{mistake.id}: {failed} failed:\n{output[-3000:]}"


@pytest.mark.planted
@pytest.mark.parametrize("mistake", IN_NOTEBOOK, ids=[m.id for m in IN_NOTEBOOK])
def test_the_exercise_check_catches_the_mistake(mistake: Mistake):
    nb = run_until_check(plant_in_notebook(mistake), mistake.exercise)
    for cell in exercise_cells(nb, mistake.exercise):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert errors == [], f"{mistake.id}: the planted exercise cell itself fails"
    said = printed(nb.cells[-1])
    assert f"{NOT_YET} Exercise {mistake.exercise}:" in said, (
        f"{mistake.id}: the check of exercise {mistake.exercise} did not catch "
        f"{mistake.says!r}; it printed:\n{said}"
    )


def test_every_mistake_in_the_guide_is_planted():
    """Each `(n)` entry of the guide, cut at `;`, is planted at least once."""
    listed = guide_mistakes((ROOT / "README.md").read_text(encoding="utf-8"))
    assert listed, "the guide's 'Common mistakes' list was not found"
    planted_says = {(m.chapter, m.exercise, m.says) for m in MISTAKES}
    missing = [entry for entry in listed if entry not in planted_says]
    assert missing == [], "guide entries with no planted mistake"
    extra = planted_says - set(listed)
    assert extra == set(), "planted mistakes the guide no longer lists"


def test_a_moved_anchor_says_the_patch_no_longer_applies():
    mistake = Mistake("04", 3, "x", "says", "nanoapi/router.py", (("absent", "y"),), "")
    with pytest.raises(PatchNoLongerApplies, match="patch no longer applies"):
        planted(mistake, "the code as it is now", "router.py")
    twice = Mistake("04", 3, "x", "says", "nanoapi/router.py", (("x", "y"),), "")
    with pytest.raises(PatchNoLongerApplies, match=re.escape("has 2 copies")):
        planted(twice, "x and x", "router.py")
