"""NANOAPI_NO_SKIPS=1 turns every skipped test into a failure.

CI installs everything (requirements-dev.txt), so a test that skips there
(a missing tool, a missing browser) is a problem to see, not to scroll past.
The two hooks are imported by tests/conftest.py; xfail stays xfail.
"""

from __future__ import annotations

import os

import pytest


def wanted() -> bool:
    return os.environ.get("NANOAPI_NO_SKIPS", "") not in ("", "0")


def as_failure(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Turn a skip report into a failure that says why it would have skipped."""
    if wanted() and report.skipped and not hasattr(report, "wasxfail"):
        why = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        why = why.removeprefix("Skipped: ")  # how a skipped module says it
        report.outcome = "failed"
        report.longrepr = f"NANOAPI_NO_SKIPS is set, and this skipped: {why}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    outcome = yield
    as_failure(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    outcome = yield
    as_failure(outcome.get_result())
