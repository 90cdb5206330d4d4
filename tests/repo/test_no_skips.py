"""NANOAPI_NO_SKIPS=1 (set by .ci/run) turns a skipped test into a failure.

Throwaway test files (a skipped test, an xfail and a pass; a module skipped
whole) run with the plugin (tests/no_skips.py), with the variable and without.
"""

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent

SAMPLE = """
import pytest

def test_passes():
    pass

def test_skips():
    pytest.skip("no such tool here")

@pytest.mark.xfail(reason="known", strict=True)
def test_xfails():
    assert False
"""
SKIPPED_MODULE = """
import pytest

pytest.importorskip("no_such_module_anywhere", reason="a missing tool")

def test_never_runs():
    pass
"""


def run(folder: Path, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    environment.pop("NANOAPI_NO_SKIPS", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no_skips", "-p", "no:cacheprovider",
         "-q", "-rfEs", "--rootdir", folder, "-c", os.devnull, folder],
        cwd=folder,
        env={**environment, "PYTHONPATH": str(TESTS),
             "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip
    return done.stdout


def test_skips_are_skips_by_default_and_failures_under_no_skips(tmp_path):
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    plain = run(tmp_path)
    assert "1 passed, 1 skipped, 1 xfailed" in plain, plain
    strict = run(tmp_path, NANOAPI_NO_SKIPS="1")
    assert "1 failed, 1 passed, 1 xfailed" in strict, strict
    assert "NANOAPI_NO_SKIPS is set, and this skipped: no such tool here" in strict


def test_a_module_skipped_whole_is_an_error_under_no_skips(tmp_path):
    (tmp_path / "test_skipped_module.py").write_text(SKIPPED_MODULE)
    assert "1 skipped" in run(tmp_path)
    strict = run(tmp_path, NANOAPI_NO_SKIPS="1")
    assert "1 error" in strict, strict
    assert "NANOAPI_NO_SKIPS is set, and this skipped: a missing tool" in strict
