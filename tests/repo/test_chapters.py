"""The repository's consistency checks: chapters are complete snapshots, their
READMEs tell the truth about what changed, and the harness keeps chapters apart.
"""

import ast
import filecmp
import re
import sys
from pathlib import Path

import pytest
from harness import (
    PACKAGE,
    ROOT,
    all_chapters,
    chapter_of_test,
    load_demo,
    load_package,
)

CHAPTERS = all_chapters()
IDS = [c.slug for c in CHAPTERS]
REQUIRED_SECTIONS = [
    "## Run it",
    "## The request flow",
    "## Exercises",
    "## Test it",
    "## What changed since the previous chapter",
    "## Read the real thing",
]


def chapter_files(folder: Path) -> set[str]:
    """Every file of a chapter except its README and caches, relative to it."""
    return {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file()
        and not {"__pycache__", ".ipynb_checkpoints", "build"} & set(p.parts)
        and not any(part.endswith(".egg-info") for part in p.parts)
        and p.name != "README.md"
    }


def changed_files(previous: Path | None, current: Path) -> set[str]:
    files = chapter_files(current)
    if previous is None:
        return files
    before = chapter_files(previous)
    same = {
        f
        for f in files & before
        if filecmp.cmp(previous / f, current / f, shallow=False)
    }
    return (files | before) - same


def readme_section(text: str, heading: str) -> str:
    start = text.index(heading) + len(heading)
    following = text.find("\n## ", start)
    return text[start : following if following != -1 else None]


def test_there_are_chapters():
    assert [c.number for c in CHAPTERS] == [
        f"{n:02}" for n in range(1, len(CHAPTERS) + 1)
    ], "chapters are numbered 01, 02, ... without gaps"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_a_chapter_is_a_complete_snapshot(chapter):
    for required in (f"{PACKAGE}/__init__.py", "app.py", "README.md"):
        assert (chapter.path / required).is_file(), f"{chapter.slug}: no {required}"
    assert (ROOT / "tests" / chapter.slug).is_dir(), f"no tests/{chapter.slug}/"
    assert (ROOT / "solutions" / f"{chapter.slug}.ipynb").is_file()
    assert (ROOT / "notebooks" / f"{chapter.slug}.ipynb").is_file()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_readme_has_the_sections_and_a_diagram(chapter):
    text = (chapter.path / "README.md").read_text()
    positions = [text.find(s) for s in REQUIRED_SECTIONS]
    missing = [s for s, p in zip(REQUIRED_SECTIONS, positions, strict=True) if p < 0]
    assert not missing, f"{chapter.slug}/README.md lacks {missing}"
    assert positions == sorted(positions), "sections are out of order"
    assert "```mermaid" in readme_section(text, "## The request flow")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_what_changed_lists_exactly_the_changed_files(chapter):
    index = CHAPTERS.index(chapter)
    previous = CHAPTERS[index - 1].path if index else None
    text = (chapter.path / "README.md").read_text()
    section = readme_section(text, "## What changed since the previous chapter")
    listed = set(re.findall(r"^- `([^`]+)`", section, flags=re.MULTILINE))
    actual = changed_files(previous, chapter.path)
    assert listed == actual, (
        f"{chapter.slug}/README.md: listed but unchanged {sorted(listed - actual)}, "
        f"changed but not listed {sorted(actual - listed)}"
    )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_the_package_imports_itself_only_relatively(chapter):
    for module in (chapter.path / PACKAGE).rglob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            absolute = [n for n in names if n.split(".")[0] == PACKAGE]
            assert not absolute, f"{module}: use a relative import, not {absolute}"


def test_chapters_load_side_by_side_under_their_own_names():
    first, second = CHAPTERS[0], CHAPTERS[1]
    a, b = load_package(first), load_package(second)
    assert a is not b
    assert a.__name__ != b.__name__
    assert Path(a.__file__).parent == first.path / PACKAGE
    assert Path(b.__file__).parent == second.path / PACKAGE
    assert a.types is not b.types, "submodules must not be shared either"
    assert PACKAGE not in sys.modules, "the real name must stay free"


def test_a_demo_app_uses_its_own_chapter_package():
    for chapter in CHAPTERS[1:]:
        demo, package = load_demo(chapter), load_package(chapter)
        assert isinstance(demo.app, package.App), chapter.slug
    assert PACKAGE not in sys.modules


def test_tests_know_their_chapter():
    here = Path(__file__)
    assert chapter_of_test(here) is None
    first = ROOT / "tests" / CHAPTERS[0].slug / "test_x.py"
    assert chapter_of_test(first) == CHAPTERS[0]
    assert chapter_of_test(first.parent) == CHAPTERS[0], "the folder names it too"
    assert chapter_of_test(ROOT / "tests") is None
