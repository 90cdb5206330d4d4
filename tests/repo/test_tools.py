"""The chapter tool: diff, carry a fix forward, and learner mode."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness import ROOT, all_chapters

TOOL = ROOT / "tools" / "chapters.py"
QUICK = ("-q", "-n", "0")  # one process: two xdist workers cost more than they save


def tool(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(cwd / "tools" / "chapters.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )


def test_diff_shows_what_the_next_chapter_adds():
    first, second = all_chapters()[:2]
    result = tool("diff", first.number, second.number)
    assert result.returncode == 1, result.stderr
    assert f"+++ chapters/{second.slug}/nanoapi/" in result.stdout
    assert f"+++ chapters/{second.slug}/README.md" not in result.stdout


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_carry_applies_a_fix_to_every_later_chapter(tmp_path):
    (tmp_path / "tools").mkdir()
    shutil.copy(TOOL, tmp_path / "tools")
    base = "def greet():\n    return 'helo'\n\n\ndef other():\n    return 1\n"
    grown = base.replace("return 1", "return 2  # chapter 02 changed this")
    for slug, text in [("01_a", base), ("02_b", grown), ("03_c", grown)]:
        (tmp_path / "chapters" / slug / "nanoapi").mkdir(parents=True)
        (tmp_path / "chapters" / slug / "nanoapi" / "core.py").write_text(text)
    git("init", "-q", cwd=tmp_path)
    git("-c", "user.name=t", "-c", "user.email=t@t", "add", "-A", cwd=tmp_path)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x", cwd=tmp_path)
    fixed = base.replace("helo", "hello")
    (tmp_path / "chapters/01_a/nanoapi/core.py").write_text(fixed)
    result = tool("carry", "01", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    for slug in ("02_b", "03_c"):
        text = (tmp_path / "chapters" / slug / "nanoapi" / "core.py").read_text()
        assert "'hello'" in text, f"the fix did not reach {slug}"
        assert "chapter 02 changed this" in text, f"{slug} lost its own change"


def test_carry_brings_files_new_in_the_chapter(tmp_path):
    (tmp_path / "tools").mkdir()
    shutil.copy(TOOL, tmp_path / "tools")
    for slug in ("01_a", "02_b"):
        (tmp_path / "chapters" / slug / "nanoapi").mkdir(parents=True)
        (tmp_path / "chapters" / slug / "nanoapi" / "core.py").write_text("x = 1\n")
    git("init", "-q", cwd=tmp_path)
    git("-c", "user.name=t", "-c", "user.email=t@t", "add", "-A", cwd=tmp_path)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x", cwd=tmp_path)
    added = tmp_path / "chapters/01_a/nanoapi/helpers.py"
    added.write_text("def helper():\n    return 'new'\n")  # untracked: never added
    result = tool("carry", "01", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    carried = tmp_path / "chapters/02_b/nanoapi/helpers.py"
    assert carried.exists(), "a file new in chapter 01 did not reach chapter 02"
    assert carried.read_text() == added.read_text()


@pytest.mark.slow
def test_learner_mode_judges_a_package_by_the_chapter_tests(tmp_path):
    first, second = all_chapters()[:2]
    started = tool("start", second.number, "--folder", str(tmp_path / "mine"))
    assert started.returncode == 0, started.stderr
    copied = tmp_path / "mine" / "nanoapi" / "types.py"
    assert copied.read_text() == (first.path / "nanoapi" / "types.py").read_text()
    # Chapter 01's package is not chapter 02's: its tests must say so.
    failing = tool("check", second.number, "--folder", str(tmp_path / "mine"), *QUICK)
    assert failing.returncode != 0, failing.stdout
    assert "failed" in failing.stdout
    # ... and each failure says what it means and where to read (tests/learner.py).
    assert "learner mode: what this means" in failing.stdout
    assert "`nanoapi_target` is your package" in failing.stdout
    assert f"chapters/{second.slug}/README.md, section" in failing.stdout
    # The finished package passes.
    shutil.rmtree(tmp_path / "mine" / "nanoapi")
    shutil.copytree(second.path / "nanoapi", tmp_path / "mine" / "nanoapi")
    passing = tool("check", second.number, "--folder", str(tmp_path / "mine"), *QUICK)
    assert passing.returncode == 0, passing.stdout[-2000:]
