"""Plant one of the instructor's guide's "common mistakes" and see it caught.

A mistake is a few exact-text edits, each `(old, new)`: `old` must occur
exactly once in the file, or the plant says "patch no longer applies" and
which text it could not find, so a plant that the chapter's code has moved
away from fails loudly instead of testing nothing.

Two places a mistake can be planted:

* a chapter's package (or its demo `app.py`): in a temporary copy of the
  chapter, judged by one named test of `tests/NN_slug`, run in learner mode
  (`pytest tests/NN_slug/FILE::TEST --target COPY`), which must fail;
* a notebook exercise (`notebook`): inside the exercise's `### BEGIN SOLUTION`
  block of `solutions/NN_slug.py`, judged by the exercise's check cell, which
  must print `[NOT YET]`.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import jupytext
from harness import ROOT, find_chapter
from kernels import executed
from nbformat import NotebookNode

from notebooks import BEGIN, END  # tools/notebooks.py

NOTEBOOK = "notebook"


@dataclass(frozen=True)
class Mistake:
    """One mistake of the guide, planted in one place and caught by one check."""

    chapter: str  # "04"
    exercise: int  # the guide's (n); 0 for a mistake it lists "everywhere"
    name: str  # a short slug: the test id
    says: str  # the guide's words
    file: str  # "nanoapi/router.py" or "app.py" in the chapter, or NOTEBOOK
    edits: tuple[tuple[str, str], ...]
    caught_by: str  # a test of tests/NN_slug ("test_router.py::test_x"), or ""
    # for a notebook (the check of `exercise` catches it)

    @property
    def id(self) -> str:
        where = "nb" if self.file == NOTEBOOK else "pkg"
        return f"{self.chapter}.{self.exercise}-{where}-{self.name}"


class PatchNoLongerApplies(AssertionError):
    pass


def planted(mistake: Mistake, text: str, where: str) -> str:
    """`text` with the mistake's edits made, each anchored on exactly one match."""
    for old, new in mistake.edits:
        count = text.count(old)
        if count != 1:
            raise PatchNoLongerApplies(
                f"patch no longer applies: {where} has {count} copies of {old!r} "
                f"(expected exactly one); update {mistake.id} in "
                "tests/planted/mistakes.py to the code as it is now"
            )
        text = text.replace(old, new)
    return text


# --- In a chapter's package ---------------------------------------------------------


def plant_in_package(mistake: Mistake, folder: Path) -> Path:
    """A copy of the chapter (package and demo) in `folder`, with the mistake."""
    chapter = find_chapter(mistake.chapter)
    shutil.copytree(chapter.path / "nanoapi", folder / "nanoapi")
    shutil.copy(chapter.path / "app.py", folder / "app.py")
    target = folder / mistake.file
    text = planted(mistake, target.read_text(), f"{chapter.slug}/{mistake.file}")
    compile(text, str(target), "exec")  # a typo in the plant is no catch
    target.write_text(text)
    return folder


def failed_tests(output: str) -> list[str]:
    """The node ids that pytest's `-rf` summary lists as FAILED."""
    return re.findall(r"^FAILED ([^\s\[]+)", output, re.M)


def run_chapter_test(mistake: Mistake, folder: Path) -> subprocess.CompletedProcess:
    """The catching test, in learner mode, against the planted copy."""
    node = f"tests/{find_chapter(mistake.chapter).slug}/{mistake.caught_by}"
    # One process, and without schemathesis's pytest plugin: starting it costs
    # about a second, and no catching test needs it.
    options = ["-n", "0", "-q", "-rf", "-p", "no:schemathesis"]
    return subprocess.run(
        [sys.executable, "-m", "pytest", node, f"--target={folder}", *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


# --- In a notebook exercise ---------------------------------------------------------


def solution_text(mistake: Mistake) -> tuple[Path, str]:
    slug = find_chapter(mistake.chapter).slug
    path = ROOT / "solutions" / f"{slug}.py"
    return path, path.read_text(encoding="utf-8")


def solution_blocks(text: str) -> list[tuple[int, int]]:
    """Where the learner writes: each `### BEGIN/END SOLUTION` span."""
    starts = [m.end() for m in re.finditer(re.escape(BEGIN), text)]
    ends = [m.start() for m in re.finditer(re.escape(END), text)]
    return list(zip(starts, ends, strict=True))


def plant_in_notebook(mistake: Mistake) -> NotebookNode:
    """The solution notebook, with the mistake planted where the learner writes."""
    path, text = solution_text(mistake)
    changed = planted(mistake, text, path.name)  # each `old` is there, once
    blocks = solution_blocks(text)
    for old, _ in mistake.edits:
        at = text.find(old)
        if not any(a <= at and at + len(old) <= b for a, b in blocks):
            raise AssertionError(
                f"{mistake.id}: {old!r} is outside every solution block of "
                f"{path.name}: a plant changes only what the learner writes"
            )
    return jupytext.reads(changed, fmt="py:percent")


def check_cell(nb: NotebookNode, exercise: int) -> int:
    """The index of the check cell of `exercise`."""
    title = f'check("Exercise {exercise}:'
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and title in cell.source:
            return index
    raise AssertionError(f"no cell with {title!r}")


def run_until_check(nb: NotebookNode, exercise: int) -> NotebookNode:
    """Run the notebook in a fresh kernel, from the top to the exercise's check."""
    head = copy.copy(nb)  # executed() copies it deeply
    head.cells = nb.cells[: check_cell(nb, exercise) + 1]
    # a later cell may use the planted code: go on past an error
    return executed(head, ROOT / "solutions", allow_errors=True)


def exercise_cells(nb: NotebookNode, exercise: int) -> list[NotebookNode]:
    """The code cells holding solution blocks between the previous check and
    this exercise's check: the exercise's own code."""
    end = check_cell(nb, exercise)
    begin = check_cell(nb, exercise - 1) if exercise > 1 else -1
    return [c for c in nb.cells[begin + 1 : end] if BEGIN in c.source]


# --- The guide's list ----------------------------------------------------------------


def guide_mistakes(readme: str) -> list[tuple[str, int, str]]:
    """`(chapter, exercise, words)` for each mistake the guide lists.

    The list is README.md's "Common mistakes, exercise by exercise": one bullet
    per chapter, `(n)` before each exercise's mistakes, `;` between two
    mistakes, and "And everywhere:" before those of no one exercise (0).
    """
    section = readme.split("### Common mistakes, exercise by exercise", 1)[-1]
    section = section.split("\n### ", 1)[0]
    found = []
    for chapter, text in re.findall(
        r"^- \*\*(\d\d) [^*]*\*\*(.*?)(?=^- |\Z)", section, re.M | re.S
    ):
        text = " ".join(text.split())
        parts = re.split(r"\((\d)\) |And everywhere: ", text)
        exercise_of = [0] + [int(p) if p else 0 for p in parts[1::2]]
        for exercise, words in zip(exercise_of, parts[0::2], strict=True):
            for one in split_outside_brackets(words):
                one = one.strip().rstrip(".").strip()
                if one:
                    found.append((chapter, exercise, one))
    return found


def split_outside_brackets(text: str) -> list[str]:
    """Split at `;`, except inside parentheses or backticks."""
    parts, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(text):
        if char == "`":
            quoted = not quoted
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
        elif char == ";" and not quoted and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    return [*parts, text[start:]]
