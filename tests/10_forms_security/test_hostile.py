"""Chapter 10: hostile forms get FastAPI's answer, and leave nothing open.

Thousands of fields or files, endless or huge part headers, wrong or missing
boundaries, bodies cut short, names that are not UTF-8, a file where text is
expected and text where a file is: each body is written byte by byte
(tests/formbodies.py) and sent to the same app on FastAPI and on ours; status,
body and headers must match, and ours never answers 5xx. Then what could
leak: every temporary file of an upload is closed when the handler raises,
when the body is cut short, when a limit is broken and when the client hangs
up, which shows as no file descriptor left open and no "unclosed file"
warning when the garbage is collected.
"""

import os
import warnings
from typing import Annotated

import pytest
from asgitest import http_scope
from formbodies import BOUNDARY, multipart, part, request
from oracle import ask, compare, fastapi_namespace, package_namespace

pytestmark = pytest.mark.anyio
URLENCODED = "application/x-www-form-urlencoded"
BIG = 3 * 1024 * 1024  # past the 1 MB spool: the file goes to disk, an fd is open


def build(api, seen=None):
    """`seen` collects every UploadFile a handler got, to check it is closed."""
    seen = [] if seen is None else seen
    app = api.App()

    @app.post("/fields")
    def fields(name: Annotated[str, api.Form()] = "none"):
        return {"name": name}

    @app.post("/upload")
    async def upload(file: api.UploadFile, name: Annotated[str, api.Form()] = ""):
        seen.append(file)
        return {"filename": file.filename, "size": file.size, "name": name}

    @app.post("/files")
    def files(files: Annotated[list[api.UploadFile], api.File()] = []):  # noqa: B006
        seen.extend(files)
        return {"files": len(files)}

    @app.post("/raises")
    async def raises(file: api.UploadFile):
        seen.append(file)
        raise RuntimeError("the handler failed")

    @app.post("/refuses")
    async def refuses(file: api.UploadFile):
        seen.append(file)
        raise api.HTTPException(418, detail="not this file")

    @app.post("/raw")
    async def raw(request: api.Request):  # the handler reads the form itself
        form = await request.form(max_part_size=100, max_fields=2, max_files=1)
        seen.extend(v for v in form.values() if not isinstance(v, str))
        return {k: v if isinstance(v, str) else v.filename for k, v in form.items()}

    return app


def urlencoded(url: str, body: bytes) -> dict:
    return {
        "method": "POST",
        "url": url,
        "content": body,
        "headers": {"content-type": URLENCODED},
    }


def headers(count: int, size: int = 1) -> bytes:
    """`count` more header lines for a part, each with a value of `size` bytes."""
    return b"".join(b"X-%d: %s\r\n" % (i, b"v" * size) for i in range(count))


def raw_part(*lines: bytes) -> bytes:
    """A multipart body of one part whose header lines are given as they are."""
    dash = b"--" + BOUNDARY.encode()
    return dash + b"\r\n" + b"\r\n".join(lines) + b"\r\n\r\nx\r\n" + dash + b"--\r\n"


def with_boundary(url: str, boundary: str) -> dict:
    return request(url, multipart(part("name", "x"), boundary=boundary), boundary)


def text(name: str | bytes = "name", value: str | bytes = "x", **options) -> bytes:
    return multipart(part(name, value, **options))


