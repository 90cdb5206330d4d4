"""Build the workshop's notebooks: solved pairs in, learner notebooks out.

Each chapter's notebook is written once, solved, as `solutions/NN_slug.ipynb`,
paired by jupytext with `solutions/NN_slug.py` (the py:percent text that reviews
and diffs like code). The learner's `notebooks/NN_slug.ipynb` is generated from
it, never edited by hand: in code cells, each solution block

    ### BEGIN SOLUTION
    return "Hello"
    ### END SOLUTION

becomes a stub that raises `NotImplementedError`, and nothing else changes.

    python tools/notebooks.py build           # sync each pair, clean, regenerate
    python tools/notebooks.py check           # is what is committed in sync?
    python tools/notebooks.py check --strict  # exit 1 if `build` would change a file

A learner's work never fails `check`. Once someone runs a notebook in
JupyterLab, it saves outputs (and maybe their answers) into
`notebooks/NN_slug.ipynb`; `check` then reads that notebook as the last commit
has it (`git show HEAD:...`, or with its outputs stripped where there is no
git), says that it holds the learner's work, and judges the committed version.
`--strict` (CI, maintainers before a commit) wants every file exactly as
`build` writes it: no outputs anywhere, nothing edited by hand.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import jupytext
from jupytext.combine import combine_inputs_with_outputs
from jupytext.compare import compare_notebooks
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parent.parent
TEXT_FORMAT = "py:percent"
PAIRING = f"ipynb,{TEXT_FORMAT}"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
# Written by Jupyter on every run or save; they would turn each save into a diff.
VOLATILE_NOTEBOOK_METADATA = ("language_info", "widgets")
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime")

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
EXERCISE_HEADING = re.compile(r"^#{1,6}[ \t].*?\bExercise[ \t]+(\d+)", re.M | re.I)


class MarkerError(ValueError):
    """Solution markers that do not pair up: says the file, cell (from 0), line."""


# --- The generator: a solved notebook in, the learner's notebook out ---------------


def generate(nb: NotebookNode, name: str = "notebook") -> NotebookNode:
    """A copy of `nb` whose solution blocks are replaced by numbered stubs.

    Only code cells are touched, and in them only the marked lines. A block's
    number is the one in the nearest `Exercise N` markdown heading above it;
    without such a heading, blocks are counted from 1. `name` goes in errors.
    """
    learner = copy.deepcopy(nb)
    heading, blocks = None, 0
    for index, cell in enumerate(learner.cells):
        if cell.cell_type == "markdown":
            heading = exercise_heading(cell.source, default=heading)
        elif cell.cell_type == "code":
            lines = cell.source.splitlines(keepends=True)
            found = solution_blocks(lines, f"{name}, cell {index}")
            counted = range(blocks + 1, blocks + len(found) + 1)
            numbers = [n if heading is None else heading for n in counted]
            if found:
                cell.source = replaced(lines, found, numbers)
            blocks += len(found)
    return learner


def exercise_heading(markdown: str, default: int | None) -> int | None:
    """The number of the last `Exercise N` heading in a markdown cell, or `default`."""
    numbers = EXERCISE_HEADING.findall(markdown)
    return int(numbers[-1]) if numbers else default


def solution_blocks(lines: list[str], where: str) -> list[tuple[int, int]]:
    """The (BEGIN, END) line indices of each block, checking the markers pair up."""
    blocks, begin = [], None
    for number, line in enumerate(lines):
        at = f"{where}, line {number + 1}"
        marker = solution_marker(line, at)
        if marker == BEGIN and begin is not None:
            raise MarkerError(f"{at}: `{BEGIN}` inside another block (no nesting)")
        if marker == END and begin is None:
            raise MarkerError(f"{at}: `{END}` without a `{BEGIN}` before it")
        if marker == BEGIN:
            begin = number
        elif marker == END:
            blocks.append((begin, number))
            begin = None
    if begin is not None:
        raise MarkerError(f"{where}, line {begin + 1}: `{BEGIN}` is never closed")
    return blocks


def solution_marker(line: str, at: str) -> str | None:
    """BEGIN or END if `line` is a marker (alone on its line), else None."""
    text = line.strip()
    if text in (BEGIN, END):
        return text
    if "BEGIN SOLUTION" in text.upper() or "END SOLUTION" in text.upper():
        # a near miss would leave the solution in the learner's notebook
        raise MarkerError(
            f"{at}: {text!r} is not a marker: write {BEGIN!r} or "
            f"{END!r} exactly, alone on its line"
        )
    return None


def replaced(
    lines: list[str], blocks: list[tuple[int, int]], numbers: list[int]
) -> str:
    """The cell's source again, each block swapped for its numbered stub."""
    kept, start = [], 0
    for (begin, end), number in zip(blocks, numbers, strict=True):
        kept += lines[start:begin] + stub(lines[begin], lines[end], number)
        start = end + 1
    return "".join(kept + lines[start:])


