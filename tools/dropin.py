"""Run FastAPI 0.165.0's own tutorial tests against our package, as `fastapi`.

    python tools/dropin.py                          # parts 09-11, the last chapter
    python tools/dropin.py --part 09 --list-failures
    python tools/dropin.py --baseline               # the real FastAPI: all pass
    python tools/dropin.py --part 10 -k login       # pytest options pass through
    python tools/dropin.py --floor-file tools/dropin_floor.json   # what CI runs

The tests are FastAPI's: `tests/test_tutorial/` and the tutorial apps in
`docs_src/`, read from its source distribution at run time and never copied
here. The first run downloads that sdist with pip into a cache outside the
repository (~/.cache/nanoapi-dropin, or $NANOAPI_DROPIN_CACHE) and makes a
virtualenv there with the suite's own test packages; later runs reuse both.
pytest runs in that virtualenv with `dropin_hook.py`, which makes `fastapi`
and every `fastapi.X` our package and its `X`, and nothing else.

The tests are grouped by section (a folder of tests/test_tutorial) and the
sections by part (the issue that asks for them): PARTS below.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = Path(__file__).resolve().parent
FASTAPI = "0.165.0"
SDIST = f"fastapi-{FASTAPI}"
TUTORIAL = "tests/test_tutorial"

# Which part each section (folder of tests/test_tutorial) belongs to. A section
# not listed is in no part: python types (no app), settings, SQL databases,
# templates, static files, GraphQL, WSGI, OpenTelemetry, CORS, advanced
# middleware, conditional OpenAPI, custom docs UI, request body limits.
PARTS: dict[str, str] = {
    # 09: FastAPI as a drop-in, the tutorial's core
    "test_first_steps": "09",
    "test_path_params": "09",
    "test_query_params": "09",
    "test_query_params_str_validations": "09",
    "test_path_params_numeric_validations": "09",
    "test_query_param_models": "09",
    "test_header_param_models": "09",
    "test_cookie_param_models": "09",
    "test_body": "09",
    "test_body_multiple_params": "09",
    "test_body_fields": "09",
    "test_body_nested_models": "09",
    "test_body_updates": "09",
    "test_extra_data_types": "09",
    "test_extra_models": "09",
    "test_header_params": "09",
    "test_cookie_params": "09",
    "test_response_model": "09",
    "test_response_status_code": "09",
    "test_response_headers": "09",
    "test_response_cookies": "09",
    "test_response_change_status_code": "09",
    "test_response_directly": "09",
    "test_additional_status_codes": "09",
    "test_additional_responses": "09",
    "test_handling_errors": "09",
    "test_path_operation_configurations": "09",
    "test_path_operation_advanced_configurations": "09",
    "test_dependencies": "09",
    "test_background_tasks": "09",
    "test_bigger_applications": "09",
    "test_middleware": "09",
    "test_events": "09",
    "test_encoder": "09",
    "test_using_request_directly": "09",
    "test_testing": "09",
    "test_testing_dependencies": "09",
    "test_metadata": "09",
    "test_schema_extra_example": "09",
    "test_custom_response": "09",  # only the files in ONLY
    "test_sub_applications": "09",
    "test_behind_a_proxy": "09",
    # 09, the advanced user guide
    "test_async_tests": "09",
    "test_configure_swagger_ui": "09",
    "test_custom_request_and_route": "09",
    "test_dataclasses": "09",
    "test_debugging": "09",
    "test_extending_openapi": "09",
    "test_generate_clients": "09",
    "test_json_base64_bytes": "09",
    "test_openapi_callbacks": "09",
    "test_openapi_webhooks": "09",
    "test_separate_openapi_schemas": "09",
    "test_strict_content_type": "09",
    # 10: forms, files, security
    "test_request_forms": "10",
    "test_request_form_models": "10",
    "test_request_files": "10",
    "test_request_forms_and_files": "10",
    "test_security": "10",
    "test_authentication_error_status_code": "10",
    # 11: WebSockets and streaming
    "test_websockets": "11",
    "test_server_sent_events": "11",
    "test_stream_data": "11",
    "test_stream_json_lines": "11",
}
# Sections only partly in their part: these files only.
ONLY: dict[str, list[str]] = {
    # the HTML, plain-text and redirect responses (not ORJSON, streams, files)
    "test_custom_response": [
        "test_tutorial002_tutorial003_tutorial004.py",  # HTMLResponse
        "test_tutorial005.py",  # PlainTextResponse
        "test_tutorial006.py",  # RedirectResponse returned
        "test_tutorial006b.py",  # response_class=RedirectResponse
        "test_tutorial006c.py",  # ... with status_code=302
        "test_tutorial010.py",  # default_response_class=HTMLResponse
    ],
}
# Files left out of every part, and why.
LEFT_OUT: dict[str, str] = {
    "test_query_params_str_validations/test_tutorial010.py": (
        "imports FastAPI's private fastapi._compat (PYDANTIC_VERSION_MINOR_TUPLE)"
    ),
}

# The suite's own test packages, in the virtualenv only: never dependencies of
# nanoapi or of the workshop. A name without a version takes requirements.txt's.
TEST_PACKAGES = [
    "pytest==9.1.1",  # the suite asks for >=9.0,<9.2 (requirements.txt has 9.2)
    "pytest-timeout==2.4.0",  # its pyproject sets a 20 s timeout per test
    "pytest-xdist",  # registers the xdist_group marker its tests use
    "inline-snapshot==0.36.1",  # run with --inline-snapshot=disable
    "dirty-equals==0.11",
    "anyio==4.16.0",  # its pytest plugin runs the async tests
    "httpx2==2.17.0",  # Starlette's TestClient warns without it (baseline)
    "email-validator==2.4.0",  # tutorial apps with EmailStr
    "pyjwt==2.15.1",  # the OAuth2 with JWT tutorial
    "pwdlib[argon2]==0.4.2",
    "python-multipart==0.0.34",  # forms and files
    "pyyaml==6.0.4",  # a path operation reads a YAML body
    "uvicorn",  # the debugging tutorial calls uvicorn.run
]
BASELINE_PACKAGES = [f"fastapi=={FASTAPI}", "starlette"]
OUR_PACKAGES = ["pydantic", "h11", "httpx"]  # what nanoapi imports (multipart: above)
PASSED = ("passed", "xfailed")  # what the suite expects: pytest's own success


# --- Selecting the tests ----------------------------------------------------


def sections_of(parts: list[str]) -> list[str]:
    return [section for section, part in PARTS.items() if part in parts]


def selection_args(parts: list[str]) -> list[str]:
    """pytest's arguments for the sections of `parts`, relative to the sdist."""
    args = []
    for section in sections_of(parts):
        files = ONLY.get(section, [""])
        args += [f"{TUTORIAL}/{section}/{name}".rstrip("/") for name in files]
    return args + [f"--ignore={TUTORIAL}/{path}" for path in LEFT_OUT]


