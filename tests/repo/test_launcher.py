"""`python -m nanoapi` from the repository root: the launcher in tools/launcher.

requirements.txt installs it as the `nanoapi` of site-packages. It must run
the package of the `--app-dir` folder when there is one there, else the last
chapter's, always from the folder itself (an edit counts at once), and it
must leave nothing behind in a chapter folder.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from harness import ROOT, all_chapters

LAUNCHER = ROOT / "tools" / "launcher"
MAIN = """\
import sys
print("chapter {name}", sys.argv[1:])
"""


def fake_repository(root: Path) -> Path:
    """Two chapters whose `python -m nanoapi` says which one ran."""
    for name in ("01_first", "02_second"):
        package = root / "chapters" / name / "nanoapi"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "__main__.py").write_text(MAIN.format(name=name[:2]))
    return root


def launch(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`python -m nanoapi ARGS` with the launcher as the only `nanoapi` in sight."""
    env = {**os.environ, "PYTHONPATH": str(LAUNCHER)}
    return subprocess.run(
        [sys.executable, "-m", "nanoapi", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_the_last_chapter_runs_by_default(tmp_path):
    root = fake_repository(tmp_path)
    done = launch("app:app", "--port", "1", cwd=root)
    assert done.stdout == "chapter 02 ['app:app', '--port', '1']\n", done.stderr
    inside = launch("--help", cwd=root / "chapters")  # found from a folder below
    assert inside.stdout.startswith("chapter 02"), inside.stderr


@pytest.mark.parametrize("spelling", ["--app-dir X", "--app-dir=X"])
def test_the_app_dirs_own_package_runs_in_place(tmp_path, spelling):
    root = fake_repository(tmp_path)
    option = spelling.replace("X", "chapters/01_first").split()
    assert launch("app:app", *option, cwd=root).stdout.startswith("chapter 01")
    main = root / "chapters" / "01_first" / "nanoapi" / "__main__.py"
    main.write_text(MAIN.format(name="01, edited"))
    assert launch("app:app", *option, cwd=root).stdout.startswith("chapter 01, edited")


def test_an_app_dir_without_a_package_gets_the_last_chapter(tmp_path):
    root = fake_repository(tmp_path)
    (root / "mine").mkdir()
    done = launch("app:app", "--app-dir", "mine", cwd=root)
    assert done.stdout.startswith("chapter 02"), done.stderr


def test_outside_the_repository_it_says_what_to_do(tmp_path):
    done = launch("app:app", cwd=tmp_path)
    assert done.returncode != 0
    assert "give --app-dir a folder that holds a nanoapi/ package" in done.stderr


def test_a_chapter_without_a_server_says_so(tmp_path):
    root = fake_repository(tmp_path)
    (root / "chapters" / "01_first" / "nanoapi" / "__main__.py").unlink()
    done = launch("app:app", "--app-dir", "chapters/01_first", cwd=root)
    assert done.returncode != 0
    assert "has no server yet" in done.stderr


def test_it_is_what_requirements_installs():
    spec = importlib.util.find_spec("nanoapi")
    assert spec and spec.origin, "no nanoapi installed: pip install -r requirements.txt"
    installed = Path(spec.origin).parent
    assert (installed / "__main__.py").read_text() == (
        LAUNCHER / "nanoapi" / "__main__.py"
    ).read_text(), "the installed launcher is stale: pip install -r requirements.txt"


def test_the_real_chapter_serves_its_help_from_the_repository_root():
    served = [c for c in all_chapters() if (c.path / "nanoapi/__main__.py").exists()]
    last = served[-1]
    done = launch("--help", "--app-dir", str(last.path), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: python -m nanoapi")
    built = [p.name for p in last.path.iterdir() if p.name.endswith(("info", "build"))]
    assert built == [], "a build left files in the chapter folder"
