"""Code quoted in a chapter README is the chapter's code, to the letter.

A quoted listing is a fenced block right after a marker naming its file
(relative to the chapter folder: `nanoapi/...py` or `app.py`):

    <!-- listing: nanoapi/routing.py -->
    ```python
    def compile_path(path: str) -> ...
    ```

The block must appear in that file of that chapter, as consecutive lines
(`...` alone on a line skips lines). A quote may be dedented as a whole, so a
method can be shown without its class: every line then loses the same
indentation, and the lines keep their indentation relative to each other.

A ```python block that looks like a quote of the package or the demo app (4 or
more lines, at least three quarters of them found there) but carries no marker
fails too, so no quote escapes the check by losing, or never having, its marker.
"""

import re

import pytest
from harness import all_chapters

CHAPTERS = all_chapters()
MARKER = re.compile(r"<!-- listing: (?P<file>[^ ]*) -->")
FENCE = re.compile(
    r"(?:<!-- listing: (?P<file>[^ ]+) -->\n)?```(?P<lang>\w*)\n(?P<code>.*?)\n```",
    re.DOTALL,
)
QUOTABLE = re.compile(r"^(?:nanoapi/(?:[a-z0-9_]+/)*[a-z0-9_]+\.py|app\.py)$")
PYTHON = ("python", "py")
SKIP = ("...", "# ...")


def readme_of(chapter) -> str:
    readme = chapter.path / "README.md"
    assert readme.is_file(), f"{chapter.slug} has no README.md yet"
    return readme.read_text()


def blocks(text: str) -> list[tuple[str | None, str, str, int]]:
    """(marked file or None, language, code, line number) of each fenced block."""
    return [
        (m["file"], m["lang"], m["code"], text.count("\n", 0, m.start()) + 1)
        for m in FENCE.finditer(text)
    ]


def lines_of(code: str) -> list[str]:
    return [line.rstrip() for line in code.splitlines()]


def dedent_at(lines: list[str], run: list[str], i: int) -> str | None:
    """The indentation that, put before each line of `run`, gives lines[i:...]."""
    window = lines[i : i + len(run)]
    quoted, source = next((q, s) for q, s in zip(run, window, strict=True) if q or s)
    if not quoted or not source.endswith(quoted):
        return None
    extra = source[: len(source) - len(quoted)]
    same = all(
        source == (extra + quoted if quoted else "")
        for quoted, source in zip(run, window, strict=True)
    )
    return extra if same and not extra.strip() else None


def appears_in(quote: str, source: str) -> bool:
    """Every run of lines between `...` lines appears, in order, in source.

    All runs must sit at the same depth: one indentation, the same for the
    whole quote, is all that may be left out.
    """
    lines, position, indent = lines_of(source), 0, None
    runs = [[]]
    for line in lines_of(quote):
        if line.strip() in SKIP:
            runs.append([])
        else:
            runs[-1].append(line)
    for run in filter(None, runs):
        for i in range(position, len(lines) - len(run) + 1):
            extra = dedent_at(lines, run, i)
            if extra is not None and indent in (None, extra):
                indent, position = extra, i + len(run)
                break
        else:
            return False
    return True


def package_lines(chapter) -> set[str]:
    found = set()
    for path in [*chapter.path.glob("nanoapi/**/*.py"), chapter.path / "app.py"]:
        found |= {
            line.strip() for line in path.read_text().splitlines() if line.strip()
        }
    return found


def looks_quoted(code: str, known: set[str]) -> bool:
    lines = [line.strip() for line in code.splitlines() if line.strip()]
    lines = [line for line in lines if line not in SKIP]
    found = sum(line in known for line in lines)
    return len(lines) >= 4 and found * 4 >= len(lines) * 3


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.slug for c in CHAPTERS])
def test_every_marker_is_right_before_a_block(chapter):
    text = readme_of(chapter)
    markers = [m.start() for m in MARKER.finditer(text)]
    used = [m.start() for m in FENCE.finditer(text) if m["file"]]
    stray = [text.count("\n", 0, at) + 1 for at in markers if at not in used]
    assert not stray, (
        f"{chapter.slug}/README.md: a listing marker must be followed directly by "
        f"a ``` fence on the next line; lines {stray} are not"
    )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.slug for c in CHAPTERS])
def test_every_marked_listing_is_the_code(chapter):
    problems = []
    for file, _, code, line in blocks(readme_of(chapter)):
        if file is None:
            continue
        where = f"{chapter.slug}/README.md, line {line}"
        source = chapter.path / file
        if not QUOTABLE.match(file):
            problems.append(f"{where}: {file!r} is not nanoapi/...py or app.py")
        elif not source.is_file():
            problems.append(f"{where}: quotes {file}, which the chapter lacks")
        elif not appears_in(code, source.read_text()):
            problems.append(
                f"{where}: this listing is not (or no longer) consecutive lines of "
                f"{chapter.slug}/{file}; copy it from the file again:\n{code}"
            )
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.slug for c in CHAPTERS])
def test_quotes_of_the_package_are_marked(chapter):
    known = package_lines(chapter)
    unmarked = [
        f"{chapter.slug}/README.md, line {line}:\n{code}"
        for file, lang, code, line in blocks(readme_of(chapter))
        if not file and lang in PYTHON and looks_quoted(code, known)
    ]
    assert not unmarked, (
        "these blocks quote the package or app.py without a listing marker "
        "(put `<!-- listing: nanoapi/FILE.py -->` or `<!-- listing: app.py -->` "
        "on the line before the fence):\n\n" + "\n\n".join(unmarked)
    )


def test_appears_in_finds_runs_and_refuses_drift():
    source = "a = 1\nb = 2\nc = 3\nd = 4\n"
    assert appears_in("b = 2\nc = 3", source)
    assert appears_in("a = 1\n...\nd = 4", source)
    assert not appears_in("b = 2\nd = 4", source)
    assert not appears_in("d = 4\n...\na = 1", source)
    assert not appears_in("b = 2\nc = 4", source)


def test_appears_in_allows_one_uniform_dedent_only():
    source = (
        "class A:\n    def f(self):\n        return 1\n\n"
        "    def g(self):\n        pass\n"
    )
    assert appears_in("def f(self):\n    return 1", source)
    assert appears_in("def f(self):\n    return 1\n\ndef g(self):", source)
    assert appears_in("def f(self):\n...\ndef g(self):", source)
    assert not appears_in("def f(self):\nreturn 1", source), "relative indent kept"
    assert not appears_in("      def f(self):", source), "never indented further"
    assert not appears_in("class A:\n...\ndef g(self):", source), "one depth per quote"
    assert not appears_in("def f(self):\n    return 1\n\n\ndef g(self):", source)


def test_an_unmarked_quote_is_recognised():
    known = {"def f(self):", "return 1", "x = 2", "y = 3", "z = 4"}
    assert looks_quoted("def f(self):\n    return 1\nx = 2\ny = 3", known)
    assert looks_quoted("def f(self):\n    return 1\nx = 2\ny = 3\nw = 5", known)
    assert not looks_quoted("def f(self):\n...\nx = 2", known), "too short"
    assert not looks_quoted("def f(self):\nq = 1\nr = 2\nx = 2", known)