def section_of(test_id: str) -> str:
    return test_id.removeprefix(f"{TUTORIAL}/").split("/")[0]


# --- The cache: the sdist and the virtualenv --------------------------------


def cache_dir(option: str | None) -> Path:
    if option:
        return Path(option).resolve()
    if os.environ.get("NANOAPI_DROPIN_CACHE"):
        return Path(os.environ["NANOAPI_DROPIN_CACHE"]).resolve()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nanoapi-dropin"


def say(message: str) -> None:
    print(f"dropin: {message}", flush=True)


def sdist(cache: Path) -> Path:
    """FastAPI's source tree, downloaded and extracted once."""
    tree = cache / SDIST
    if (tree / TUTORIAL).is_dir():
        return tree
    say(f"downloading FastAPI {FASTAPI}'s sdist into {cache} (once)")
    cache.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
    pip += ["--no-binary", ":all:", f"fastapi=={FASTAPI}", "-d", str(cache)]
    subprocess.run(pip, check=True)
    partial = cache / f"{SDIST}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    with tarfile.open(cache / f"{SDIST}.tar.gz") as archive:
        archive.extractall(partial, filter="data")
    (partial / SDIST).rename(tree)
    partial.rmdir()
    return tree


def pins() -> dict[str, str]:
    """`name==version` lines of requirements.txt, by lower-case name."""
    found = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match:
            found[match[1].lower()] = match[0]
    return found


def name_of(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement)[0].lower()


def requirements() -> list[str]:
    """The virtualenv's packages, each pinned (by us or by requirements.txt)."""
    pinned, wanted = pins(), dict[str, str | None]()
    for package in [*TEST_PACKAGES, *BASELINE_PACKAGES, *OUR_PACKAGES]:
        name = name_of(package)
        wanted.setdefault(name, package if "==" in package else pinned.get(name))
    unpinned = [name for name, package in wanted.items() if package is None]
    if unpinned:
        raise SystemExit(f"no version for {unpinned}: pin them in requirements.txt")
    return [package for package in wanted.values() if package]


