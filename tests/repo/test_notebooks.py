"""The workshop notebooks: in sync, clean, generated, and graded by their checks.

Per chapter (ids such as `01_raw_asgi`): the solution pair agrees, nothing is
committed with outputs, the learner's notebook is exactly what the generator
makes, every exercise has a hint before it and a check after it, the solution
passes every check, and the learner's notebook runs top to bottom (Run All)
without an error while every exercise's check says it is not solved yet. The
tiny example in `fixtures/` proves the same machinery end to end in a
temporary folder, and a throwaway repository proves that a learner's saved
work never fails the instructor's check.

What is committed is judged, not a learner's work: a learner's notebook that
holds outputs or answers is read as the last commit has it (CI, on a fresh
clone, sees the files themselves, and also runs `check --strict`).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupytext.compare import compare_notebooks
from kernels import executed, printed
from nbformat import NotebookNode
from workshop import NOT_YET, PASSED, SKIPPED, STUB_LEFT, check, uses_exercise

import notebooks as tool  # tools/notebooks.py (a module wins over the folder)

FIXTURES = Path(__file__).parent / "fixtures"
SOLUTIONS = tool.solution_notebooks()


def per_notebook(test):
    """Run `test` once per solution notebook (ids such as `01_raw_asgi`).

    With no solution notebooks yet the test is not collected at all, rather
    than reported as skipped.
    """
    test.__test__ = bool(SOLUTIONS)
    ids = [s.stem for s in SOLUTIONS]
    return pytest.mark.parametrize("solution", SOLUTIONS, ids=ids)(test)


# --- What a notebook is made of ------------------------------------------------------


def is_exercise(cell: NotebookNode) -> bool:
    return cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source


def is_check(cell: NotebookNode) -> bool:
    return cell.cell_type == "code" and "with check(" in cell.source


def is_hint(cell: NotebookNode) -> bool:
    return cell.cell_type == "markdown" and "<details>" in cell.source


def shape_problems(nb: NotebookNode) -> list[str]:
    """Exercises missing a hint before them or a check after them."""
    cells, problems = nb.cells, []
    exercises = [i for i, cell in enumerate(cells) if is_exercise(cell)]
    bounds = [-1, *exercises, len(cells)]
    for k, index in enumerate(exercises):
        if not any(map(is_hint, cells[bounds[k] + 1 : index])):
            problems.append(f"cell {index}: no hint (<details>) before this exercise")
        if not any(map(is_check, cells[index + 1 : bounds[k + 2]])):
            problems.append(f"cell {index}: no `with check(` cell after it")
    return problems


def check_outputs(nb: NotebookNode) -> dict[str, str]:
    """Each check cell's first line, mapped to what it printed."""
    return {c.source.splitlines()[0]: printed(c) for c in nb.cells if is_check(c)}


# --- The chapter notebooks in this repository --------------------------------------


@per_notebook
def test_the_pair_is_in_sync(solution):
    text = tool.text_twin(solution)
    assert text.exists(), f"{text.name} is missing: run tools/notebooks.py build"
    assert solution.exists(), f"{solution.name} is missing: run the build"
    compare_notebooks(jupytext.read(text), jupytext.read(solution), fmt="py:percent")


def judged_learner_text(solution: Path) -> str:
    """The learner's notebook as `check` judges it: if someone ran or edited it
    (it is not what the build writes), as the last commit has it."""
    learner = tool.learner_twin(solution)
    expected = tool.planned_files(solution)[learner]
    actual = learner.read_text(encoding="utf-8")
    if actual == expected:
        return actual
    return tool.lenient_side(learner, actual, tool.ROOT, notes=[])


@per_notebook
def test_committed_notebooks_carry_no_outputs(solution):
    learner = tool.learner_twin(solution)
    assert learner.exists(), f"notebooks/{learner.name} is missing: run the build"
    for path, text in [
        (solution, solution.read_text(encoding="utf-8")),
        (learner, judged_learner_text(solution)),
    ]:
        nb = nbformat.reads(text, as_version=4)
        assert not tool.has_outputs(nb), f"{path.name}: strip outputs (run build)"
        assert nb.metadata.kernelspec == tool.KERNELSPEC, path.name


