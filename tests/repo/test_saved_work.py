"""A learner's saved notebook: the instructor's check passes, and `git pull` works.

JupyterLab autosaves a notebook's outputs (and the learner's answers) into
`notebooks/NN_slug.ipynb`. This runs notebook 01 in a fresh clone as Run All
does, saves it as Jupyter would, then checks the README's promises in that
clone: `tools/notebooks.py check` still passes (`--strict`, CI's mode, does
not), an update of that notebook cannot be pulled over the learner's work, and
after `tools/workshop.py fresh` it can, with the learner's copy kept in
workspace/notebooks/, where it still runs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
import workshop  # tools/workshop.py
from kernels import executed

import notebooks as tool  # tools/notebooks.py

ROOT = tool.ROOT
NAME = "01_raw_asgi"
GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com"]

pytestmark = pytest.mark.slow


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True)


def check(root: Path, *options: str, capsys: pytest.CaptureFixture) -> tuple:
    """`python tools/notebooks.py check` on `root`: (exit code, stdout, stderr)."""
    code = tool.main(["check", "--root", str(root), *options])
    printed = capsys.readouterr()
    return code, printed.out, printed.err


def upstream_repository(folder: Path) -> Path:
    """The workshop's repository with one chapter's notebooks, committed."""
    (folder / "tools").mkdir(parents=True)
    for name in ("notebooks.py", "workshop.py"):
        shutil.copy(ROOT / "tools" / name, folder / "tools")
    for part in ("solutions", "notebooks"):
        (folder / part).mkdir()
        for path in (ROOT / part).glob(f"{NAME}.*"):
            shutil.copy(path, folder / part)
    shutil.copy(ROOT / ".gitignore", folder)
    (folder / "chapters").symlink_to(ROOT / "chapters")  # read only, like a clone
    assert git("init", "-q", cwd=folder).returncode == 0
    git("add", "-A", cwd=folder)
    assert git("commit", "-qm", "the workshop", cwd=folder).returncode == 0
    return folder


def work_and_save(notebook: Path) -> None:
    """What a learner does: an answer typed in, Run All, and Jupyter's autosave."""
    nb = jupytext.read(notebook)
    first_stub = next(c for c in nb.cells if "YOUR CODE HERE" in c.source)
    first_stub.source = first_stub.source.replace(
        "# YOUR CODE HERE", "# my answer is coming"
    )
    nb = executed(nb, notebook.parent)  # raises at a failing cell, as Run All stops
    nb.metadata["language_info"] = {"name": "python", "version": sys.version.split()[0]}
    nbformat.write(nb, notebook)


def test_a_saved_notebook_passes_the_check_and_fresh_lets_a_pull_through(
    tmp_path, capsys
):
    upstream = upstream_repository(tmp_path / "upstream")
    clone = tmp_path / "clone"
    assert git("clone", "-q", str(upstream), str(clone), cwd=tmp_path).returncode == 0
    notebook = clone / "notebooks" / f"{NAME}.ipynb"
    work_and_save(notebook)
    saved = notebook.read_bytes()
    assert tool.has_outputs(nbformat.reads(saved.decode(), as_version=4))

    # The instructor's check passes, and says what it did; CI's strict one fails.
    code, out, err = check(clone, capsys=capsys)
    assert code == 0, out + err
    assert f"notebooks/{NAME}.ipynb: someone's own work" in out
    assert "all notebooks up to date" in out
    code, out, err = check(clone, "--strict", capsys=capsys)
    assert code == 1
    assert "has outputs or execution counts" in err

    # Upstream improves the same notebook: the pull refuses to overwrite the work.
    text = upstream / "solutions" / f"{NAME}.py"
    text.write_text(text.read_text() + "\n# %% [markdown]\n# ## One more thing\n")
    assert tool.main(["build", "--root", str(upstream)]) == 0
    git("commit", "-qam", "notebook 01: one more thing", cwd=upstream)
    refused = git("pull", "-q", "--ff-only", cwd=clone)
    assert refused.returncode != 0, "the pull should not overwrite the learner's work"
    assert "would be overwritten" in refused.stderr

    # The README's one command: the work goes aside, the pull goes through.
    kept = clone / "workspace" / "notebooks" / f"{NAME}.ipynb"
    assert workshop.fresh(["01"], root=clone) == [(notebook, kept)]
    assert kept.read_bytes() == saved
    assert git("status", "--porcelain", cwd=clone).stdout == ""
    pulled = git("pull", "-q", "--ff-only", cwd=clone)
    assert pulled.returncode == 0, pulled.stderr
    assert "One more thing" in notebook.read_text()
    code, out, err = check(clone, "--strict", capsys=capsys)
    assert code == 0, err

    # The kept copy still finds the repository's tools and its chapter.
    setup = next(c for c in jupytext.read(kept).cells if c.cell_type == "code")
    probe = f"{setup.source}\nimport nanoapi, workshop\nprint(nanoapi.__file__)"
    ran = subprocess.run(
        [sys.executable, "-c", probe], cwd=kept.parent, capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().endswith(f"chapters/{NAME}/nanoapi/__init__.py")


def test_fresh_without_changes_does_nothing(tmp_path, capsys):
    repo = upstream_repository(tmp_path / "repo")
    assert workshop.fresh([], root=repo) == []
    assert workshop.report_fresh([], root=repo) == 0
    assert capsys.readouterr().out.endswith("nothing to do: the notebooks are as new\n")
    assert not (repo / "workspace").exists()
