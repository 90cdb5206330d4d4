"""tools/dropin.py and its plugin, offline: no sdist, no network, no virtualenv.

The import hook (fastapi.X is the package's X, the same object, and a missing
name or module fails), the plugin's record of each outcome in a real pytest
run, the section table and the floors. The tool's real run (it downloads
FastAPI's sdist and makes a virtualenv) is a step of .ci/run.
"""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import dropin
import dropin_hook
import pytest
from harness import ROOT

PACKAGE = {
    "__init__.py": "from . import routing\nApp = object\n",
    "routing.py": "from .params import Query\n",
    "params.py": "class Query: ...\n",
    "middleware/__init__.py": "",
    "middleware/cors.py": "from ..params import Query\nclass CORSMiddleware: ...\n",
}


def write_package(where: Path, name: str) -> None:
    for path, text in PACKAGE.items():
        (where / name / path).parent.mkdir(parents=True, exist_ok=True)
        (where / name / path).write_text(text)


@pytest.fixture
def mapped(tmp_path):
    """`dropin_alias` mapped to `dropin_pkg`; `dropin_blocked` blocked."""
    write_package(tmp_path, "dropin_pkg")
    finder = dropin_hook.install(
        "dropin_alias", "dropin_pkg", tmp_path, blocked=["dropin_blocked"]
    )
    yield tmp_path
    sys.meta_path.remove(finder)
    for name in list(sys.modules):
        if name.split(".")[0] in ("dropin_alias", "dropin_pkg", "dropin_blocked"):
            del sys.modules[name]


def test_the_alias_and_its_submodules_are_the_package_s_own_modules(mapped):
    import dropin_alias
    import dropin_alias.middleware.cors
    import dropin_alias.routing
    import dropin_pkg

    assert dropin_alias is dropin_pkg
    assert dropin_alias.routing is sys.modules["dropin_pkg.routing"]
    cors = sys.modules["dropin_pkg.middleware.cors"]
    assert dropin_alias.middleware.cors is cors
    assert sys.modules["dropin_alias.middleware.cors"] is cors
    from dropin_alias.middleware.cors import CORSMiddleware

    assert CORSMiddleware is cors.CORSMiddleware
    # each module keeps its own spec: its relative imports still resolve
    assert cors.__spec__.name == "dropin_pkg.middleware.cors"
    assert cors.__name__ == "dropin_pkg.middleware.cors"


def test_a_missing_name_or_module_fails(mapped):
    with pytest.raises(ImportError, match="cannot import name 'FastAPI'"):
        from dropin_alias import FastAPI  # noqa: F401
    with pytest.raises(ModuleNotFoundError, match=r"'dropin_pkg\.websockets'") as info:
        import dropin_alias.websockets  # noqa: F401
    assert info.value.name == "dropin_alias.websockets"


def test_a_real_package_of_the_alias_s_name_is_never_reached(mapped, monkeypatch):
    real = mapped / "installed"
    (real / "dropin_alias").mkdir(parents=True)
    (real / "dropin_alias" / "__init__.py").write_text("REAL = True\n")
    (real / "dropin_alias" / "websockets.py").write_text("REAL = True\n")
    monkeypatch.syspath_prepend(str(real))
    import dropin_alias

    assert not hasattr(dropin_alias, "REAL")
    with pytest.raises(ModuleNotFoundError):
        import dropin_alias.websockets


def test_blocked_modules_are_missing_even_when_installed(mapped, monkeypatch):
    (mapped / "installed").mkdir()
    (mapped / "installed" / "dropin_blocked.py").write_text("")
    monkeypatch.syspath_prepend(str(mapped / "installed"))
    with pytest.raises(ModuleNotFoundError, match="not mapped"):
        import dropin_blocked  # noqa: F401


def test_a_mapping_made_after_the_import_refuses(tmp_path):
    write_package(tmp_path, "dropin_late")
    with pytest.raises(RuntimeError, match="too late"):
        dropin_hook.install("json", "dropin_late", tmp_path)


# --- The plugin in a real pytest run -----------------------------------------

DEMO_TESTS = """
import pytest
import fastapi
from fastapi import App


def test_passes():
    import fastapi.routing
    assert fastapi.routing.__name__ == "demo_pkg.routing"


def test_fails():
    assert App is None


@pytest.fixture
def broken():
    from fastapi import FastAPI  # noqa: F401


def test_errors(broken):
    pass


@pytest.mark.xfail(reason="known", strict=True)
def test_xfails():
    raise ValueError("as expected")


def test_skips():
    pytest.skip("not here")


def test_starlette_is_not_mapped():
    import starlette  # noqa: F401
"""
COLLECTION_ERROR = "from fastapi import FastAPI\n\ndef test_a(): pass\n"


