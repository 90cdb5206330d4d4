"""The learner's side of the workshop: the notebooks' checks, and three commands.

Each exercise in a notebook is followed by a check cell that runs the learner's
code and says, in one line, whether it works yet:

    with check("Exercise 1: GET / answers 200 with a greeting"):
        response = await client.get("/")
        assert response.status_code == 200, f"expected 200, got {response.status_code}"

prints `✅ [PASS] Exercise 1: GET / answers 200 with a greeting`, or
`❌ [NOT YET] Exercise 1: ...` and the reason on the next line. A failed check
does not stop the notebook, so *Run All* goes on to the next exercise. A cell
that only shows an exercise's code at work (not a check) runs inside
`with uses_exercise(2):`, which says `[SKIPPED]` while that code is a stub.
The words in brackets read the same without an emoji font.

As a command, from the repository root:

    python tools/workshop.py lab          # start JupyterLab (as root too)
    python tools/workshop.py fresh 01     # notebook 01 as new; yours kept aside
    python tools/workshop.py fresh        # the same for every notebook you changed
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PASSED, NOT_YET, SKIPPED = "✅ [PASS]", "❌ [NOT YET]", "⏭ [SKIPPED]"
STUB_LEFT = (
    "this exercise still has `raise NotImplementedError` in it: write your code there"
)


# --- In the notebooks ----------------------------------------------------------------


@contextmanager
def check(title: str) -> Iterator[None]:
    """Run the block as the check named `title`, and say whether it passed.

    A failure is printed, never raised, so the notebook goes on. An error the
    check did not expect (not a stub, not an assertion) also shows where it
    happened, as a traceback.
    """
    try:
        yield
    except Exception as error:
        print(f"{NOT_YET} {title}")
        print(f"   {reason(error)}")
        if not isinstance(error, NotImplementedError | AssertionError):
            show_traceback(error)
        return
    print(f"{PASSED} {title}")


@contextmanager
def uses_exercise(number: int) -> Iterator[None]:
    """Run a cell that shows exercise `number`'s code at work; skip it while a stub."""
    try:
        yield
    except NotImplementedError:
        print(
            f"{SKIPPED} this cell runs your code from exercise {number}, which is "
            "not written yet: solve the exercise, then run this cell again"
        )


def show_traceback(error: Exception) -> None:
    """The traceback of an unexpected error, from the learner's code on."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next  # this module's own frame (the `yield` in check)
    traceback.print_exception(type(error), error, tb, file=sys.stdout)


def reason(error: Exception) -> str:
    """One line that tells the learner why a check failed."""
    if isinstance(error, NotImplementedError):
        return STUB_LEFT
    if isinstance(error, AssertionError):
        return one_line(str(error)) or f"this did not hold: {failed_line(error)}"
    return one_line(f"{type(error).__name__}: {error}")


def failed_line(error: BaseException) -> str:
    """The source line that raised `error` (a bare `assert` has no message)."""
    frames = traceback.extract_tb(error.__traceback__)
    return (frames[-1].line or "an assertion") if frames else "an assertion"


def one_line(text: str) -> str:
    """`text` with its lines joined, so a reason never spills over several lines."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


# --- lab: JupyterLab, wherever the workshop runs -------------------------------------


def lab_command(extra: list[str]) -> list[str]:
    """`jupyter lab`, and `--allow-root` as root: JupyterLab refuses root without it."""
    root_user = hasattr(os, "geteuid") and os.geteuid() == 0
    jupyter = Path(sys.executable).with_name("jupyter")
    program = str(jupyter) if jupyter.exists() else "jupyter"
    return [program, "lab", *(["--allow-root"] if root_user else []), *extra]


def lab(extra: list[str]) -> int:
    command = lab_command(extra)
    print("starting: jupyter", " ".join(command[1:]), flush=True)
    os.chdir(ROOT)
    os.execvp(command[0], command)  # JupyterLab takes this process's place
    return 0  # not reached


# --- fresh: a notebook as new, the learner's copy kept aside -------------------------


def notebook_named(name: str, root: Path = ROOT) -> Path:
    """`01`, `1`, `01_raw_asgi` or `01_raw_asgi.ipynb` to its notebook."""
    stem = name.removeprefix("notebooks/").removesuffix(".ipynb")
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        if stem in (path.stem, path.stem[:2], path.stem[:2].lstrip("0")):
            return path
    raise SystemExit(f"no notebook {name!r} in notebooks/")


def clean_copy(path: Path, root: Path = ROOT) -> bytes:
    """The notebook as new: what `tools/notebooks.py build` writes for it."""
    sys.path.insert(0, str(Path(__file__).parent))
    import notebooks  # tools/notebooks.py (its jupytext is in requirements.txt)

    solution = root / "solutions" / path.name
    return notebooks.planned_files(solution)[path].encode("utf-8")


def kept_path(path: Path, root: Path = ROOT) -> Path:
    """A new name in workspace/notebooks/ (ignored by git) for the learner's copy."""
    folder = root / "workspace" / "notebooks"
    target, n = folder / path.name, 1
    while target.exists():
        n += 1
        target = folder / f"{path.stem}.{n}{path.suffix}"
    return target


def fresh(names: list[str], root: Path = ROOT) -> list[tuple[Path, Path]]:
    """Put each named notebook (or every changed one) back as new.

    A notebook that differs from its clean copy is first copied to
    workspace/notebooks/; returns the (notebook, kept copy) pairs.
    """
    paths = [notebook_named(n, root) for n in names] or sorted(
        (root / "notebooks").glob("*.ipynb")
    )
    kept = []
    for path in paths:
        clean = clean_copy(path, root)
        if path.read_bytes() == clean:
            continue
        target = kept_path(path, root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        path.write_bytes(clean)
        kept.append((path, target))
    return kept


def report_fresh(kept: list[tuple[Path, Path]], root: Path = ROOT) -> int:
    for path, target in kept:
        print(
            f"{path.relative_to(root)}: as new; your version is in "
            f"{target.relative_to(root)}"
        )
    if not kept:
        print("nothing to do: the notebooks are as new")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The workshop's learner commands.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "lab",
        help="start JupyterLab in the repository (adds --allow-root as root)",
        description="Start JupyterLab; any option after `lab` goes to it.",
    )
    fresh_parser = commands.add_parser(
        "fresh",
        help="put notebooks back as new, your versions kept in workspace/notebooks/",
    )
    fresh_parser.add_argument(
        "notebook", nargs="*", help="01, 01_raw_asgi... (default: every one changed)"
    )
    args, extra = parser.parse_known_args(argv)
    if args.command == "lab":
        return lab(extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return report_fresh(fresh(args.notebook))


if __name__ == "__main__":
    sys.exit(main())
