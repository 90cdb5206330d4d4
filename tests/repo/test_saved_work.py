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
from nbclient import NotebookClient
from nbformat import NotebookNode

import notebooks as tool  # tools/notebooks.py

ROOT = tool.ROOT
NAME = "01_raw_asgi"
GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com"]

pytestmark = pytest.mark.slow


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True
    )


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


def run_all(nb: NotebookNode, folder: Path) -> NotebookNode:
    client = NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": folder}}
    )
    client.execute()  # raises at the first cell that fails, as Run All stops
    return nb


def work_and_save(notebook: Path) -> None:
    """What a learner does: an answer typed in, Run All, and Jupyter's autosave."""
    nb = jupytext.read(notebook)
    first_stub = next(c for c in nb.cells if "YOUR CODE HERE" in c.source)
    first_stub.source = first_stub.source.replace(
        "# YOUR CODE HERE", "# my answer is coming"
    )
    run_all(nb, notebook.parent)
    nb.metadata["language_info"] = {"name": "python", "version": sys.version.split()[0]}
    nbformat.write(nb, notebook)


def test_a_saved_notebook_passes_the_check_and_fresh_lets_a_pull_through(tmp_path):
    upstream = upstream_repository(tmp_path / "upstream")
    clone = tmp_path / "clone"
    assert git("clone", "-q", str(upstream), str(clone), cwd=tmp_path).returncode == 0
    notebook = clone / "notebooks" / f"{NAME}.ipynb"
    work_and_save(notebook)
    saved = notebook.read_bytes()
    assert tool.has_outputs(nbformat.reads(saved.decode(), as_version=4))

    # The instructor's check passes, and says what it did; CI's strict one fails.
    checked = run("tools/notebooks.py", "check", cwd=clone)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"notebooks/{NAME}.ipynb: someone's own work" in checked.stdout
    assert "all notebooks up to date" in checked.stdout
    strict = run("tools/notebooks.py", "check", "--strict", cwd=clone)
    assert strict.returncode == 1
    assert "has outputs or execution counts" in strict.stderr

    # Upstream improves the same notebook: the pull refuses to overwrite the work.
    text = upstream / "solutions" / f"{NAME}.py"
    text.write_text(text.read_text() + "\n# %% [markdown]\n# ## One more thing\n")
    assert run("tools/notebooks.py", "build", cwd=upstream).returncode == 0
    git("commit", "-qam", "notebook 01: one more thing", cwd=upstream)
    refused = git("pull", "-q", "--ff-only", cwd=clone)
    assert refused.returncode != 0, "the pull should not overwrite the learner's work"
    assert "would be overwritten" in refused.stderr

    # The README's one command: the work goes aside, the pull goes through.
    fresh = run("tools/workshop.py", "fresh", "01", cwd=clone)
    assert fresh.returncode == 0, fresh.stderr
    kept = clone / "workspace" / "notebooks" / f"{NAME}.ipynb"
    assert f"your version is in workspace/notebooks/{NAME}.ipynb" in fresh.stdout
    assert kept.read_bytes() == saved
    assert git("status", "--porcelain", cwd=clone).stdout == ""
    pulled = git("pull", "-q", "--ff-only", cwd=clone)
    assert pulled.returncode == 0, pulled.stderr
    assert "One more thing" in notebook.read_text()
    strict = run("tools/notebooks.py", "check", "--strict", cwd=clone)
    assert strict.returncode == 0, strict.stderr

    # The kept copy still finds the repository's tools and its chapter.
    kept_nb = jupytext.read(kept)
    setup = next(c for c in kept_nb.cells if c.cell_type == "code")
    probe = nbformat.v4.new_notebook(cells=[setup])
    probe.cells.append(nbformat.v4.new_code_cell("import nanoapi\nnanoapi.__file__"))
    ran = run_all(probe, kept.parent)
    shown = ran.cells[-1].outputs[0]["data"]["text/plain"]
    assert f"chapters/{NAME}/nanoapi/__init__.py" in shown


def test_fresh_without_changes_does_nothing(tmp_path):
    repo = upstream_repository(tmp_path / "repo")
    done = run("tools/workshop.py", "fresh", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "nothing to do: the notebooks are as new\n"
    assert not (repo / "workspace").exists()
