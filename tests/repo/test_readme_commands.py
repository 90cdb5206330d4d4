"""Every command a README shows is exercised here, or allowlisted with a reason.

Where the commands are (README.md and every chapter's README):

* ```console blocks: a line starting with `$ ` is a command; the lines after it,
  up to the next `$ ` line, are its output as the README shows it;
* ```bash and ```sh blocks: every line is a command, except blank lines and
  comment lines; these blocks show no output;
* README.md's tables whose last column is `run`: every code span in that column.

A command goes on over the next lines while it ends with `\\` or leaves a quote
open. A trailing `# comment` is bash's: it runs along and changes nothing.

How each command is exercised, in the order of the checks below:

* ALLOWLIST: commands that cannot run inside a test (they write the repository,
  or are the suite itself); each entry names the test or CI step that runs them,
  or, for chapter 08's wrk measurement, says why nothing reruns it.
* server commands (uvicorn, hypercorn, granian, `python tools/workshop.py lab`,
  and chapter 08's `python -m nanoapi APP`, after a `cd DIR &&` or not) start
  as written, from
  the repository root, on a free port of 127.0.0.1 (8000 replaced, or
  `--host`/`--port` added), and are always stopped: SIGTERM to their process
  group, SIGKILL after 10 s. Commands that talk to 127.0.0.1:8000 (curl) run in bash,
  in README order, against the last server command before them in their README.
  The output is compared with the README's: each line the README shows must come,
  in order, in the real output; `...` in a line matches any text, and a line
  that is only `...` stands for lines left out. A server command with no such
  command after it must answer `GET /` (JupyterLab: list the notebooks).
  `workshop.py lab` gets no `--allow-root` from here: run as root, it must add
  it itself. hypercorn and granian are maintainer tools: without them (the
  attendee's install) their commands skip, saying so.
* pytest commands run as written but only collect (PYTEST_ADDOPTS): running the
  tests is the suite's own job, while what the README promises, which chapter's
  package each test runs against, is in the collected test ids.
* `python tools/chapters.py start NN` runs as written in a scratch root shaped
  like the repository (it writes `workspace/`); `check NN` then runs there
  in-process up to the pytest it would start, whose arguments must be
  `tests/NN_slug --target=workspace/NN_slug`.
* every other command (tools/*.py, diff, `python -m nanoapi --help`) runs as
  written from the repository root (SHORTENED ones with a few options added),
  with a timeout, its output compared like a curl's, as printed 80 columns
  wide (argparse wraps its help to COLUMNS); `diff` may exit 1 (it found
  differences) but must print them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import ROOT, all_chapters
from maintainer import need

# Every chapter's README, chapter 08's included: its server, `python -m nanoapi`,
# is one of SERVERS below, and its --help a plain command (see `kind`).
READMES = [ROOT / "README.md", *sorted(ROOT.glob("chapters/*/README.md"))]
BIN = str(Path(sys.executable).parent)  # python, pytest, uvicorn... of this venv
TIMEOUT = 60

ALLOWLIST = {
    r"python3 -m venv \.venv && \. \.venv/bin/activate && "
    r"pip install -r requirements\.txt && python tools/workshop\.py lab": (
        "tools/install_size.py (which .ci/run runs) makes a fresh virtualenv and "
        "installs requirements.txt into it, as this does; `python tools/workshop.py "
        "lab` alone is started below (test_server_commands)"
    ),
    r"pip install -r requirements-dev\.txt": (
        ".ci/run installs requirements-dev.txt into its fresh virtualenv"
    ),
    r"python tools/notebooks\.py check --strict": (
        ".ci/run runs it (`python tools/notebooks.py check` runs below, and "
        "tests/repo/test_saved_work.py runs both on a learner's saved notebook)"
    ),
    r"python tools/workshop\.py fresh( \d\d)?": (
        "writes notebooks/ and workspace/: tests/repo/test_saved_work.py runs it "
        "in a fresh clone whose notebook 01 was run and saved"
    ),
    r"python tools/install_size\.py": (
        "about a minute (a fresh virtualenv): .ci/run runs it with --limit 330"
    ),
    r"python tools/diagrams\.py( --install)?": (
        ".ci/run runs both (they need npm and Chromium, and about 15 s); "
        "tests/repo/test_diagrams.py tests the tool on a broken diagram"
    ),
    r"pytest( -m slow| && pytest -m slow)?": (
        "the whole suite, this file included: .ci/run's last steps run both "
        "(tests/repo/test_slow_marker.py proves what each of them selects)"
    ),
    r"pytest tests/planted": (
        ".ci/run runs it in its own step (a pytest or a kernel per planted "
        "mistake, a few minutes)"
    ),
    r"ruff check \. && ruff format --check \.": ".ci/run runs both",
    r"python tools/notebooks\.py build": (
        "writes notebooks/: tests/repo/test_notebooks.py builds in a scratch copy "
        "(test_build_pairs_cleans_and_generates) and proves the committed files "
        "are what it writes (test_the_build_would_change_nothing)"
    ),
    r"python tools/chapters\.py carry \d\d": (
        "writes the later chapters: tests/repo/test_tools.py::"
        "test_carry_applies_a_fix_to_every_later_chapter runs it in a scratch repo"
    ),
    r"python tools/dropin\.py( .*)?": (
        ".ci/run runs it (--baseline, then the last chapter against its floor): "
        "it downloads FastAPI's sdist and makes a virtualenv, about a minute the "
        "first time; tests/repo/test_dropin.py checks its parts offline"
    ),
    r"(cd chapters/08_server && )?taskset -c \d (python -m nanoapi|wrk) .*": (
        "chapter 08's measurement: it needs wrk (not in requirements.txt), two "
        "idle cores and 10 s of load per run; nothing here or in CI reruns it. "
        "The figures are the README's own table, measured once as it says "
        "(3 interleaved runs each, the median kept); the server without taskset "
        "is started above (test_server_commands)"
    ),
}
SHORTENED = {
    # about a minute as written; one short round still checks every answer first
    "python tools/benchmark.py": (
        "--rounds 1 --requests 20 --no-plot --skip http --skip ws"
    ),
}
SERVERS = (
    "uvicorn",
    "hypercorn",
    "granian",
    "jupyter lab",
    "python tools/workshop.py lab",
    "python -m nanoapi ",
)
MAINTAINER_SERVERS = ("hypercorn", "granian")  # requirements-dev.txt
MAINTAINER_TESTS = {  # test files that skip whole without a maintainer tool
    "tests/07_openapi/test_browser.py": "playwright",
    "tests/07_openapi/test_schemathesis.py": "schemathesis",
}


# --- Finding the commands ---------------------------------------------------------


@dataclass(frozen=True)
class Command:
    readme: str  # relative to the repository root
    line: int
    text: str  # as written, continuation lines included
    output: tuple[str, ...] | None  # what a console block shows after it

    @property
    def bare(self) -> str:
        """The command without its comment and environment, on one line."""
        words = shlex.split(self.text.replace("\\\n", " "), comments=True)
        while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
            words.pop(0)
        return " ".join(words)

    @property
    def written(self) -> str:
        """The command as written, without a trailing comment."""
        return (
            re.sub(r"\s+#(\s.*)?$", "", self.text)
            if "\n" not in self.text
            else self.text
        )

    @property
    def where(self) -> str:
        return f"{self.readme}:{self.line}: {self.text}"


def is_complete(text: str) -> bool:
    if text.endswith("\\"):
        return False
    try:
        shlex.split(text, comments=True)
    except ValueError:  # an open quote: the command goes on
        return False
    return True


def block_commands(lang: str, lines: list[str], start: int) -> Iterator[tuple]:
    """(line number, command, output lines or None) of one fenced block."""
    i = 0
    while i < len(lines):
        line = lines[i]
        if lang == "console" and not line.startswith("$ "):
            i += 1
            continue
        if lang != "console" and (not line.strip() or line.lstrip().startswith("#")):
            i += 1
            continue
        first, text = i, line.removeprefix("$ ") if lang == "console" else line
        while not is_complete(text) and i + 1 < len(lines):
            i += 1
            text += "\n" + lines[i]
        i += 1
        output = None
        if lang == "console":
            end = next(
                (j for j in range(i, len(lines)) if lines[j].startswith("$ ")),
                len(lines),
            )
            output, i = tuple(lines[i:end]), end
        yield start + first + 1, text, output


def table_commands(lines: list[str]) -> Iterator[tuple[int, str]]:
    """Code spans in the last column of tables whose header ends with `run |`."""
    in_table = False
    for number, line in enumerate(lines, 1):
        if re.match(r"^\|.*\|\s*run\s*\|\s*$", line):
            in_table = True
        elif not line.startswith("|"):
            in_table = False
        elif in_table and not set(line) <= set("|- "):
            last = line.rstrip().rstrip("|").rsplit("|", 1)[-1]
            for span in re.findall(r"`([^`]+)`", last):
                yield number, span


def readme_commands(readme: Path, root: Path = ROOT) -> list[Command]:
    name = str(readme.relative_to(root))
    lines = readme.read_text().splitlines()
    found, i = [], 0
    while i < len(lines):
        opening = re.match(r"^( *)```(\w*)\s*$", lines[i])  # in a list: indented
        if not opening:
            i += 1
            continue
        indent, lang = opening.groups()
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
        block = [line.removeprefix(indent) for line in lines[i + 1 : end]]
        if lang in ("console", "bash", "sh"):
            for number, text, output in block_commands(lang, block, i + 1):
                found.append(Command(name, number, text, output))
        i = end + 1
    if readme.parent == root:
        found += [Command(name, n, text, None) for n, text in table_commands(lines)]
    return found


COMMANDS = [command for readme in READMES for command in readme_commands(readme)]


# --- What kind each command is ------------------------------------------------------


def program(command: Command) -> str:
    return command.bare.split(" ")[0] if command.bare else ""


def launched(command: Command) -> str:
    """The bare command after a leading `cd DIR &&`, if any."""
    return re.sub(r"^cd \S+ && ", "", command.bare)


def allowlisted(command: Command) -> str | None:
    return next((p for p in ALLOWLIST if re.fullmatch(p, command.bare)), None)


def kind(command: Command) -> str:
    if allowlisted(command):
        return "allowlisted"
    if command.bare == "python -m nanoapi --help":
        return "tool"
    if launched(command).startswith(SERVERS):
        return "server"
    if "127.0.0.1:8000" in command.text:
        return "client"
    if program(command) == "pytest":
        return "pytest"
    if re.fullmatch(r"python tools/chapters\.py (start|check) \d\d", command.bare):
        return "learner"
    if program(command) == "diff" or re.match(r"python tools/\w+\.py", command.bare):
        return "tool"  # a plain command, run from the repository root
    return "unknown"


def of_kind(name: str) -> list[Command]:
    return [c for c in COMMANDS if kind(c) == name]


def unique(commands: list[Command]) -> list[Command]:
    seen: dict[str, Command] = {}
    for command in commands:
        seen.setdefault(command.written, command)
    return list(seen.values())


def ids(commands: list[Command]) -> list[str]:
    return [c.written for c in commands]


# --- Running them -------------------------------------------------------------------


def environment(**extra: str) -> dict[str, str]:
    """This venv's programs first; nothing of the pytest run we are inside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
    return {**env, **extra}


