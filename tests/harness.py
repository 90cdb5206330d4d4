"""Load each chapter's `nanoapi` package side by side in one Python process.

Every chapter ships a package with the same name, and Python keeps one module
per name in `sys.modules`. So the harness never imports `nanoapi` itself: it
imports a chapter's package (and all its submodules) under a unique alias such
as `nanoapi_ch02`. Relative imports inside the package follow the alias. A
demo `app.py` says `from nanoapi import App`; while it loads, the alias is
shown under the real name and taken away again afterwards.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
TESTS = ROOT / "tests"
PACKAGE = "nanoapi"
SLUG = re.compile(r"^(\d\d)_[a-z0-9_]+$")


@dataclass(frozen=True, order=True)
class Chapter:
    """A folder that holds a `nanoapi` package: a chapter, or a learner's copy."""

    number: str
    slug: str
    path: Path

    @property
    def id(self) -> str:
        return f"ch{self.number}" if self.path.parent == CHAPTERS else "target"

    @property
    def alias(self) -> str:
        return f"{PACKAGE}_{self.id}"


def all_chapters() -> list[Chapter]:
    found = [p for p in CHAPTERS.iterdir() if SLUG.match(p.name)]
    return sorted(Chapter(p.name[:2], p.name, p) for p in found)


def find_chapter(name: str) -> Chapter:
    """Find a chapter by number (`2`, `02`) or by slug (`02_framework`)."""
    for chapter in all_chapters():
        if name in (chapter.slug, chapter.number, chapter.number.lstrip("0")):
            return chapter
    raise LookupError(f"no chapter {name!r} under {CHAPTERS}")


def chapter_of_test(path: Path) -> Chapter | None:
    """The chapter that introduced a test: the `tests/NN_slug/` it lives in.

    The folder itself counts too, so `pytest tests/NN_slug` names chapter NN.
    """
    parts = path.resolve().relative_to(TESTS).parts
    if parts and SLUG.match(parts[0]):
        return find_chapter(parts[0])
    return None


def target_chapter(folder: Path, like: Chapter) -> Chapter:
    """A learner's folder, tested in place of chapter `like`."""
    return Chapter(like.number, like.slug, folder.resolve())


_packages: dict[Path, ModuleType] = {}
_demos: dict[Path, ModuleType] = {}


def load_package(chapter: Chapter) -> ModuleType:
    """Import `chapter/nanoapi` and every submodule under `chapter.alias`."""
    if chapter.path in _packages:
        return _packages[chapter.path]
    folder = chapter.path / PACKAGE
    if not (folder / "__init__.py").is_file():
        raise FileNotFoundError(f"no {PACKAGE} package in {chapter.path}")
    spec = importlib.util.spec_from_file_location(
        chapter.alias, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules[chapter.alias] = package
    spec.loader.exec_module(package)
    for info in pkgutil.walk_packages(package.__path__, chapter.alias + "."):
        if not info.name.endswith(".__main__"):  # running it would start a program
            importlib.import_module(info.name)
    _packages[chapter.path] = package
    return package


@contextmanager
def shown_as(modules: dict[str, ModuleType]) -> Iterator[None]:
    """Put `modules` in `sys.modules` under the given names for a moment, then
    put back whatever those names held before."""
    hidden = {name: sys.modules.pop(name) for name in modules if name in sys.modules}
    sys.modules.update(modules)
    try:
        yield
    finally:
        for name in modules:
            sys.modules.pop(name, None)
        sys.modules.update(hidden)


@contextmanager
def under_real_name(package: ModuleType) -> Iterator[None]:
    """Show an aliased package as `nanoapi` (and `nanoapi.*`) for a moment."""
    alias = package.__name__
    views = {
        PACKAGE + name[len(alias) :]: module
        for name, module in list(sys.modules.items())
        if name == alias or name.startswith(alias + ".")
    }
    with shown_as(views):
        yield


def exec_demo(chapter: Chapter, name: str) -> ModuleType:
    """Run the chapter's `app.py` afresh as the module `name` (in `sys.modules`);
    whatever `nanoapi` stands for at the moment is what it imports."""
    demo_file = chapter.path / "app.py"
    if not demo_file.is_file():  # a learner's folder holds only the package
        demo_file = CHAPTERS / chapter.slug / "app.py"
    spec = importlib.util.spec_from_file_location(name, demo_file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_demo(chapter: Chapter) -> ModuleType:
    """Import the chapter's `app.py`, wired to that chapter's package."""
    if chapter.path in _demos:
        return _demos[chapter.path]
    with under_real_name(load_package(chapter)):
        module = exec_demo(chapter, f"demo_{chapter.id}")
    _demos[chapter.path] = module
    return module