@per_notebook
def test_the_learner_notebook_is_generated_from_the_solution(solution):
    learner = tool.learner_twin(solution)
    assert learner.exists(), f"notebooks/{learner.name} is missing: run the build"
    expected = tool.unpaired(tool.generate(jupytext.read(solution), solution.name))
    assert judged_learner_text(solution) == tool.ipynb_text(expected), (
        f"notebooks/{learner.name} was edited by hand or is stale: run the build"
    )


@per_notebook
def test_every_exercise_has_a_hint_and_a_check(solution):
    assert shape_problems(jupytext.read(solution)) == []


def test_every_learner_notebook_has_a_solution():
    solved = {s.name for s in SOLUTIONS}
    orphans = [p.name for p in tool.learner_notebooks() if p.name not in solved]
    assert orphans == []


def test_the_build_would_change_nothing():
    assert tool.problems(strict=False) == []


def errors(nb: NotebookNode) -> dict[int, str]:
    """Cells that ended in an error: index to the error's name and first line."""
    return {
        index: f"{output.ename}: {output.evalue}".splitlines()[0]
        for index, cell in enumerate(nb.cells)
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    }


@pytest.mark.slow
@per_notebook
def test_the_solution_runs_and_passes_every_check(solution):
    nb = executed(jupytext.read(solution), solution.parent)
    failed = {t: out for t, out in check_outputs(nb).items() if PASSED not in out}
    assert failed == {}
    skipped = [c.source.splitlines()[0] for c in nb.cells if SKIPPED in printed(c)]
    assert skipped == [], "with every exercise solved, no cell should skip"


@pytest.mark.slow
@per_notebook
def test_the_learner_notebook_runs_to_the_end_and_fails_every_check(solution):
    """One run of the learner's notebook, as Run All runs it, for both promises:
    every cell runs, and every exercise's check says "not yet"."""
    learner = tool.learner_twin(solution)
    nb = executed(jupytext.read(learner), learner.parent, allow_errors=True)
    assert errors(nb) == {}, "Run All would stop at the first of these cells"
    last_code = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert last_code.execution_count is not None
    # Every exercise's check fails; a check of no exercise (a finale) may pass.
    checks = {t: out for t, out in check_outputs(nb).items() if 'check("Exercise' in t}
    assert checks, "the notebook has no exercise checks"
    passed = {title: out for title, out in checks.items() if NOT_YET not in out}
    assert passed == {}
    stubs = {title: out for title, out in checks.items() if STUB_LEFT not in out}
    assert stubs == {}, "each check should say that its exercise is still a stub"


# --- The machinery, end to end on the example in fixtures/ -------------------------


def make_workshop(root: Path) -> Path:
    """A throwaway repository: the example's solution and the workshop helpers."""
    shutil.copytree(FIXTURES / "solutions", root / "solutions")
    (root / "tools").mkdir()
    shutil.copy(tool.ROOT / "tools" / "workshop.py", root / "tools")
    return root


@pytest.fixture
def workshop(tmp_path: Path) -> Path:
    return make_workshop(tmp_path)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_workshop(tmp_path_factory.mktemp("built"))
    tool.build(root)
    return root


def paths(root: Path) -> tuple[Path, Path, Path]:
    solution = root / "solutions" / "01_example.ipynb"
    return solution, tool.text_twin(solution), tool.learner_twin(solution)


def later(path: Path) -> None:
    """Mark `path` as saved after everything else (mtimes can tie on fast disks)."""
    newest = max(p.stat().st_mtime for p in path.parent.parent.rglob("*.*"))
    os.utime(path, (newest + 10, newest + 10))


