"""What `pytest` and `pytest -m slow` select (README: "Run the tests").

The bare `pytest` leaves out the tests marked `slow`, `pytest -m slow` runs
exactly those, so that between them every test runs; naming a folder runs all
of its tests. Each command here only collects (in a subprocess, -n 0), and a
small plugin writes down every collected test with whether it is slow.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECORDER = """
import json, os

def pytest_collection_finish(session):
    items = session.items
    found = {item.nodeid: bool(item.get_closest_marker("slow")) for item in items}
    with open(os.environ["SLOW_MARKER_IDS"], "w") as out:
        json.dump(found, out)
"""


def collected(tmp_path: Path, *args: str) -> dict[str, bool]:
    """Test id -> marked slow, for `pytest ARGS` run from the repository root."""
    (tmp_path / "slow_recorder.py").write_text(RECORDER)
    ids = tmp_path / f"ids{len(list(tmp_path.iterdir()))}.json"
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "SLOW_MARKER_IDS": str(ids),
        "PYTEST_ADDOPTS": "-p slow_recorder --collect-only -q -n 0",
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(ids.read_text())


def test_pytest_and_pytest_m_slow_split_the_suite_between_them(tmp_path):
    everything = collected(tmp_path, "-m", "slow or not slow")
    quick = collected(tmp_path)
    slow = collected(tmp_path, "-m", "slow")
    assert any(everything.values()) and not all(everything.values())
    assert not any(quick.values()), "the bare pytest should leave slow tests out"
    assert all(slow.values())
    assert set(quick) | set(slow) == set(everything)
    assert not set(quick) & set(slow)


def test_naming_a_folder_runs_its_slow_tests_too(tmp_path):
    found = collected(tmp_path, "tests/08_server")
    assert found and all(found.values()), "chapter 08's server tests are all slow"
