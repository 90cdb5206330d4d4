"""How heavy an install is: a fresh virtualenv, one requirements file, its size.

    python tools/install_size.py                        # the attendee's install
    python tools/install_size.py requirements-dev.txt   # the maintainer's
    python tools/install_size.py --limit 330            # exit 1 above 330 MB

It makes a new virtualenv in a temporary folder with the Python running it,
installs the file there exactly as the README's first command does
(`pip install -r FILE`), then prints the folder's size on disk in MiB, as `du -sm`
counts them, pip and the interpreter's links included), the number of packages
installed (pip itself counted), the heaviest ones and the time it took. The
folder is deleted afterwards; pip's download cache is used as usual.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def disk_size(folder: Path) -> int:
    """Bytes the folder takes on disk, each file counted once, like `du`."""
    seen, total = set(), 0
    for path in [folder, *folder.rglob("*")]:
        stat = path.lstat()
        if (stat.st_dev, stat.st_ino) not in seen:
            seen.add((stat.st_dev, stat.st_ino))
            total += stat.st_blocks * 512
    return total


def installed(venv: Path) -> list[tuple[str, int]]:
    """(name, bytes) of every distribution in the venv, heaviest first."""
    python = venv / "bin" / "python"
    script = (
        "import importlib.metadata as m, json, os\n"
        "def size(d):\n"
        "    return sum(os.path.getsize(f.locate()) for f in d.files or []\n"
        "               if os.path.isfile(f.locate()))\n"
        "print(json.dumps([(d.metadata['Name'], size(d))\n"
        "                  for d in m.distributions()]))\n"
    )
    done = subprocess.run(
        [python, "-c", script], capture_output=True, text=True, check=True
    )
    return sorted(json.loads(done.stdout), key=lambda row: -row[1])


def measure(requirements: Path, show: int) -> float:
    """Install `requirements` in a fresh venv; print the figures, return the MB."""
    with tempfile.TemporaryDirectory(prefix="install-size-") as scratch:
        venv = Path(scratch) / "venv"
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        pip = [venv / "bin" / "python", "-m", "pip", "install", "--quiet"]
        # From the repository root, as the README runs it (relative paths inside).
        done = subprocess.run(
            [*pip, "-r", requirements.resolve()], cwd=ROOT, capture_output=True
        )
        if done.returncode:
            sys.exit(f"pip failed:\n{done.stdout.decode()}{done.stderr.decode()}")
        seconds = time.monotonic() - started
        mebibytes = disk_size(venv) / 2**20
        packages = installed(venv)
    print(f"{display(requirements)} in a fresh virtualenv (Python {python_version()}):")
    print(
        f"  {mebibytes:.0f} MB on disk (MiB, as `du -sm` counts), "
        f"{len(packages)} packages, installed in {seconds:.0f} s"
    )
    if show:
        heaviest = ", ".join(f"{n} {b / 2**20:.0f}" for n, b in packages[:show])
        print(f"  heaviest (MB): {heaviest}")
    return mebibytes


def python_version() -> str:
    return ".".join(map(str, sys.version_info[:3]))


def display(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "requirements",
        nargs="?",
        type=Path,
        default=ROOT / "requirements.txt",
        help="the file to install (default: requirements.txt)",
    )
    parser.add_argument("--limit", type=float, help="exit 1 above this many MB")
    parser.add_argument(
        "--show", type=int, default=8, help="list this many heaviest packages"
    )
    args = parser.parse_args(argv)
    megabytes = measure(args.requirements, args.show)
    if args.limit is not None and megabytes > args.limit:
        print(f"  over the limit of {args.limit:.0f} MB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    os.environ.pop("PIP_REQUIRE_VIRTUALENV", None)
    sys.exit(main())