FIELDS_1000 = multipart(*[part(f"f{i}", "v") for i in range(1000)])
FIELDS_1001 = multipart(*[part(f"f{i}", "v") for i in range(1001)])
FILES_1000 = multipart(*[part("files", "v", filename="f") for i in range(1000)])
FILES_1001 = multipart(*[part("files", "v", filename="f") for i in range(1001)])
ONE_FILE = multipart(part("file", b"x" * 5000, filename="a.txt"))
CLOSING = b"--" + BOUNDARY.encode() + b"--\r\n"
DISPOSITION = b"Content-Disposition: form-data"
MIXED = "multipart/mixed; boundary=in"
HOSTILE = {
    "1000 fields": request("/fields", FIELDS_1000),
    "1001 fields": request("/fields", FIELDS_1001),
    "1001 urlencoded fields": urlencoded("/fields", b"&".join([b"f=v"] * 1001)),
    "1000 files": request("/files", FILES_1000),
    "1001 files": request("/files", FILES_1001),
    "a field over 1 MB": request("/fields", text(value=b"x" * (2**20 + 1))),
    "an urlencoded field over 1 MB": urlencoded("/fields", b"name=" + b"x" * 2**20),
    "8 headers in a part": request("/fields", text(extra=headers(7))),
    "9 headers in a part": request("/fields", text(extra=headers(8))),
    "endless headers": request(
        "/upload", text("file", filename="f", extra=headers(10**5))
    ),
    "a header line of 4 KB": request("/fields", text(extra=headers(1, 4000))),
    "a header line of 2 MB": request("/fields", text(extra=headers(1, 2**21))),
    "a header name of 2 MB": request("/fields", raw_part(b"X" * 2**21 + b": v")),
    "a header without a colon": request("/fields", raw_part(b"Content-Disposition x")),
    "a header with a bad character": request("/fields", raw_part(b"X A: b")),
    "no content-disposition": request("/fields", raw_part(b"Content-Type: text/plain")),
    "a disposition without a name": request("/fields", raw_part(DISPOSITION)),
    "a quoted name with escapes": request(
        "/fields", raw_part(DISPOSITION + b'; name="na\\"me"')
    ),
    "a filename* only": request(
        "/upload", raw_part(DISPOSITION + b"; name=file; filename*=UTF-8''%e2%82%ac")
    ),
    "the wrong boundary": request(
        "/fields", multipart(part("name", "x"), boundary="b")
    ),
    "no boundary parameter": request("/fields", text(), boundary=None),
    "an empty boundary": request("/fields", text(), boundary=""),
    "a boundary of 256 bytes": with_boundary("/fields", "b" * 256),
    "a boundary of 300 bytes": with_boundary("/fields", "b" * 300),
    "a boundary never closed": request(
        "/fields", multipart(part("name", "x"), close=False)
    ),
    "a file cut short": request("/upload", ONE_FILE[:-200]),
    "cut in the headers": request("/upload", ONE_FILE[:40]),
    "cut after the first boundary": request("/upload", ONE_FILE[:25]),
    "LF line ends": request("/fields", text().replace(b"\r\n", b"\n")),
    "a preamble and an epilogue": request("/fields", b"pre\r\n" + text() + b"epilogue"),
    "binary garbage": request("/fields", bytes(range(256)) * 40),
    "a non-UTF-8 field name": request("/fields", text(b"n\xe4me")),
    "a non-UTF-8 value": request("/fields", text(value=b"caf\xe9\xff")),
    "a non-UTF-8 filename": request("/upload", text("file", filename=b"\xff\xfe.txt")),
    "non-UTF-8 urlencoded": urlencoded("/fields", b"name=caf%E9%FF&n%e4me=\xff"),
    "a NUL in a value": request("/fields", text(value=b"a\x00b")),
    "a file where text is expected": request("/fields", text(filename="f.txt")),
    "text where a file is expected": request("/upload", text("file")),
    "a multipart/mixed part": request(
        "/fields", text(value=b"--in\r\nx\r\n--in--", content_type=MIXED)
    ),
    "an empty multipart body": request("/fields", b""),
    "an empty multipart body, a file expected": request("/upload", b""),
    "only the closing boundary": request("/upload", CLOSING),
    "an empty urlencoded body": urlencoded("/fields", b""),
    # a handler that reads the form itself, with limits of its own
    "request.form(): too many fields": request("/raw", FIELDS_1000),
    "request.form(): too many files": request("/raw", FILES_1001),
    "request.form(): a part too big": request("/raw", text(value=b"x" * 101)),
    "request.form(): a header over max_part_size": request(
        "/raw", text(extra=headers(1, 200))
    ),
    "request.form(): a broken body": request("/raw", b"garbage"),
    "request.form(): a boundary of 300 bytes": with_boundary("/raw", "b" * 300),
}