def test_the_plugin_maps_fastapi_and_records_each_outcome(tmp_path):
    write_package(tmp_path / "chapter", "demo_pkg")
    (tmp_path / "suite").mkdir()
    (tmp_path / "suite" / "test_demo.py").write_text(DEMO_TESTS)
    (tmp_path / "suite" / "test_broken.py").write_text(COLLECTION_ERROR)
    results = tmp_path / "results.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(
        PYTHONPATH=str(ROOT / "tools"),
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        DROPIN_TARGET=str(tmp_path / "chapter"),
        DROPIN_PACKAGE="demo_pkg",
        DROPIN_RESULTS=str(results),
    )
    command = [sys.executable, "-m", "pytest", "-p", "dropin_hook", "-q"]
    command += ["-p", "no:cacheprovider", "--continue-on-collection-errors"]
    done = subprocess.run(
        command, cwd=tmp_path / "suite", env=env, capture_output=True, text=True
    )
    assert done.returncode == 1, done.stdout + done.stderr
    found = {r.pop("id"): r for r in map(json.loads, results.open())}
    outcomes = {test_id.split("::")[-1]: r["outcome"] for test_id, r in found.items()}
    assert outcomes == {
        "test_broken.py": "error",
        "test_passes": "passed",
        "test_fails": "failed",
        "test_errors": "error",
        "test_xfails": "xfailed",
        "test_skips": "skipped",
        "test_starlette_is_not_mapped": "failed",
    }
    reasons = {test_id.split("::")[-1]: r["reason"] for test_id, r in found.items()}
    assert "cannot import name 'FastAPI'" in reasons["test_broken.py"]
    assert "cannot import name 'FastAPI'" in reasons["test_errors"]
    assert reasons["test_fails"] == "assert App is None"
    assert reasons["test_xfails"] == "ValueError: as expected"
    assert all("\n" not in reason for reason in reasons.values())
    assert "No module named 'starlette'" in reasons["test_starlette_is_not_mapped"]
    assert reasons["test_skips"] == "Skipped: not here"
    # the module that did not import: its tests err with its reason
    expected = ["test_broken.py::test_a", "test_demo.py::test_passes"]
    tests = dropin.outcomes(expected, found)
    assert tests["test_broken.py::test_a"] == found["test_broken.py"]
    assert tests["test_demo.py::test_passes"]["outcome"] == "passed"


# --- Selecting, counting, floors ---------------------------------------------


def test_every_part_has_its_sections_and_the_partial_ones_exist_in_the_table():
    assert set(dropin.PARTS.values()) == {"09", "10", "11"}
    assert len(dropin.sections_of(["10"])) == 6
    assert len(dropin.sections_of(["11"])) == 4
    assert set(dropin.ONLY) <= set(dropin.PARTS)
    assert {path.split("/")[0] for path in dropin.LEFT_OUT} <= set(dropin.PARTS)


def test_the_selection_names_folders_files_and_left_out_files():
    args = dropin.selection_args(["09"])
    tutorial = dropin.TUTORIAL
    assert f"{tutorial}/test_first_steps" in args
    assert f"{tutorial}/test_security" not in args
    assert f"{tutorial}/test_custom_response" not in args
    assert f"{tutorial}/test_custom_response/test_tutorial005.py" in args
    left_out = "test_query_params_str_validations/test_tutorial010.py"
    assert f"--ignore={tutorial}/{left_out}" in args
    assert dropin.selection_args(["11"])[:4] == [
        f"{tutorial}/test_websockets",
        f"{tutorial}/test_server_sent_events",
        f"{tutorial}/test_stream_data",
        f"{tutorial}/test_stream_json_lines",
    ]


def test_the_table_counts_by_section_and_part_and_an_xfail_passes():
    tutorial = dropin.TUTORIAL
    tests = {
        f"{tutorial}/test_body/test_a.py::test_1": {"outcome": "passed"},
        f"{tutorial}/test_body/test_a.py::test_2": {"outcome": "failed"},
        f"{tutorial}/test_dependencies/test_b.py::test_1": {"outcome": "xfailed"},
        f"{tutorial}/test_security/test_c.py::test_1": {"outcome": "error"},
    }
    report, per_part = dropin.table(tests)
    assert per_part == {
        "09": Counter(passed=2, total=3),
        "10": Counter(passed=0, total=1),
    }
    lines = report.splitlines()
    assert lines[1].split() == ["test_body", "09", "1", "2"]
    assert lines[-1].split() == ["total", "2", "4"]
    assert dropin.below_floor(per_part, {"09": 2, "10": 1, "11": 5}) == [
        "part 10: 0 passed, the floor is 1"
    ]


def test_unknown_options_go_to_pytest():
    options, extra = dropin.parse(["--part", "10", "-k", "login", "-x", "-v"])
    assert options.part == ["10"] and options.list_failures
    assert extra == ["-k", "login", "-x"]


def test_the_cache_is_outside_the_repository_unless_told(monkeypatch, tmp_path):
    monkeypatch.delenv("NANOAPI_DROPIN_CACHE", raising=False)
    assert not dropin.cache_dir(None).is_relative_to(ROOT)
    monkeypatch.setenv("NANOAPI_DROPIN_CACHE", str(tmp_path))
    assert dropin.cache_dir(None) == tmp_path
    assert dropin.cache_dir(str(tmp_path / "x")) == tmp_path / "x"


def test_the_virtualenv_is_pinned_and_the_suite_s_packages_stay_out_of_ours():
    wanted = dropin.requirements()
    assert all("==" in package for package in wanted), wanted
    by_name = {dropin.name_of(p): p.split("==")[1] for p in wanted}
    pinned = dropin.pins()
    for name in ("pydantic", "h11", "httpx", "fastapi", "starlette"):
        assert pinned[name] == f"{name}=={by_name[name]}", name
    assert by_name["pytest"].startswith(("9.0.", "9.1.")), "the suite: <9.2"
    suite_only = {"pytest-timeout", "inline-snapshot", "dirty-equals", "httpx2"}
    suite_only |= {"email-validator", "pyjwt", "pwdlib"}
    assert suite_only | {"python-multipart"} <= set(by_name)  # ours since chapter 10
    ours = set(pinned) | set(dropin.OUR_PACKAGES)
    assert not suite_only & ours, "FastAPI's test packages are not ours"