def bash(text: str, cwd: Path = ROOT, timeout: float = TIMEOUT, **env: str):
    return subprocess.run(
        ["bash", "-c", text],
        cwd=cwd,
        env=environment(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def on_port(text: str, port: int) -> str:
    return text.replace("127.0.0.1:8000", f"127.0.0.1:{port}")


def server_text(command: Command, port: int) -> str:
    """The server command as written, on `port` of 127.0.0.1 only."""
    text = command.written
    if "8000" in text:
        assert "127.0.0.1" in text, f"{command.where}: listen on 127.0.0.1 only"
        return text.replace("8000", str(port))
    if "jupyter lab" in text or "workshop.py lab" in text:
        # `jupyter lab` as written needs --allow-root as root; `workshop.py lab`
        # must add it by itself, so it gets none from here
        root = " --allow-root" if os.geteuid() == 0 and "jupyter" in text else ""
        return (
            f"{text} --no-browser --ip 127.0.0.1 --port {port}"
            f" --IdentityProvider.token={root}"
        )
    return f"{text} --host 127.0.0.1 --port {port}"


@contextmanager
def serving(command: Command) -> Iterator[int]:
    """Run a server command on a free port; yield the port; always stop it."""
    port = free_port()
    with tempfile.TemporaryDirectory() as scratch, tempfile.TemporaryFile("w+") as log:
        jupyter = {f"JUPYTER_{d}_DIR": f"{scratch}/{d}" for d in ("CONFIG", "DATA")}
        process = subprocess.Popen(
            ["bash", "-c", server_text(command, port)],
            cwd=ROOT,
            env=environment(JUPYTER_RUNTIME_DIR=f"{scratch}/runtime", **jupyter),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    raise AssertionError(f"{command.where}: exited\n{log.read()}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, f"{command.where}: no port"
                    time.sleep(0.05)
            yield port
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def line_pattern(shown: str) -> re.Pattern:
    return re.compile(".*?".join(map(re.escape, shown.split("..."))))


def shows(expected: tuple[str, ...], actual: str) -> str | None:
    """Why `actual` is not what the README shows, or None when it is."""
    lines = [line.rstrip() for line in actual.replace("\r", "").splitlines()]
    position = 0
    for shown in expected:
        if shown.strip() == "...":
            continue
        pattern = line_pattern(shown.rstrip())
        found = next(
            (i for i in range(position, len(lines)) if pattern.fullmatch(lines[i])),
            None,
        )
        if found is None:
            return f"the README shows {shown!r}, which the real output lacks"
        position = found + 1
    return None


def sessions() -> dict[Command | None, list[Command]]:
    """Each server command (once), with the commands that talk to it, in order.

    Commands with no server command before them in their README are under None.
    """
    found: dict[str | None, tuple[Command | None, list[Command]]] = {None: (None, [])}
    current: dict[str, str] = {}
    for command in COMMANDS:
        if kind(command) == "server":
            key = server_text(command, 8000)
            found.setdefault(key, (command, []))
            current[command.readme] = key
        elif kind(command) == "client":
            found[current.get(command.readme)][1].append(command)
    return dict(found.values())


SESSIONS = sessions()
ORPHANS = SESSIONS.pop(None)


def probe(server: Command, port: int) -> None:
    """A server with no README command after it must still answer."""
    jupyter = "jupyter" in server.text or "workshop.py lab" in server.text
    path = "/api/contents/notebooks" if jupyter else "/"
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
        assert r.status == 200, f"{server.where}: GET {path} answered {r.status}"
        body = r.read()
    if jupyter:
        listed = {item["name"] for item in json.loads(body)["content"]}
        notebooks = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
        assert notebooks and notebooks <= listed, f"jupyter lab lists {listed}"


RECORDER = """
import json, os

def pytest_collection_finish(session):
    with open(os.environ["COLLECTED_IDS"], "w") as ids:
        json.dump([item.nodeid for item in session.items], ids)
"""


def collected_by(command: Command, scratch: Path) -> list[str]:
    """The ids of the tests a pytest command would run, collected only.

    PYTEST_ADDOPTS turns collection-only on, and a small plugin writes the ids
    down, whatever the command's own options (such as -q) print. Plugins are
    not loaded automatically, which saves seconds; the suite's own are named.
    """
    (scratch / "recorder").mkdir()
    (scratch / "recorder" / "collected_ids.py").write_text(RECORDER)
    ids_file = scratch / "ids.json"
    result = bash(
        command.text,
        PYTHONPATH=str(scratch / "recorder"),
        COLLECTED_IDS=str(ids_file),
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        PYTEST_ADDOPTS="-p collected_ids -p xdist.plugin -p anyio.pytest_plugin "
        "--collect-only -n 0",
    )
    assert result.returncode == 0, f"{command.where}\n{result.stdout[-3000:]}"
    found = json.loads(ids_file.read_text())
    assert found, f"{command.where}: collected nothing\n{result.stdout[-3000:]}"
    return found


def chapters_in(test_ids: list[str]) -> set[str]:
    return {m for i in test_ids for m in re.findall(r"\[(ch\d\d|target)", i)}


# --- The checks ---------------------------------------------------------------------


def test_every_command_is_exercised():
    assert len(COMMANDS) > 20, "the READMEs' commands were not found"
    unknown = [c.where for c in COMMANDS if kind(c) == "unknown"]
    assert not unknown, (
        "these README commands are neither run by this file nor allowlisted; run "
        "them in one of its checks, or add an ALLOWLIST entry naming the test or CI "
        "step that runs them:\n" + "\n".join(unknown)
    )
    orphans = [c.where for c in ORPHANS]
    assert not orphans, f"no server command comes before these: {orphans}"
    used = {allowlisted(c) for c in COMMANDS}
    stale = [p for p in ALLOWLIST if p not in used]
    assert not stale, f"ALLOWLIST entries no README command needs any more: {stale}"


def test_console_outputs_belong_to_commands_that_run_here():
    silent = [
        c.where
        for c in COMMANDS
        if c.output
        and any(line.strip() for line in c.output)
        and kind(c) not in ("client", "tool")
    ]
    assert not silent, f"outputs shown but never compared: {silent}"


@pytest.mark.slow
@pytest.mark.parametrize("server", list(SESSIONS), ids=ids(list(SESSIONS)))
def test_server_commands(server):
    program = launched(server).split()[0]
    if program in MAINTAINER_SERVERS:
        need(program)
    clients = SESSIONS[server]
    with serving(server) as port:
        if not clients:
            probe(server, port)
        problems = []
        for client in clients:
            result = bash(on_port(client.text, port))
            if result.returncode != 0:
                problems.append(f"{client.where}\nexited {result.returncode}")
                continue
            expected = tuple(on_port(line, port) for line in client.output or ())
            why = shows(expected, result.stdout)
            if why:
                problems.append(f"{client.where}\n{why}; it printed:\n{result.stdout}")
    assert not problems, "\n\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize(
    "command", unique(of_kind("pytest")), ids=ids(unique(of_kind("pytest")))
)
def test_pytest_commands(command, tmp_path):
    for path, module in MAINTAINER_TESTS.items():
        if path in command.bare.split():
            need(module)  # else the file collects nothing, as it should
    test_ids = collected_by(command, tmp_path)
    words = command.bare.split()
    if "--chapter" in words and words[words.index("--chapter") + 1] == "all":
        first = re.search(r"tests/(\d\d)_", command.bare)[1]
        wanted = {f"ch{c.number}" for c in all_chapters() if c.number >= first}
        assert chapters_in(test_ids) == wanted, command.where
    else:
        for test_id in test_ids:
            folder = re.match(r"tests/(\d\d)_", test_id)[1]
            assert chapters_in([test_id]) <= {f"ch{folder}"}, (
                f"{command.where}: the README says a chapter's tests run against that "
                f"chapter only, but {test_id} ran against another"
            )


def scratch_root(tmp_path: Path) -> Path:
    """The repository's layout, with its own tools/chapters.py and workspace/."""
    (tmp_path / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "chapters.py", tmp_path / "tools")
    for shared in ("chapters", "tests"):
        (tmp_path / shared).symlink_to(ROOT / shared)
    return tmp_path


def dry_run(command: Command, root: Path) -> list[str]:
    """Run a `tools/chapters.py check` command in-process, up to its pytest.

    Returns the pytest arguments it would run. `pytest tests/NN_slug` itself is
    collected by test_pytest_commands, and a real `check` (failing on the
    previous chapter's package, passing on the finished one) is
    tests/repo/test_tools.py::test_learner_mode_judges_a_package_by_the_chapter_tests.
    """
    spec = importlib.util.spec_from_file_location(
        "scratch_chapters", root / "tools" / "chapters.py"
    )
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    started = []

    def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
        started.append(list(args))
        return subprocess.CompletedProcess(args, 0)

    tool.run = run
    assert tool.main(shlex.split(command.bare)[2:]) == 0, command.where
    assert len(started) == 1, f"{command.where}: started {started}"
    return started[0]


@pytest.mark.slow
@pytest.mark.parametrize("number", sorted({c.bare[-2:] for c in of_kind("learner")}))
def test_learner_mode_commands(number, tmp_path):
    root = scratch_root(tmp_path)
    commands = [c for c in of_kind("learner") if c.bare.endswith(number)]
    start = [c for c in commands if " start " in c.bare]
    check = [c for c in commands if " check " in c.bare]
    assert start and check, f"chapter {number}: the README shows start and check"
    chapter = next(c for c in all_chapters() if c.number == number)
    result = bash(start[0].text, cwd=root)
    assert result.returncode == 0, f"{start[0].where}\n{result.stdout}"
    package = root / "workspace" / chapter.slug / "nanoapi"
    assert (package / "__init__.py").is_file(), f"{start[0].where}: no {package}"
    assert f"python tools/chapters.py check {number}" in result.stdout
    pytest_args = dry_run(check[0], root)
    target = root / "workspace" / chapter.slug
    assert pytest_args == [
        sys.executable,
        "-m",
        "pytest",
        f"tests/{chapter.slug}",
        f"--target={target}",
    ], f"{check[0].where}: would run {pytest_args}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "command", unique(of_kind("tool")), ids=ids(unique(of_kind("tool")))
)
def test_tool_commands(command):
    text = command.text
    if command.bare in SHORTENED:
        text = f"{command.written} {SHORTENED[command.bare]}"
    result = bash(text, COLUMNS="80")
    allowed = (0, 1) if program(command) == "diff" or " diff " in command.bare else (0,)
    assert result.returncode in allowed, f"{command.where}\n{result.stdout[-3000:]}"
    assert result.stdout.strip(), f"{command.where}: printed nothing"
    if command.bare == "python tools/chapters.py list":
        assert result.stdout.split() == [c.slug for c in all_chapters()]
    why = shows(command.output or (), result.stdout)
    assert not why, f"{command.where}\n{why}; it printed:\n{result.stdout}"


# --- The machinery itself -----------------------------------------------------------


def test_commands_are_found_in_each_kind_of_block(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        "```bash\n# a comment\nuvicorn app:app   # serve\n\npytest \\\n  -q\n```\n"
        "```console\n$ curl -s 127.0.0.1:8000/ -d '\nx'\nhi\n...\n$ echo\n```\n"
        "```python\nprint('not a command')\n```\n"
        "- a list item:\n\n  ```sh\n  ls -l  # indented\n  ```\n"
    )
    commands = readme_commands(readme, root=tmp_path)
    found = [(c.text, c.output) for c in commands]
    assert found == [
        ("uvicorn app:app   # serve", None),
        ("pytest \\\n  -q", None),
        ("curl -s 127.0.0.1:8000/ -d '\nx'", ("hi", "...")),
        ("echo", ()),
        ("ls -l  # indented", None),
    ]
    assert [c.bare for c in commands][:2] == ["uvicorn app:app", "pytest -q"]


def test_shown_output_is_matched_line_by_line_in_order():
    actual = "HTTP/1.1 200 OK\r\ndate: Mon\r\nserver: uvicorn\r\n\r\nHello"
    assert shows(("HTTP/1.1 200 OK", "date: ...", "", "Hello"), actual) is None
    assert shows(("HTTP/1.1 200 OK", "...", "Hello"), actual) is None
    assert shows(("Hello", "HTTP/1.1 200 OK"), actual) is not None
    assert shows(("HTTP/1.1 404 Not Found",), actual) is not None
    assert shows(("Hell",), actual) is not None, "a line matches whole"


def test_no_readme_points_outside_the_repository():
    mentions = [
        f"{readme.relative_to(ROOT)}:{number}: {line.strip()}"
        for readme in READMES
        for number, line in enumerate(readme.read_text().splitlines(), 1)
        if "../shared" in line
    ]
    assert mentions == [], "a clone has no ../shared: point inside the repository"
    outside = [
        c.where
        for c in COMMANDS
        if not launched(c).startswith("cd ")
        and any(word.startswith("../") for word in c.bare.split())
    ]
    assert outside == [], "README commands run from the repository root"
