"""Code quoted in a chapter README is the chapter's code, to the letter.

A quoted listing is a fenced block right after a marker naming its file:

    <!-- listing: nanoapi/routing.py -->
    ```python
    def compile_path(path: str) -> ...
    ```

The block must appear in that file of that chapter, as consecutive lines
(`...` alone on a line skips lines). A block that looks like a quote of the
package but carries no marker fails too, so no quote escapes the check.
"""

import re
from pathlib import Path

import pytest
from harness import all_chapters

CHAPTERS = all_chapters()
FENCE = re.compile(
    r"(?:<!-- listing: (?P<file>[^ ]+) -->\n)?```(?P<lang>\w*)\n(?P<code>.*?)\n```",
    re.DOTALL,
)


def blocks(readme: Path) -> list[tuple[str | None, str, str]]:
    text = readme.read_text()
    return [(m["file"], m["lang"], m["code"]) for m in FENCE.finditer(text)]


def lines_of(code: str) -> list[str]:
    return [line.rstrip() for line in code.splitlines()]


def appears_in(quote: str, source: str) -> bool:
    """Every run of lines between `...` lines appears, in order, in source."""
    lines, position = lines_of(source), 0
    runs = [[]]
    for line in lines_of(quote):
        if line.strip() in ("...", "# ..."):
            runs.append([])
        else:
            runs[-1].append(line)
    for run in filter(None, runs):
        found = next(
            (
                i
                for i in range(position, len(lines) - len(run) + 1)
                if lines[i : i + len(run)] == run
            ),
            None,
        )
        if found is None:
            return False
        position = found + len(run)
    return True


def package_lines(chapter) -> set[str]:
    found = set()
    for path in [*chapter.path.glob("nanoapi/**/*.py"), chapter.path / "app.py"]:
        found |= {
            line.strip() for line in path.read_text().splitlines() if line.strip()
        }
    return found


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.slug for c in CHAPTERS])
def test_every_marked_listing_is_the_code(chapter):
    for file, _, code in blocks(chapter.path / "README.md"):
        if file is None:
            continue
        source = chapter.path / file
        assert source.is_file(), f"{chapter.slug}/README.md quotes a missing {file}"
        assert appears_in(code, source.read_text()), (
            f"{chapter.slug}/README.md: this listing is not in {file} any more:\n{code}"
        )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.slug for c in CHAPTERS])
def test_quotes_of_the_package_are_marked(chapter):
    known = package_lines(chapter)
    for file, lang, code in blocks(chapter.path / "README.md"):
        lines = [line.strip() for line in code.splitlines() if line.strip()]
        looks_quoted = len(lines) >= 4 and all(line in known for line in lines)
        assert file or lang != "python" or not looks_quoted, (
            f"{chapter.slug}/README.md quotes the package without a listing "
            f"marker:\n{code}"
        )


def test_appears_in_finds_runs_and_refuses_drift():
    source = "a = 1\nb = 2\nc = 3\nd = 4\n"
    assert appears_in("b = 2\nc = 3", source)
    assert appears_in("a = 1\n...\nd = 4", source)
    assert not appears_in("b = 2\nd = 4", source)
    assert not appears_in("d = 4\n...\na = 1", source)