def venv(cache: Path) -> Path:
    """The virtualenv's python: made once, reinstalled when the list changes."""
    where = cache / f"venv-py{sys.version_info[0]}.{sys.version_info[1]}"
    python = where / "bin" / "python"
    wanted = "\n".join(requirements()) + "\n"
    stamp = where / "dropin-requirements.txt"
    if stamp.is_file() and stamp.read_text() == wanted:
        return python
    if not python.exists():
        say(f"making a virtualenv in {where} (once)")
        subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    say("installing the suite's test packages: " + " ".join(wanted.split()))
    listed = where / "requirements.txt"
    listed.write_text(wanted)
    pip = [str(python), "-m", "pip", "install", "-qq"]
    subprocess.run([*pip, "--disable-pip-version-check", "-r", str(listed)], check=True)
    stamp.write_text(wanted)
    return python


# --- Running pytest ---------------------------------------------------------

Results = dict[str, dict[str, str]]  # test id -> {"outcome": ..., "reason": ...}


def run_pytest(
    python: Path, cache: Path, args: list[str], target: Path | None, package: str
) -> Results:
    """pytest in the virtualenv, in the sdist's tree (so its own settings hold).

    With no target, the real FastAPI answers. pytest's output goes to
    CACHE/last-run.log, one line per failure (pass --tb=short for more: it
    costs three times as long); the plugin records each test's outcome.
    """
    results = cache / f"results-{os.getpid()}.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(PYTHONPATH=str(TOOLS), DROPIN_RESULTS=str(results))
    if target:
        env.update(DROPIN_TARGET=str(target), DROPIN_PACKAGE=package)
    command = [str(python), "-m", "pytest", "-p", "dropin_hook", "-p"]
    command += ["no:cacheprovider", "--inline-snapshot=disable", "-q", "--tb=line"]
    command += ["--continue-on-collection-errors", *args]
    log = cache / "last-run.log"
    with log.open("w") as out:
        done = subprocess.run(
            command, cwd=cache / SDIST, env=env, stdout=out, stderr=out
        )
    if done.returncode not in (0, 1) or not results.is_file():
        tail = log.read_text().splitlines()[-30:]
        raise SystemExit("\n".join([*tail, f"pytest did not run: see {log}"]))
    lines = results.read_text().splitlines()
    results.unlink()
    return {r.pop("id"): r for r in map(json.loads, lines)}


def expected_ids(python: Path, cache: Path, args: list[str]) -> list[str]:
    """The ids the real FastAPI collects for `args`: the tests that must run.

    A test module that fails to import under our package collects no test, so
    the count comes from FastAPI's collection (kept in the cache per selection).
    """
    key = hashlib.sha256(json.dumps([sys.version, args]).encode()).hexdigest()[:16]
    kept = cache / "collected" / f"{key}.json"
    if kept.is_file():
        return [str(test_id) for test_id in json.loads(kept.read_text())]
    say("collecting the selected tests with the real FastAPI (once per selection)")
    found = run_pytest(python, cache, [*args, "--collect-only", "-n", "0"], None, "")
    ids = [test_id for test_id, r in found.items() if r["outcome"] == "collected"]
    kept.parent.mkdir(exist_ok=True)
    kept.write_text(json.dumps(ids))
    return ids


def outcomes(expected: list[str], results: Results) -> Results:
    """Each expected test's outcome; one in a module that failed to import errs."""
    found = {}
    for test_id in expected:
        module = test_id.split("::")[0]
        result = results.get(test_id) or results.get(module)
        found[test_id] = dict(result or {"outcome": "error", "reason": "not run"})
    return found


# --- Reporting --------------------------------------------------------------


def row(name: str, part: str, counts: Counter[str]) -> str:
    return f"{name:45} {part:>4} {counts['passed']:7} {counts['total']:6}"


def table(tests: Results) -> tuple[str, dict[str, Counter[str]]]:
    """The per-section table and, per part, Counter(passed=..., total=...)."""
    per_section: dict[str, Counter[str]] = {}
    for test_id, result in tests.items():
        counts = per_section.setdefault(section_of(test_id), Counter())
        counts["total"] += 1
        counts["passed"] += result["outcome"] in PASSED
    rows = [f"{'section':45} {'part':>4} {'passed':>7} {'total':>6}"]
    per_part: dict[str, Counter[str]] = {}
    for section in sorted(per_section, key=lambda s: (PARTS.get(s, ""), s)):
        part = PARTS.get(section, "--")
        per_part.setdefault(part, Counter()).update(per_section[section])
        rows.append(row(section, part, per_section[section]))
    rows += [row(f"part {part}", "", c) for part, c in sorted(per_part.items())]
    rows.append(row("total", "", sum(per_part.values(), Counter())))
    return "\n".join(rows), per_part


