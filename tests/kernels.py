"""Run a notebook as Run All does, in a fresh kernel, and read what it printed.

The notebook tests (tests/repo/test_notebooks.py, test_saved_work.py) and the
planted mistakes' notebook checks (tests/planted/planting.py) share these two.
"""

from __future__ import annotations

import copy
from pathlib import Path

from nbclient import NotebookClient
from nbformat import NotebookNode


def executed(nb: NotebookNode, folder: Path, allow_errors=False) -> NotebookNode:
    """A copy of `nb` run top to bottom in a fresh kernel, with `folder` as cwd.

    Without `allow_errors` it raises at the first cell that fails, as Run All
    stops there; with it every cell runs and an error is one more output."""
    nb = copy.deepcopy(nb)
    resources = {"metadata": {"path": str(folder)}}
    client = NotebookClient(nb, timeout=60, kernel_name="python3", resources=resources)
    client.allow_errors = allow_errors
    client.execute()
    return nb


def printed(cell: NotebookNode) -> str:
    """Everything a cell showed: streams, results and tracebacks."""
    parts = []
    for output in cell.get("outputs", []):
        parts += [output.get("text", ""), *output.get("traceback", [])]
        parts.append(str(output.get("data", {}).get("text/plain", "")))
    return "".join(parts)