def test_build_pairs_cleans_and_generates(workshop):
    solution, text, learner = paths(workshop)
    assert set(tool.build(workshop)) == {solution, text, learner}
    nb = jupytext.read(solution)
    assert nb.metadata.kernelspec == tool.KERNELSPEC
    assert nb.metadata.jupytext == {"formats": "ipynb,py:percent"}
    assert text.read_text().startswith("# ---\n# jupyter:\n#   jupytext:\n")
    generated = nbformat.read(learner, as_version=4)
    assert generated == tool.unpaired(tool.generate(nb))
    assert "jupytext" not in generated.metadata  # no .py twin when a learner saves
    assert text.stat().st_mtime >= solution.stat().st_mtime  # as Jupyter expects


def test_a_second_build_changes_nothing(workshop):
    tool.build(workshop)
    before = {p: p.stat().st_mtime_ns for p in paths(workshop)}
    assert tool.build(workshop) == []
    assert {p: p.stat().st_mtime_ns for p in paths(workshop)} == before
    assert tool.problems(workshop) == []


@pytest.mark.parametrize("side", [0, 1], ids=["notebook-newer", "text-newer"])
def test_check_agrees_whichever_side_is_newer(workshop, side):
    """A fresh clone gives the pair arbitrary mtimes: an in-sync pair still passes."""
    tool.build(workshop)
    later(paths(workshop)[side])
    assert tool.problems(workshop) == []


def test_an_edited_text_side_wins_and_reaches_the_learner(workshop):
    solution, text, learner = paths(workshop)
    tool.build(workshop)
    text.write_text(text.read_text().replace("greet someone", "welcome someone"))
    later(text)
    problems = "\n".join(tool.problems(workshop))
    assert "pair out of sync" in problems
    assert "build keeps the newer side" in problems and "01_example.py" in problems
    assert set(tool.build(workshop)) == {solution, learner}
    assert "welcome someone" in learner.read_text()
    assert tool.problems(workshop) == []


def test_an_edited_notebook_side_wins_and_keeps_the_text_newest(workshop):
    solution, text, _ = paths(workshop)
    tool.build(workshop)
    nb = nbformat.read(solution, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("## Going further"))
    nbformat.write(nb, solution)
    later(solution)
    tool.build(workshop)
    assert "# ## Going further" in text.read_text()
    assert text.stat().st_mtime >= solution.stat().st_mtime
    assert tool.problems(workshop) == []


