"""Chapter 11's server tests start real servers on the test app (apps/wsapp.py).

`ours` is the chapter's own server (`python -m nanoapi` in the chapter's
folder, or the learner's with `--target`); `uvicorn` is uvicorn with wsproto,
the WebSocket library we use too, and h11. A server starts on first use and
stops at the end of the test module.
"""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from wire import Running, serve
from wswire import APPS, UVICORN_OPTIONS

Start = Callable[..., Running]


@pytest.fixture(scope="module")
def started() -> Iterator[Start]:
    with ExitStack() as stack:
        running: dict[tuple, Running] = {}

        def start(server: str, folder: Path | None, *options: str) -> Running:
            key = (server, folder, options)
            if key not in running:
                process = serve(
                    "wsapp:app", *options, server=server, app_dir=APPS, cwd=folder
                )
                running[key] = stack.enter_context(process)
            return running[key]

        yield start


@pytest.fixture
def ours(chapter, started: Start) -> Running:
    return started("nanoapi", chapter.path)


@pytest.fixture
def uvicorn(started: Start) -> Running:
    return started("uvicorn", None, *UVICORN_OPTIONS)