def stub(begin: str, end: str, number: int) -> list[str]:
    """The lines that replace a block: at BEGIN's indentation, ending like END."""
    indent = begin[: len(begin) - len(begin.lstrip())]
    ending = end[len(end.rstrip("\r\n")) :]
    call = f'raise NotImplementedError("Exercise {number}: your code here")'
    return [
        f"{indent}# YOUR CODE HERE (exercise {number})\n",
        f"{indent}{call}{ending}",
    ]


def unpaired(nb: NotebookNode) -> NotebookNode:
    """`nb` without jupytext pairing, so saving it in Jupyter writes no .py twin."""
    nb = copy.deepcopy(nb)
    settings = nb.metadata.get("jupytext", {})
    settings.pop("formats", None)
    if not settings:
        nb.metadata.pop("jupytext", None)
    return nb


# --- The pair: where the solved notebook's text comes from -------------------------


def solution_notebooks(root: Path = ROOT) -> list[Path]:
    """Every `solutions/NN_slug.ipynb`, including those so far only a `.py`."""
    folder = root / "solutions"
    stems = {p.stem for p in [*folder.glob("*.py"), *folder.glob("*.ipynb")]}
    return [folder / f"{stem}.ipynb" for stem in sorted(stems)]


def learner_notebooks(root: Path = ROOT) -> list[Path]:
    """Every `notebooks/NN_slug.ipynb` there is, generated or not."""
    return sorted((root / "notebooks").glob("*.ipynb"))


def text_twin(solution: Path) -> Path:
    """The py:percent file paired with a solution notebook."""
    return solution.with_suffix(".py")


def learner_twin(solution: Path) -> Path:
    """Where the learner's version of a solution notebook goes."""
    return solution.parent.parent / "notebooks" / solution.name


def newest_side(solution: Path) -> Path:
    """jupytext's rule for a pair: the side saved last holds the current text."""
    sides = [p for p in (text_twin(solution), solution) if p.exists()]
    return max(sides, key=lambda p: p.stat().st_mtime_ns)  # a tie goes to the .py


def read_solution(solution: Path) -> NotebookNode:
    """The solved notebook as `build` writes it, from the newest side of the pair.

    When the text is newer, cell ids and metadata still come from the .ipynb
    (as `jupytext --sync` does), so an unchanged cell keeps its id.
    """
    source = newest_side(solution)
    nb = jupytext.read(source, fmt=TEXT_FORMAT if source.suffix == ".py" else None)
    if source != solution and solution.exists():
        nb = combine_inputs_with_outputs(nb, jupytext.read(solution), fmt=TEXT_FORMAT)
    return cleaned(nb)


def cleaned(nb: NotebookNode) -> NotebookNode:
    """`nb` as committed: no outputs, no execution counts, python3, paired."""
    nb = stripped(nb)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["jupytext"] = {"formats": PAIRING}
    return nb


def has_outputs(nb: NotebookNode) -> bool:
    """Whether any code cell carries outputs or an execution count."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    return any(c.outputs or c.execution_count is not None for c in code)


def pair_drift(solution: Path) -> str | None:
    """Why the two sides of a pair disagree, or None when they agree."""
    text = text_twin(solution)
    if not (text.exists() and solution.exists()):
        return "only one side of the pair exists"
    try:
        written = jupytext.read(text, fmt=TEXT_FORMAT)
        compare_notebooks(written, jupytext.read(solution), TEXT_FORMAT)
    except Exception as error:  # jupytext raises several kinds, all meaning "differ"
        return str(error).strip().replace("\n", "\n    ")  # its diff, indented
    return None


# --- Build and check ---------------------------------------------------------------


def ipynb_text(nb: NotebookNode) -> str:
    """A notebook's file contents, exactly as Jupyter would save them."""
    return jupytext.writes(nb, fmt="ipynb") + "\n"


def planned_files(solution: Path) -> dict[Path, str]:
    """What `build` writes for one solution: the text, the notebook, the learner's."""
    nb = read_solution(solution)
    learner = unpaired(generate(nb, name=display(solution)))
    return {
        solution: ipynb_text(nb),
        text_twin(solution): jupytext.writes(nb, fmt=TEXT_FORMAT),
        learner_twin(solution): ipynb_text(learner),
    }


def build(root: Path = ROOT) -> list[Path]:
    """Sync, clean and regenerate every notebook; return the files rewritten."""
    written = []
    for solution in solution_notebooks(root):
        written += [p for p, text in planned_files(solution).items() if wrote(p, text)]
        keep_text_newest(solution)
    return written


