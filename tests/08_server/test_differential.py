"""Chapter 08: the same raw bytes to uvicorn and to our server, same answers.

Both serve the same raw ASGI app (`apps/raw.py`); uvicorn runs with
`--http h11`, the parser we use too. For each case we compare what a client
relies on: the status codes, how each body is framed (a length, chunks, or
closing), the body bytes, and whether the server hung up afterwards. Headers
a server adds on its own (`date`, `server`) are left out: they differ by design.
"""

import pytest
from wire import serve

pytestmark = pytest.mark.slow

HOST = b"Host: x\r\n"
ALL = "status, framing, body, hang-up"
# Answers a server writes itself, not the app: uvicorn sends its 500 chunked
# and its 400 until-close, we give both a length. The bytes are the same.
NO_FRAMING = "status, body, hang-up"
# A request the server refuses: uvicorn says 400 with its own text; we say
# 400, or 431 when the head is too large (RFC 6585 has a status for that).
REFUSED = "4xx, hang-up"

CASES = {
    "GET, kept alive": (b"GET / HTTP/1.1\r\n" + HOST + b"\r\n", ["GET"], ALL),
    "HTTP/1.0 GET": (b"GET / HTTP/1.0\r\n\r\n", ["GET"], ALL),
    "HTTP/1.0, no length": (b"GET /chunked HTTP/1.0\r\n\r\n", ["GET"], ALL),
    "HEAD": (b"HEAD / HTTP/1.1\r\n" + HOST + b"\r\n", ["HEAD"], ALL),
    "HEAD, no length": (b"HEAD /chunked HTTP/1.1\r\n" + HOST + b"\r\n", ["HEAD"], ALL),
    "chunked response": (b"GET /chunked HTTP/1.1\r\n" + HOST + b"\r\n", ["GET"], ALL),
    "chunked request body": (
        b"POST /echo HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n6\r\n there\r\n0\r\n\r\n",
        ["POST"],
        ALL,
    ),
    "body the app ignores": (
        b"POST / HTTP/1.1\r\n" + HOST + b"Content-Length: 5\r\n\r\nhello",
        ["POST"],
        ALL,
    ),
    "connection: close": (
        b"GET / HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n",
        ["GET"],
        ALL,
    ),
    "pipelined pair": (
        b"GET /slow?seconds=0.2 HTTP/1.1\r\n" + HOST + b"\r\n"
        b"POST /echo HTTP/1.1\r\n" + HOST + b"Content-Length: 2\r\n\r\nhi",
        ["GET", "POST"],
        ALL,
    ),
    "app raises": (
        b"GET /raise-before HTTP/1.1\r\n" + HOST + b"\r\n",
        ["GET"],
        NO_FRAMING,
    ),
    "app sends nothing": (
        b"GET /no-response HTTP/1.1\r\n" + HOST + b"\r\n",
        ["GET"],
        NO_FRAMING,
    ),
    "malformed header line": (
        b"GET / HTTP/1.1\r\n" + HOST + b"no colon here\r\n\r\n",
        ["GET"],
        REFUSED,
    ),
    "missing Host": (b"GET / HTTP/1.1\r\n\r\n", ["GET"], REFUSED),
    "head over 16 KiB, unfinished": (
        b"GET / HTTP/1.1\r\n" + HOST + b"X-Big: " + b"a" * 20_000,
        ["GET"],
        REFUSED,
    ),
}


@pytest.fixture(scope="module")
def servers():
    with serve(server="uvicorn") as uvicorn, serve() as ours:
        yield {"uvicorn": uvicorn, "nanoapi": ours}


def observe(server, data: bytes, methods: list[str]):
    with server.wire() as wire:
        wire.send(data)
        return [wire.answer(method) for method in methods], wire.hung_up()


def summary(observed, compare: str) -> list:
    answers, hung_up = observed
    if compare == REFUSED:
        return [[a.status // 100 == 4 for a in answers], hung_up]
    if compare == NO_FRAMING:
        return [[(a.status, a.body) for a in answers], hung_up]
    return [[(a.status, a.framing, a.body) for a in answers], hung_up]


@pytest.mark.parametrize("case", CASES)
def test_same_answer_as_uvicorn(servers, case):
    data, methods, compare = CASES[case]
    ours = summary(observe(servers["nanoapi"], data, methods), compare)
    theirs = summary(observe(servers["uvicorn"], data, methods), compare)
    assert ours == theirs


def test_we_refuse_heads_that_uvicorn_accepts(servers):
    """h11 limits only a head still incomplete, and uvicorn counts no headers:
    a 20 KB head that arrives at once, or 150 headers, get through. We check the
    finished head too, so the limits hold however the bytes arrive."""
    big = b"GET / HTTP/1.1\r\n" + HOST + b"X-Big: " + b"a" * 20_000 + b"\r\n\r\n"
    many = b"GET / HTTP/1.1\r\n" + HOST + b"X-N: v\r\n" * 150 + b"\r\n"
    for data in (big, many):
        assert observe(servers["uvicorn"], data, ["GET"])[0][0].status == 200
        answers, hung_up = observe(servers["nanoapi"], data, ["GET"])
        assert (answers[0].status, hung_up) == (431, True)


def test_we_hang_up_when_an_announced_body_never_came(servers):
    """The client said `Expect: 100-continue`; the app answered without reading
    the body, so no `100 Continue` went out and the client may never send the
    body. uvicorn keeps reading it, and takes the first five bytes of the next
    request as that body (then answers 400). We close the connection instead."""
    data = b"POST / HTTP/1.1\r\n" + HOST + b"Content-Length: 5\r\n"
    data += b"Expect: 100-continue\r\n\r\n"
    theirs = observe(servers["uvicorn"], data, ["POST"])
    ours = observe(servers["nanoapi"], data, ["POST"])
    assert theirs[0][0].status == ours[0][0].status == 200
    assert ours[1] is True
