"""The pytest plugin `tools/dropin.py` loads into FastAPI's own test suite.

Two jobs. With DROPIN_TARGET and DROPIN_PACKAGE set, it makes `fastapi` and
every `fastapi.X` the package under test and its `X` (the very same module
objects), and makes `starlette` unimportable: nothing is stubbed, so a name or
a module the package lacks fails the test that needs it. Without them (the
baseline run) the real FastAPI answers. In both runs it writes one line of
JSON per test to DROPIN_RESULTS: its id, its outcome and a one-line reason.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


class _Existing(importlib.abc.Loader):
    """A loader whose module already exists (and is already executed)."""

    def __init__(self, module: ModuleType) -> None:
        self.module, self.spec = module, module.__spec__

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return self.module

    def exec_module(self, module: ModuleType) -> None:
        # importlib has just set the alias's spec on it: give its own back, so
        # its relative imports keep resolving (they check __spec__.parent)
        module.__spec__ = self.spec


class AliasFinder(importlib.abc.MetaPathFinder):
    """`alias` and `alias.X` are `package` and `package.X`; `blocked` is missing.

    `package` is imported from the folder `where` (nothing is added to
    sys.path). A missing `package.X` raises at once: falling through to the
    next finder would find the real `alias` if one is installed.
    """

    def __init__(
        self, alias: str, package: str, where: Path, blocked: Sequence[str] = ()
    ) -> None:
        self.alias, self.package, self.where = alias, package, where
        self.blocked = tuple(blocked)

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        top, dot, rest = fullname.partition(".")
        if top in self.blocked:
            raise ModuleNotFoundError(
                f"No module named {fullname!r} (not mapped: only {self.alias}.* "
                f"is, to {self.package})",
                name=fullname,
            )
        if top != self.alias:
            return None
        module = self.load_package() if not dot else self.load(rest)
        is_package = hasattr(module, "__path__")
        return importlib.util.spec_from_loader(
            fullname, _Existing(module), is_package=is_package
        )

    def load_package(self) -> ModuleType:
        if self.package in sys.modules:
            return sys.modules[self.package]
        spec = importlib.machinery.PathFinder.find_spec(self.package, [str(self.where)])
        if spec is None or spec.loader is None:
            raise ModuleNotFoundError(
                f"No package {self.package!r} in {self.where}", name=self.alias
            )
        module = importlib.util.module_from_spec(spec)
        sys.modules[self.package] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[self.package]
            raise
        return module

    def load(self, rest: str) -> ModuleType:
        self.load_package()
        real = f"{self.package}.{rest}"
        try:
            return importlib.import_module(real)
        except ModuleNotFoundError as error:
            if error.name is None or not real.startswith(error.name):
                raise  # something the module itself imports is missing
            alias = f"{self.alias}.{rest}"
            message = f"No module named {alias!r} ({error.name!r} does not exist)"
            raise ModuleNotFoundError(message, name=alias) from None


def install(
    alias: str, package: str, where: Path, blocked: Sequence[str] = ()
) -> AliasFinder:
    """Put an AliasFinder first on sys.meta_path and return it."""
    early = [name for name in (alias, *blocked) if name in sys.modules]
    if early:
        raise RuntimeError(f"{early} were imported before the mapping: too late")
    finder = AliasFinder(alias, package, where, blocked)
    sys.meta_path.insert(0, finder)
    return finder


# --- One line per test: what happened, and why ------------------------------


def reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    """One line: the exception and its message, or the skip reason."""
    longrepr: Any = report.longrepr
    if isinstance(longrepr, tuple):  # a skip: (path, line, reason)
        return str(longrepr[2])
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message).splitlines()[0]
    lines = str(longrepr).splitlines()
    errors = [line[1:].strip() for line in lines if line.startswith("E ")]
    return errors[-1] if errors else next(filter(None, reversed(lines)), "")


def outcome(report: pytest.TestReport) -> str:
    if hasattr(report, "wasxfail"):
        return "xfailed" if report.skipped else "xpassed"
    if report.failed:
        return "failed" if report.when == "call" else "error"
    return report.outcome


class Recorder:
    """Collects the outcome of every test and every failed collection."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.results: dict[str, dict[str, str]] = {}
        self.collected: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        seen = self.results.get(report.nodeid)
        if seen and seen["outcome"] != "passed":
            return  # the first failure says why (a teardown error comes after)
        if report.when == "call" or not report.passed or hasattr(report, "wasxfail"):
            said = reason(report) if not report.passed else ""
            self.results[report.nodeid] = {"outcome": outcome(report), "reason": said}

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.results[report.nodeid] = {"outcome": "error", "reason": reason(report)}

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.collected = [item.nodeid for item in session.items]

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        lines = [json.dumps({"id": k, **v}) for k, v in self.results.items()]
        if session.config.option.collectonly:
            lines = [
                json.dumps({"id": i, "outcome": "collected"}) for i in self.collected
            ]
        self.out.write_text("".join(line + "\n" for line in lines))


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("DROPIN_TARGET"):
        where = Path(os.environ["DROPIN_TARGET"])
        install("fastapi", os.environ["DROPIN_PACKAGE"], where, blocked=["starlette"])
    is_worker = hasattr(config, "workerinput")  # xdist: the controller records
    if os.environ.get("DROPIN_RESULTS") and not is_worker:
        recorder = Recorder(Path(os.environ["DROPIN_RESULTS"]))
        config.pluginmanager.register(recorder, "dropin-recorder")
