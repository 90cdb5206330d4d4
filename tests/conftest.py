"""The test harness: which chapter's package each test runs against.

A test that lives in `tests/NN_slug/` asks for the `chapter` fixture (or for
`pkg` / `demo`, which build on it) and is run once per chapter:

* `pytest`                          every chapter from NN to the last
* `pytest tests/NN_slug`            chapter NN only (quick, while working on it)
* `pytest tests/01_raw_asgi --chapter all`   explicitly: 01 against 01..last
* `pytest tests/NN_slug --target DIR`        learner mode: your own package
* `pytest tests/planted`            the guide's common mistakes, each caught
  (only when named: plain `pytest` leaves them out)

The test id says where it ran: `test_echo[ch02]`.

Tests marked `slow` start real servers, a browser or notebook kernels. A bare
`pytest` (the whole suite) leaves them out to stay quick; `pytest -m slow` runs
just them, and naming a folder or file runs all of its tests, slow ones too.
"""

from __future__ import annotations

from pathlib import Path

import learner
import pytest
from harness import (
    Chapter,
    all_chapters,
    chapter_of_test,
    find_chapter,
    load_demo,
    load_package,
    target_chapter,
)
from no_skips import (  # noqa: F401 (hooks: NANOAPI_NO_SKIPS=1 fails on a skip)
    pytest_make_collect_report,
    pytest_runtest_makereport,
)
from superseded import SUPERSEDED


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("nanoapi chapters")
    group.addoption(
        "--chapter",
        action="append",
        default=[],
        metavar="NN",
        help="run against these chapters' packages ('all' for every later one)",
    )
    group.addoption(
        "--target",
        metavar="DIR",
        help="learner mode: run the tests against DIR/nanoapi instead of a chapter",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--target"):  # learner mode: failures say what they mean
        config.pluginmanager.register(learner, "nanoapi-learner-hints")


def named_test_dirs(config: pytest.Config) -> set[Chapter] | None:
    """The chapters whose test folders were named on the command line, if only those."""
    named = set()
    for arg in config.args:
        path = Path(config.invocation_params.dir, arg.split("::")[0])
        chapter = chapter_of_test(path) if path.exists() else None
        if chapter is None:
            return None
        named.add(chapter)
    return named or None


def chapters_for(config: pytest.Config, intro: Chapter) -> list[Chapter]:
    """The packages a test introduced in chapter `intro` runs against."""
    target = config.getoption("--target")
    if target:
        return [target_chapter(Path(target), like=intro)]
    later = [c for c in all_chapters() if c >= intro]
    wanted = config.getoption("--chapter")
    if "all" in wanted:
        return later
    if wanted:
        chosen = {find_chapter(name) for name in wanted}
        return [c for c in later if c in chosen]
    if named_test_dirs(config):
        return [intro]
    return later


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    intro = chapter_of_test(metafunc.definition.path)
    if "chapter" not in metafunc.fixturenames or intro is None:
        return  # not a chapter test (the repo's own checks live in tests/repo/)
    chapters = chapters_for(metafunc.config, intro)
    metafunc.parametrize("chapter", chapters, ids=[c.id for c in chapters])


def whole_suite_by_default(config: pytest.Config) -> bool:
    """A bare `pytest`: no paths named and no -m of one's own."""
    bare = config.args_source == pytest.Config.ArgsSource.TESTPATHS
    return bare and not config.getoption("markexpr")


PLANTED = Path(__file__).parent / "planted"


def planted_named(config: pytest.Config) -> bool:
    """Whether tests/planted (or a file or test in it) was named on the command line."""
    for arg in config.args:
        path = Path(config.invocation_params.dir, arg.split("::")[0]).resolve()
        if path == PLANTED or PLANTED in path.parents:
            return True
    return False


def deselect(config: pytest.Config, items: list[pytest.Item], marker: str) -> None:
    """Leave out the tests marked `marker` (pytest counts them as deselected)."""
    marked = [item for item in items if item.get_closest_marker(marker)]
    if marked:
        config.hook.pytest_deselected(items=marked)
        items[:] = [item for item in items if not item.get_closest_marker(marker)]


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    if whole_suite_by_default(config):
        deselect(config, items, "slow")
    # The planted mistakes start a pytest or a kernel each (minutes in all):
    # they run when tests/planted is named (`pytest tests/planted`, a CI step).
    if not planted_named(config):
        deselect(config, items, "planted")
    for item in items:
        chapter = getattr(item, "callspec", None) and item.callspec.params.get(
            "chapter"
        )
        entry = SUPERSEDED.get(item.nodeid.split("[")[0])
        if chapter and entry and chapter.number >= entry[0]:
            item.add_marker(pytest.mark.xfail(strict=True, reason=entry[1]))


@pytest.fixture
def pkg(chapter: Chapter):
    """The chapter's `nanoapi` package, imported under its own alias."""
    return load_package(chapter)


@pytest.fixture
def demo(chapter: Chapter):
    """The chapter's demo `app.py` module, wired to the chapter's package."""
    return load_demo(chapter)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