@pytest.mark.parametrize("case", list(HOSTILE))
async def test_hostile_forms_get_fastapis_answer(pkg, case):
    [(theirs, ours)] = await compare(build, pkg, [HOSTILE[case]])
    assert ours.view() == theirs.view()
    assert ours.status < 500


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def nothing_left_open():
    """Fails the test if it leaves a file descriptor open, or a file for the
    garbage collector to close (Python warns "unclosed file" then). A file
    nobody closed is one or the other: still open if something (a traceback's
    frames, say) holds it, else closed by the collector, with the warning."""
    before = open_descriptors()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        yield
    unclosed = [str(w.message) for w in caught if w.category is ResourceWarning]
    assert not unclosed
    assert open_descriptors() <= before  # older garbage may have gone meanwhile


BIG_FILE = multipart(part("file", b"x" * BIG, filename="big.bin"), part("name", "n"))
BIG_PART = part("f", b"x" * BIG, filename="f")
BROKEN_PART = b"\r\n--" + BOUNDARY.encode() + b"\r\nX A: b\r\n\r\n"
LEAKY = {
    "the handler returns": request("/upload", BIG_FILE),
    "the handler raises": request("/raises", BIG_FILE),
    "the handler raises HTTPException": request("/refuses", BIG_FILE),
    "a field is invalid": request("/upload", BIG_FILE.replace(b'"name"', b'"x"')),
    "the file is cut short": request("/upload", BIG_FILE[: BIG // 2]),
    "the body is cut before the end": request("/upload", BIG_FILE[:-100]),
    "a file, then too many files": request("/raw", multipart(BIG_PART, BIG_PART)),
    "a file, then a part too big": request(
        "/raw", multipart(BIG_PART, part("g", b"y" * 101))
    ),
    "a file, then garbage": request("/upload", BIG_FILE[: BIG // 2] + BROKEN_PART),
}


async def in_pieces(body: bytes, size: int = 64 * 1024):
    """The body as a server hands it over: one `http.request` per piece. (In
    one piece, a body that breaks a rule fails before any file reaches disk.)"""
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts fds in /proc")
@pytest.mark.parametrize("case", list(LEAKY))
async def test_every_temporary_file_is_closed(pkg, case, nothing_left_open):
    seen = []
    sent = {**LEAKY[case], "content": in_pieces(LEAKY[case]["content"])}
    [answer] = await ask(build(package_namespace(pkg), seen), [sent])
    assert answer.status < 500 or case == "the handler raises", answer.body
    assert all(upload.file.closed for upload in seen)


def disconnecting_receive(chunks: list[bytes]):
    """The body's first chunks, then the client is gone."""
    incoming = [{"type": "http.request", "body": c, "more_body": True} for c in chunks]

    async def receive():
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    return receive


async def answer_to_a_hang_up(app, url: str, chunks: list[bytes], content_type: str):
    sent = []

    async def send(message):
        sent.append(message)

    headers = [(b"host", b"testserver"), (b"content-type", content_type.encode())]
    scope = http_scope("POST", url, headers=headers)
    await app(scope, disconnecting_receive(chunks), send)
    start, *bodies = sent
    return start["status"], b"".join(m.get("body", b"") for m in bodies)


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
HANG_UPS = {
    "mid-upload": ("/upload", [BIG_FILE[: BIG // 2]], MULTIPART),
    "before any byte": ("/upload", [], MULTIPART),
    "mid-urlencoded": ("/fields", [b"name=a"], URLENCODED),
}


@pytest.mark.parametrize("case", list(HANG_UPS))
async def test_a_client_that_hangs_up_mid_body_gets_fastapis_answer(
    pkg, case, nothing_left_open
):
    url, chunks, content_type = HANG_UPS[case]
    answers = []
    for api in (fastapi_namespace(), package_namespace(pkg)):
        seen = []
        answers.append(
            await answer_to_a_hang_up(build(api, seen), url, chunks, content_type)
        )
        assert not seen, "the handler must not run on half a body"
    theirs, ours = answers
    assert ours == theirs