def test_outputs_are_reported_then_stripped(workshop):
    solution, _, _ = paths(workshop)
    tool.build(workshop)
    nb = nbformat.read(solution, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code")
    cell.execution_count = 1
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi\n")]
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.9"}
    nbformat.write(nb, solution)
    later(solution)
    assert "01_example.ipynb: has outputs or execution counts" in "\n".join(
        tool.problems(workshop)
    )
    tool.build(workshop)
    cleaned = nbformat.read(solution, as_version=4)
    assert not tool.has_outputs(cleaned)
    assert "language_info" not in cleaned.metadata
    assert tool.problems(workshop) == []


def test_a_hand_edited_or_orphan_learner_notebook_is_reported(workshop):
    _, _, learner = paths(workshop)
    tool.build(workshop)
    learner.write_text(learner.read_text().replace("YOUR CODE HERE", "TODO"))
    shutil.copy(learner, learner.with_name("02_gone.ipynb"))
    problems = "\n".join(tool.problems(workshop))
    assert "01_example.ipynb: differs from what build writes" in problems
    assert "02_gone.ipynb: no solutions/02_gone.ipynb" in problems
    tool.build(workshop)
    assert "YOUR CODE HERE" in learner.read_text()


def test_the_command_line_exit_codes(workshop, capsys):
    assert tool.main(["check", "--root", str(workshop)]) == 1
    assert "01_example.ipynb: missing" in capsys.readouterr().err
    assert tool.main(["build", "--root", str(workshop)]) == 0
    assert tool.main(["check", "--root", str(workshop)]) == 0
    _, text, _ = paths(workshop)
    text.write_text(text.read_text() + "\n# %%\nx = 1  ### END SOLUTION\n")
    later(text)
    assert tool.main(["build", "--root", str(workshop)]) == 1
    assert "line 1: 'x = 1  ### END SOLUTION' is not" in capsys.readouterr().err


def test_the_script_runs_from_the_repository_root(built):
    script = tool.ROOT / "tools" / "notebooks.py"
    done = subprocess.run(
        [sys.executable, str(script), "check", "--root", str(built)],
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stdout) == (0, "all notebooks up to date\n")


def test_the_example_has_the_shape_of_a_workshop_notebook(built):
    solution, _, _ = paths(built)
    nb = jupytext.read(solution)
    assert shape_problems(nb) == []
    del nb.cells[3]  # the first hint
    nb.cells = [c for c in nb.cells if "Exercise 2:" not in c.source or not is_check(c)]
    assert [p.split(":")[1] for p in shape_problems(nb)] == [
        " no hint (<details>) before this exercise",
        " no `with check(` cell after it",
    ]


@pytest.mark.slow
def test_the_example_solution_passes_every_check(built):
    solution, _, _ = paths(built)
    outputs = check_outputs(executed(jupytext.read(solution), solution.parent))
    assert len(outputs) == 2
    assert all(out.startswith(f"{PASSED} Exercise") for out in outputs.values())


@pytest.mark.slow
def test_the_example_learner_notebook_fails_every_check_for_its_own_reason(built):
    _, _, learner = paths(built)
    nb = executed(jupytext.read(learner), learner.parent, allow_errors=True)
    assert errors(nb) == {}, "Run All stops at these cells"
    outputs = check_outputs(nb)
    assert len(outputs) == 2
    for out in outputs.values():
        assert out.startswith(f"{NOT_YET} Exercise") and STUB_LEFT in out, out


# --- The check helper the notebooks import -------------------------------------------


def test_check_says_passed(capsys):
    with check("Exercise 1: it works"):
        pass
    assert capsys.readouterr().out == "✅ [PASS] Exercise 1: it works\n"


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (NotImplementedError("Exercise 1: your code here"), STUB_LEFT),
        (AssertionError("expected 200, got 404"), "expected 200, got 404"),
        (KeyError("type"), "KeyError: 'type'"),
        (ValueError("first line\n  second line"), "ValueError: first line second line"),
        (AssertionError(), "this did not hold: raise error"),
    ],
    ids=["stub-left", "assertion", "other", "multi-line", "bare-assert"],
)
def test_check_says_why_not_yet_and_lets_the_notebook_go_on(capsys, error, reason):
    with check("Exercise 2: echo"):
        raise error
    printed = capsys.readouterr().out
    assert printed.startswith(f"❌ [NOT YET] Exercise 2: echo\n   {reason}\n")
    # an error the check did not expect also shows where it came from
    unexpected = not isinstance(error, NotImplementedError | AssertionError)
    assert ("Traceback (most recent call last)" in printed) == unexpected, printed


@pytest.mark.parametrize("marker", [PASSED, NOT_YET, SKIPPED])
def test_each_marker_has_words_that_need_no_emoji_font(marker):
    emoji, words = marker.split(" ", 1)
    assert not emoji.isascii() and words.isascii(), marker
    assert words.startswith("[") and words.endswith("]"), marker


def test_a_cell_that_uses_an_unsolved_exercise_is_skipped(capsys):
    with uses_exercise(3):
        raise NotImplementedError("Exercise 3: your code here")
    assert capsys.readouterr().out.startswith(f"{SKIPPED} this cell runs your code")
    with pytest.raises(KeyError), uses_exercise(3):  # a real bug is shown, not hidden
        raise KeyError("type")
    with uses_exercise(3):
        print("ran")
    assert capsys.readouterr().out == "ran\n"
