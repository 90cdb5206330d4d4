"""Tools that only the maintainer's install has (requirements-dev.txt).

On the attendee's install (requirements.txt) a test that needs one skips with
a one-line reason; CI installs everything and sets NANOAPI_NO_SKIPS=1, which
turns any skip into a failure (tests/conftest.py).
"""

from __future__ import annotations

from types import ModuleType

import pytest

INSTALL = "pip install -r requirements-dev.txt"


def reason(module: str) -> str:
    return f"{module} is a maintainer tool, not in requirements.txt: {INSTALL}"


def need(module: str) -> ModuleType:
    """`module` imported, or the test skipped with the reason."""
    return pytest.importorskip(module, reason=reason(module.partition(".")[0]))