def wrote(path: Path, text: str) -> bool:
    """Write `text` to `path` unless it is there already; say whether we wrote."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def keep_text_newest(solution: Path) -> None:
    """Leave the .py the newest side of its pair, as Jupyter's jupytext expects.

    In Jupyter, jupytext reads a paired notebook's cells from the text side and
    complains when that side is older than the .ipynb.
    """
    text, saved = text_twin(solution), solution.stat().st_mtime_ns
    if text.stat().st_mtime_ns < saved:
        newest = max(time.time_ns(), saved)
        os.utime(text, ns=(newest, newest))


def problems(
    root: Path = ROOT, strict: bool = True, notes: list[str] | None = None
) -> list[str]:
    """Everything `build` would fix, and learner notebooks without a solution.

    With `strict=False`, a notebook that someone ran or edited is judged as
    committed (see the module's docstring), and `notes` receives a line saying
    so; outputs in a solution notebook are stripped before comparing.
    """
    found, notes = [], [] if notes is None else notes
    for solution in solution_notebooks(root):
        if drift := pair_drift(solution):
            newest = display(newest_side(solution))
            found.append(
                f"{display(solution)}: pair out of sync, build keeps the newer "
                f"side ({newest}):\n    {drift}"
            )
        for path, text in planned_files(solution).items():
            actual = path.read_text(encoding="utf-8") if path.exists() else None
            if not strict and actual is not None and actual != text:
                actual = lenient_side(path, actual, root, notes)
            if why := staleness(actual, text, path.suffix):
                found.append(f"{display(path)}: {why}")
    solved = {s.name for s in solution_notebooks(root)}
    for path in learner_notebooks(root):
        if path.name not in solved:
            found.append(f"{display(path)}: no solutions/{path.name} to generate it")
    return found


def lenient_side(path: Path, actual: str, root: Path, notes: list[str]) -> str:
    """What a lenient check compares for a file that is not what build writes.

    A learner's notebook with local changes: its committed version. Any other
    notebook, and a learner's notebook without git: the file, outputs stripped.
    """
    if path.suffix != ".ipynb":
        return actual
    learner = path.parent == root / "notebooks"
    if learner and (committed := committed_text(path, root)) is not None:
        if committed != actual:
            notes.append(f"{display(path)}: {OWN_WORK.format(number=path.name[:2])}")
        return committed
    nb = jupytext.reads(actual, fmt="ipynb")
    if not has_outputs(nb):
        return actual
    if learner:
        notes.append(f"{display(path)}: {OWN_WORK.format(number=path.name[:2])}")
    return ipynb_text(stripped(nb))


OWN_WORK = (
    "someone's own work (outputs, answers): fine, the committed version is "
    "checked; `python tools/workshop.py fresh {number}` gives a clean copy"
)


def committed_text(path: Path, root: Path) -> str | None:
    """The file as the last commit has it; None without git or such a commit."""
    relative = path.relative_to(root).as_posix()
    try:
        done = subprocess.run(
            ["git", "show", f"HEAD:{relative}"], cwd=root, capture_output=True
        )
    except FileNotFoundError:  # no git on this machine
        return None
    return done.stdout.decode("utf-8") if done.returncode == 0 else None


def stripped(nb: NotebookNode) -> NotebookNode:
    """`nb` without what running it adds: outputs, counts, run metadata."""
    nb = copy.deepcopy(nb)
    for key in VOLATILE_NOTEBOOK_METADATA:
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def staleness(actual: str | None, expected: str, suffix: str) -> str | None:
    """Why `actual` (None: no file) is not what `build` writes, or None if it is."""
    if actual is None:
        return "missing"
    if actual == expected:
        return None
    if suffix == ".ipynb" and has_outputs(jupytext.reads(actual, fmt="ipynb")):
        return "has outputs or execution counts"
    return "differs from what build writes"


def display(path: Path) -> str:
    """A path as the reader knows it: relative to the repo when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["build", "check"])
    parser.add_argument(
        "--strict",
        action="store_true",
        help="check: every file exactly as build writes it, someone's work "
        "in notebooks/ included (CI)",
    )
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="repository root (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            return report_build(build(args.root))
        notes: list[str] = []
        found = problems(args.root, strict=args.strict, notes=notes)
        return report_check(found, notes)
    except MarkerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def report_build(written: list[Path]) -> int:
    for path in written:
        print(f"wrote {display(path)}")
    print(f"{len(written)} file(s) written" if written else "all notebooks up to date")
    return 0


def report_check(found: list[str], notes: list[str] | None = None) -> int:
    for note in notes or []:
        print(note)
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        print("run: python tools/notebooks.py build", file=sys.stderr)
        return 1
    print("all notebooks up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
