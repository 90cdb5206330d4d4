"""Work with the chapter snapshots: list, diff, carry a fix forward, learner mode.

    python tools/chapters.py list
    python tools/chapters.py diff 01 02            # what chapter 02 adds
    python tools/chapters.py carry 03              # a fix made in 03 -> 04..last
    python tools/chapters.py start 03              # learner: copy 02's package
    python tools/chapters.py check 03              # learner: judge your package

Every chapter is a full copy of the package, so a fix in chapter k must reach
k+1..last. `carry` takes the uncommitted change under `chapters/k/` as a patch
and applies it to each later chapter with git's three-way merge, so the fix
lands even where later chapters changed the surrounding lines.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
WORKSPACE = ROOT / "workspace"
PACKAGE = "nanoapi"
# what Python and Jupyter leave in a chapter folder (nothing is built there)
IGNORED = ["__pycache__", "*.pyc", ".ipynb_checkpoints"]


def chapters() -> list[Path]:
    return sorted(p for p in CHAPTERS.iterdir() if re.match(r"\d\d_", p.name))


def find(name: str) -> Path:
    """A chapter by number (`3`, `03`) or slug (`03_middleware`)."""
    for path in chapters():
        if name in (path.name, path.name[:2], path.name[:2].lstrip("0")):
            return path
    raise SystemExit(f"no chapter {name!r}; try: python tools/chapters.py list")


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, text=True, **kwargs)


def diff(old: str, new: str, with_readme: bool = False) -> int:
    """`diff -ru` between two chapters; the READMEs are left out unless asked."""
    excludes = [f"--exclude={pattern}" for pattern in IGNORED]
    if not with_readme:
        excludes.append("--exclude=README.md")
    a, b = find(old).relative_to(ROOT), find(new).relative_to(ROOT)
    return run("diff", "-ruN", *excludes, str(a), str(b)).returncode


def later_chapters(chapter: Path) -> list[Path]:
    return [p for p in chapters() if p.name > chapter.name]


def carry(name: str, include: list[str]) -> int:
    """Apply the uncommitted change in chapter `name` to every later chapter.

    Files new in the chapter come along: they are marked for adding first
    (`git add --intent-to-add`), so that `git diff` shows them whole.
    """
    source = find(name)
    parts = [str(source.relative_to(ROOT) / part) for part in include]
    new = run(
        "git",
        "ls-files",
        "--others",
        "--exclude-standard",
        "-z",
        "--",
        *parts,
        capture_output=True,
    ).stdout.split("\0")
    if any(new):
        run("git", "add", "--intent-to-add", "--", *filter(None, new), check=True)
    patch = run("git", "diff", "--binary", "HEAD", "--", *parts, capture_output=True)
    if not patch.stdout:
        raise SystemExit(f"no uncommitted change under {', '.join(parts)}")
    failed = []
    for target in later_chapters(source):
        moved = patch.stdout.replace(f"/{source.name}/", f"/{target.name}/")
        result = run("git", "apply", "--3way", "-", input=moved, capture_output=True)
        status = "carried" if result.returncode == 0 else "CONFLICT"
        print(f"{status:8} {source.name} -> {target.name}")
        if result.returncode:
            print(result.stderr.rstrip())
            failed.append(target.name)
    if failed:
        print("resolve the conflicts (git status shows them), then run the tests")
    return 1 if failed else 0


def start(name: str, folder: Path | None) -> int:
    """Learner mode: copy the previous chapter's package to work on this one.

    The chapter's demo `app.py` comes along: the tests serve it with your
    package, as they serve each chapter's demo with the chapter's package.
    """
    chapter = find(name)
    previous = [p for p in chapters() if p.name < chapter.name]
    folder = folder or WORKSPACE / chapter.name
    if (folder / PACKAGE).exists():
        raise SystemExit(f"{folder / PACKAGE} exists already; remove it to restart")
    folder.mkdir(parents=True, exist_ok=True)
    if previous:
        origin = f"a copy of {previous[-1].name}"
        shutil.copytree(
            previous[-1] / PACKAGE,
            folder / PACKAGE,
            ignore=shutil.ignore_patterns(*IGNORED),
        )
    else:
        origin = "empty: chapter 01 starts from nothing"
        (folder / PACKAGE).mkdir()
        (folder / PACKAGE / "__init__.py").write_text('"""Your nanoapi."""\n')
    shutil.copy(chapter / "app.py", folder / "app.py")
    print(f"your package: {folder / PACKAGE} ({origin})")
    print(
        f"the tests import it as `{PACKAGE}_target` (each chapter's package has "
        f"its own name, so all can live in one process): `{PACKAGE}_target.X` in "
        f"an error is your {PACKAGE}/X.py, and each failure says which README "
        "section to read"
    )
    print(f"read chapters/{chapter.name}/README.md, build the layer, then run:")
    print(f"    python tools/chapters.py check {chapter.name[:2]}")
    return 0


def check(name: str, folder: Path | None, pytest_args: list[str]) -> int:
    """Learner mode: run the chapter's tests against your package."""
    chapter = find(name)
    folder = folder or WORKSPACE / chapter.name
    if not (folder / PACKAGE).is_dir():
        raise SystemExit(f"no {folder / PACKAGE}: run `start {chapter.name[:2]}` first")
    tests = f"tests/{chapter.name}"
    args = [tests, f"--target={folder}", *pytest_args]
    return run(sys.executable, "-m", "pytest", *args).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the chapters, in order")
    p = commands.add_parser("diff", help="diff -ru between two chapters")
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--with-readme", action="store_true")
    p = commands.add_parser("carry", help="carry an uncommitted fix forward")
    p.add_argument("chapter")
    p.add_argument("--include", nargs="+", default=[PACKAGE, "app.py"])
    for command in ("start", "check"):
        p = commands.add_parser(command, help=f"learner mode: {command} a chapter")
        p.add_argument("chapter")
        p.add_argument("--folder", type=Path, help="default: workspace/NN_slug")
    args, rest = parser.parse_known_args(argv)
    if args.command == "list":
        print("\n".join(p.name for p in chapters()))
        return 0
    if args.command == "diff":
        return diff(args.old, args.new, args.with_readme)
    if args.command == "carry":
        return carry(args.chapter, args.include)
    if args.command == "start":
        return start(args.chapter, args.folder)
    return check(args.chapter, args.folder, rest)


if __name__ == "__main__":
    sys.exit(main())
