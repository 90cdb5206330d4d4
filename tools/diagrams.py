"""Render every Mermaid diagram of every README with Mermaid's real renderer.

    python tools/diagrams.py --install   # once: mermaid-cli into .tools/ (npm)
    python tools/diagrams.py             # render them all; exit 1 if one fails

Code hosts draw a ```mermaid block with Mermaid itself, and a block that does
not parse shows as an error box (a node called `call` or `end` is enough).
This renders each block with `@mermaid-js/mermaid-cli` (`mmdc`) driving
Debian's Chromium (`/usr/bin/chromium`; its own browser download is skipped),
all in one browser session; when that fails, each block again on its own, to
say which ones fail and why (README and line). `.ci/run` runs both commands.
`--install` puts mermaid-cli under `.tools/mermaid/` (ignored by git); an
`mmdc` found there, on PATH, or given with `--mmdc` is used.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MERMAID_CLI = "@mermaid-js/mermaid-cli@12.2.0"
INSTALLED = ROOT / ".tools" / "mermaid"
CHROMIUM = "/usr/bin/chromium"
BLOCK = re.compile(r"^( *)```mermaid[ \t]*\n(.*?)^\1```[ \t]*$", re.M | re.S)


@dataclass(frozen=True)
class Diagram:
    readme: Path
    line: int  # of the opening fence, from 1
    text: str

    @property
    def where(self) -> str:
        return f"{display(self.readme)}:{self.line}"


def readmes(root: Path = ROOT) -> list[Path]:
    return [root / "README.md", *sorted(root.glob("chapters/*/README.md"))]


def diagrams_in(readme: Path) -> list[Diagram]:
    """Every ```mermaid block of a Markdown file, indentation removed."""
    text = readme.read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        indent, body = match.groups()
        lines = [line.removeprefix(indent) for line in body.splitlines()]
        line = text.count("\n", 0, match.start()) + 1
        found.append(Diagram(readme, line, "\n".join(lines) + "\n"))
    return found


def find_mmdc(given: str | None = None) -> str | None:
    """The mermaid-cli program: given, under .tools/, or on PATH."""
    local = INSTALLED / "node_modules" / ".bin" / "mmdc"
    for candidate in (given, str(local), shutil.which("mmdc")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def install() -> str:
    """`npm install` mermaid-cli into .tools/mermaid, without Chromium."""
    INSTALLED.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"}
    command = ["npm", "install", "--no-audit", "--no-fund", "--silent", MERMAID_CLI]
    subprocess.run(command, cwd=INSTALLED, env=env, check=True)
    found = find_mmdc()
    if found is None:
        raise SystemExit(f"npm installed {MERMAID_CLI}, but no mmdc appeared")
    return found


def render(mmdc: str, diagrams: list[Diagram], browser: str) -> str | None:
    """Render the diagrams in one browser session; the error text, or None."""
    with tempfile.TemporaryDirectory(prefix="diagrams-") as scratch:
        folder = Path(scratch)
        config = folder / "puppeteer.json"
        config.write_text(
            json.dumps({"executablePath": browser, "args": ["--no-sandbox"]})
        )
        source = folder / "all.md"
        source.write_text("\n".join(f"```mermaid\n{d.text}```\n" for d in diagrams))
        command = [mmdc, "-q", "-p", config, "-i", source, "-o", folder / "out.md"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        drawn = sorted(folder.glob("out-*.svg"))
        if done.returncode == 0 and len(drawn) == len(diagrams):
            return None
        return (
            first_error(done.stderr + done.stdout) or f"mmdc exited {done.returncode}"
        )


def first_error(output: str) -> str:
    """The renderer's message without the JavaScript stack under it."""
    lines = [line for line in output.splitlines() if line.strip()]
    kept = [line for line in lines if not re.match(r"\s*(at |Parser\.)", line)]
    return "\n".join(kept[:6])


def failures(mmdc: str, diagrams: list[Diagram], browser: str) -> list[str]:
    """What went wrong, one entry per diagram that does not render."""
    if not diagrams or render(mmdc, diagrams, browser) is None:
        return []
    found = []
    for diagram in diagrams:
        if error := render(mmdc, [diagram], browser):
            found.append(f"{diagram.where}: does not render:\n{indented(error)}")
    return found or ["the diagrams fail together but each renders alone"]


def indented(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())


def display(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--install", action="store_true", help="npm install it first")
    parser.add_argument("--mmdc", help="the mermaid-cli program to use")
    parser.add_argument("--browser", default=CHROMIUM, help="default: %(default)s")
    parser.add_argument("files", nargs="*", type=Path, help="default: every README")
    args = parser.parse_args(argv)
    mmdc = install() if args.install else find_mmdc(args.mmdc)
    if mmdc is None:
        print(
            "mermaid-cli (mmdc) is not installed: python tools/diagrams.py --install",
            file=sys.stderr,
        )
        return 2
    diagrams = [d for f in args.files or readmes() for d in diagrams_in(f)]
    found = failures(mmdc, diagrams, args.browser)
    for failure in found:
        print(failure, file=sys.stderr)
    files = len({d.readme for d in diagrams})
    rendered = len(diagrams) - len(found)
    print(f"{rendered} of {len(diagrams)} diagrams ({files} files) render")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