def failures(tests: Results) -> list[str]:
    return [
        f"{test_id}  {result['outcome'].upper()}: {result['reason'][:200]}"
        for test_id, result in tests.items()
        if result["outcome"] not in PASSED
    ]


def below_floor(per_part: dict[str, Counter[str]], floors: dict[str, int]) -> list[str]:
    return [
        f"part {part}: {per_part[part]['passed']} passed, the floor is {floor}"
        for part, floor in sorted(floors.items())
        if part in per_part and per_part[part]["passed"] < floor
    ]


# --- The command ------------------------------------------------------------


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(
        description="Run FastAPI's own tutorial tests against a chapter's package. "
        "Options it does not know go to pytest (-k EXPR, -x, -n 2, ...).",
    )
    parser.add_argument("--target", help="a chapter folder (default: the last one)")
    parser.add_argument("--package", default="nanoapi", help="the package's name")
    parser.add_argument("--baseline", action="store_true", help="the real FastAPI")
    parser.add_argument(
        "--part", action="append", choices=["09", "10", "11", "all"], help="default all"
    )
    parser.add_argument("--floor", type=int, help="fail below N passed in all")
    parser.add_argument("--floor-file", help='JSON {"09": N, ...}: fail below them')
    parser.add_argument(
        "-v", "--list-failures", action="store_true", help="each failure and why"
    )
    parser.add_argument("--json", metavar="OUT", help="write each test's outcome")
    parser.add_argument("--cache", help="default $NANOAPI_DROPIN_CACHE or ~/.cache")
    return parser.parse_known_args(argv)


def last_chapter() -> Path:
    return sorted(ROOT.glob("chapters/[0-9][0-9]_*/"))[-1]


def problems(
    options: argparse.Namespace, tests: Results, per_part: dict[str, Counter[str]]
) -> list[str]:
    """Why the run fails: a floor not reached, or the real FastAPI failing."""
    floors = {}
    if options.floor_file:
        floors = json.loads(Path(options.floor_file).read_text())
    found = below_floor(per_part, floors)
    total = sum(counts["passed"] for counts in per_part.values())
    if options.floor is not None and total < options.floor:
        found.append(f"{total} passed in all, the floor is {options.floor}")
    if options.baseline and failures(tests):
        found.append("the real FastAPI must pass every selected test")
    return found


def main(argv: list[str] | None = None) -> int:
    options, pytest_args = parse(sys.argv[1:] if argv is None else argv)
    chosen = options.part or ["all"]
    parts = ["09", "10", "11"] if "all" in chosen else sorted(set(chosen))
    target = Path(options.target).resolve() if options.target else last_chapter()
    if not (target / options.package / "__init__.py").is_file():
        raise SystemExit(f"no package {options.package!r} in {target}")
    started, cache = time.monotonic(), cache_dir(options.cache)
    sdist(cache)
    python = venv(cache)
    args = [*selection_args(parts), *pytest_args]
    expected = expected_ids(python, cache, args)
    under_test = None if options.baseline else target
    name = f"the real FastAPI {FASTAPI}" if under_test is None else target.name
    say(f"running {len(expected)} tests of part {'+'.join(parts)} against {name}")
    results = run_pytest(python, cache, args, under_test, options.package)
    tests = outcomes(expected, results)
    if options.list_failures:
        print("\n".join(failures(tests)))
    report, per_part = table(tests)
    print(report)
    xfailed = sum(result["outcome"] == "xfailed" for result in tests.values())
    if xfailed:
        print(f"({xfailed} of those passed: expected failures, marked xfail)")
    for path, why in LEFT_OUT.items():
        print(f"left out: {TUTORIAL}/{path}: {why}")
    say(f"{time.monotonic() - started:.0f} s; pytest's output: {cache}/last-run.log")
    if options.json:
        document = {"fastapi": FASTAPI, "target": name, "parts": parts}
        document["tests"] = [{"id": k, **v} for k, v in tests.items()]
        Path(options.json).write_text(json.dumps(document, indent=1) + "\n")
    found = problems(options, tests, per_part)
    for problem in found:
        print(f"FAILED: {problem}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
