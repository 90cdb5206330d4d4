"""Chapter 08's tests start real servers on a chapter folder: in learner mode
(`--target DIR`), the learner's folder instead."""

from pathlib import Path

import pytest
import wire


@pytest.fixture(scope="session", autouse=True)
def served_folder(request: pytest.FixtureRequest) -> Path:
    target = request.config.getoption("--target")
    if target:
        wire.ROOT = Path(target).resolve()
    return wire.ROOT
