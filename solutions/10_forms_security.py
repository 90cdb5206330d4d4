# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 10 Forms, files and security
#
# Every body so far was JSON. Browsers send two other formats: an HTML form
# is sent **urlencoded** (`name=Ada+Lovelace&tag=a&tag=b`), and a form with
# a file as **multipart** (parts cut by a boundary, each with headers of its
# own). A framework reads both with a **streaming parser**, one piece of the
# body at a time, so that a 50 MB upload never sits in memory whole.
#
# The second half of the chapter is security, and it needs nothing new:
# **security is just dependencies**. `OAuth2PasswordBearer`, `HTTPBasic` or
# an API key are callable instances (chapter 06) that read a credential from
# the request and answer 401 without one. What makes them special is that
# they also describe themselves, so the OpenAPI document (chapter 07) gains
# `securitySchemes`, and `/docs` an **Authorize** button.
#
# You will build four pieces:
#
# 1. `parse_form`: a urlencoded body, parsed by hand (`+`, `%XX`, repeated
#    keys);
# 2. `PartCollector`: python-multipart's streaming parser, fed a multipart
#    body piece by piece, its fields collected and its files written to
#    spooled temporary files;
# 3. `APIKeyAuth`: an API-key scheme, a callable class that answers 401 or
#    403 and shows in the OpenAPI document;
# 4. `current_user`: a check of OAuth2 scopes with `SecurityScopes`.
#
# The finished pieces are in `chapters/10_forms_security/nanoapi/`:
# `formparsers.py` (`parse_urlencoded`, `MultipartReader`),
# `security/` (`SecurityBase`, `APIKeyHeader`, `OAuth2PasswordBearer`) and
# `openapi/utils.py` (`security_requirements`); read them after you have
# written yours.

# %%
import pathlib
import sys

# The repository's tools/ and this chapter's package, found from notebooks/
# (or from workspace/notebooks/, where `tools/workshop.py fresh` keeps copies)
here = pathlib.Path.cwd().resolve()
repo = next(p for p in here.parents if (p / "tools/workshop.py").exists())
sys.path[:0] = [str(repo / "tools"), str(repo / "chapters/10_forms_security")]
from workshop import check, uses_exercise

from nanoapi import Depends, FastAPI, HTTPException, Request, Security, UploadFile
from nanoapi.formparsers import FormLimits, parse_multipart, parse_urlencoded
from nanoapi.security import OAuth2PasswordBearer, SecurityScopes
from nanoapi.security.base import SecurityBase
from nanoapi.testclient import TestClient

import inspect
import json
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from typing import Annotated
from urllib.parse import parse_qsl

import fastapi
import fastapi.security
import httpx
import python_multipart
from python_multipart.multipart import parse_options_header

# %% [markdown]
# ## The chapter's app, seen from a client
#
# `chapters/10_forms_security/app.py` is chapter 09's notes service behind
# OAuth2's password flow: `POST /token` takes a **form** with a user name and
# a password and answers a bearer token; `GET /users/me` and the writing
# routes need that token in an `Authorization: Bearer ...` header; a note can
# take an attachment, uploaded as multipart. httpx sends a form with
# `data=` and files with `files=`.

# %%
from app import app as demo

client = httpx.AsyncClient(transport=httpx.ASGITransport(app=demo), base_url="http://test")

response = await client.get("/users/me")
print("no token:      ", response.status_code, response.json(), response.headers.get("www-authenticate"))
response = await client.post("/token", json={"username": "ada", "password": "lovelace"})
print("JSON login:    ", response.status_code, [e["loc"] for e in response.json()["detail"]])
response = await client.post("/token", data={"username": "ada", "password": "lovelace"})
print("form login:    ", response.status_code, response.json())
auth = {"Authorization": f"Bearer {response.json()['access_token']}"}
response = await client.get("/users/me", headers=auth)
print("with the token:", response.status_code, response.json())
response = await client.post(
    "/notes/1/attachment",
    headers=auth,
    data={"caption": "the shopping list"},
    files={"file": ("list.txt", b"milk\neggs\ntea\n", "text/plain")},
)
print("upload:        ", response.status_code, response.json())

# %% [markdown]
# The login sent as JSON is missing both fields: the password flow reads a
# form, and a JSON body is not one. Here are the two formats as httpx writes
# them (the same bytes a browser sends):

# %%
form = httpx.Request("POST", "http://test/", data={"name": "Ada Lovelace", "q": "tea & café", "tag": ["a", "b"]})
print(form.headers["content-type"])
print(form.read())
print()
upload = httpx.Request(
    "POST",
    "http://test/",
    data={"caption": "a mug"},
    files={"file": ("note.txt", b"hello", "text/plain")},
)
print(upload.headers["content-type"])
print(upload.read().decode())

# %% [markdown]
# ## A urlencoded body
#
# The urlencoded format is a query string in the body. Pairs are separated by
# `&`, a name from its value by the first `=`. A space is written `+`, and a
# byte that could be misread (or is not ASCII) is `%` and two hex digits:
# `%26` is a literal `&`, `%2B` a literal `+`, `%3D` a literal `=`, and `é`,
# two bytes in UTF-8, is `%C3%A9`. A key may come several times (`tag=a&tag=b`):
# a `list[str]` form field takes all of its values, a `str` field the last.
#
# ### Exercise 1: parse a form by hand
#
# Write `unescape(raw)` and `parse_form(body)`, without `urllib.parse`:
#
# - `parse_form(body)` returns the `(name, value)` pairs of a urlencoded
#   body, in order, repeats kept. Split on `&` and skip empty pieces
#   (`a=1&&b=2&`); split each piece at its **first** `=` (`k=v=w` is
#   `("k", "v=w")`); a piece without `=` is a name with the value `""`.
#   Split first, decode afterwards: `%26` inside a value must not split it.
# - `unescape(raw)` decodes one name or value: `+` becomes a space **before**
#   the `%XX` escapes are decoded (so `%2B` stays a `+`); each `%` followed by
#   two hex digits becomes that byte; a `%` that is not (`100%`, `%zz`) stays
#   as it is. The bytes you get are UTF-8 text: decode them with
#   `errors="replace"`, so that bytes that are not UTF-8 (`%FF`) become `�`
#   instead of an error.
#
# The check compares your pairs with the package's parser (python-multipart's
# `QuerystringParser`, `parse_urlencoded` in `formparsers.py`) and with
# `urllib.parse.parse_qsl` on some tricky bodies.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `name, _, value = piece.partition(b"=")` splits at the first `=`, and
# gives an empty value when there is none. In `unescape`, work on bytes: after
# `raw.replace(b"+", b" ")`, walk with an index `i`; when `raw[i:i + 1] ==
# b"%"` and `raw[i + 1:i + 3]` is two characters of `b"0123456789abcdefABCDEF"`,
# append `int(raw[i + 1:i + 3], 16)` to a `bytearray` and move on by 3, else
# append `raw[i]` and move on by 1. Then
# `bytes(out).decode("utf-8", errors="replace")`.
#
# </details>

# %%
def unescape(raw: bytes) -> str:
    ### BEGIN SOLUTION
    raw = raw.replace(b"+", b" ")
    out = bytearray()
    i = 0
    while i < len(raw):
        digits = raw[i + 1 : i + 3]
        if raw[i : i + 1] == b"%" and len(digits) == 2 and all(d in b"0123456789abcdefABCDEF" for d in digits):
            out.append(int(digits, 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return bytes(out).decode("utf-8", errors="replace")
    ### END SOLUTION


def parse_form(body: bytes) -> list[tuple[str, str]]:
    ### BEGIN SOLUTION
    pairs = []
    for piece in body.split(b"&"):
        if not piece:
            continue
        name, _, value = piece.partition(b"=")
        pairs.append((unescape(name), unescape(value)))
    return pairs
    ### END SOLUTION


# %%
async def pieces(body: bytes, size: int | None = None):
    """The body as a server's receive() delivers it: `size` bytes at a time."""
    size = size or max(len(body), 1)
    for start in range(0, len(body), size):
        yield body[start : start + size]


FORMS = [
    b"name=Ada+Lovelace&lang=en",
    b"tag=a&tag=b&tag=c",
    b"q=caf%C3%A9+%26+cr%C3%A8me&empty=&flag",
    b"math=1%2B1%3D2&k=v=w",
    b"a=1&&b=2&",
    b"pct=100%25&odd=50%&bad=%zz&%3D=%3d",
    b"sp%20ace=a%20b+c&bytes=%FF%FE",
    b"",
    form.read(),
]

# %%
with check("Exercise 1: parse_form reads urlencoded bodies as the package's parser does"):
    for body in FORMS:
        answer = parse_form(body)
        expected = (await parse_urlencoded(pieces(body), FormLimits())).multi_items()
        assert answer == expected, f"{body!r}: expected {expected}, got {answer}"
        assert answer == parse_qsl(body.decode("ascii"), keep_blank_values=True), body

# %% [markdown]
# The package does not split the body itself: the body arrives in pieces, and
# a pair may be cut anywhere, even inside a `%XX`. python-multipart's
# `QuerystringParser` is a **state machine**: you `write` each piece as it
# comes, and it calls you back as it recognises things, with the bytes of
# each piece (`data[start:end]`), so a name cut in two comes in two calls. The
# package's callbacks add the pieces up, check the size limits, and decode a
# pair with your `unescape`'s job at `on_field_end`, once it is whole.

# %%
def logger(name):
    def callback(*args):
        print(f"    {name:15}", repr(args[0][args[1] : args[2]]) if args else "")

    return callback


names = ["on_field_start", "on_field_name", "on_field_data", "on_field_end", "on_end"]
parser = python_multipart.QuerystringParser({name: logger(name) for name in names})
for chunk in [b"name=Ada+Lo", b"velace&ta", b"g=a&tag=%C3", b"%A9"]:
    print("write", chunk)
    parser.write(chunk)
print("finalize")
parser.finalize()

# %% [markdown]
# ## A multipart body
#
# A form with a file is cut into **parts** by a **boundary**, a string the
# client chose so that it appears nowhere in the data, announced in the
# content type: `multipart/form-data; boundary=...`. Each part starts with
# headers of its own; `Content-Disposition` names the field (`name`) and,
# for a file, its `filename`. Nothing says how long a part is: the parser
# finds its end by looking for the next boundary, and a boundary may begin in
# one piece of the body and end in the next. python-multipart's
# `MultipartParser` handles that, and calls back:
#
# - `on_part_begin()`, at each new part;
# - `on_header_field(data, start, end)` and `on_header_value(...)`, with
#   pieces of a header's name and value, then `on_header_end()` once a header
#   is whole;
# - `on_headers_finished()`, when the part's headers are all there: the
#   moment to decide whether the part is a text field or a file;
# - `on_part_data(data, start, end)`, with pieces of the part's content;
# - `on_part_end()`.
#
# Here are the calls for the upload above, fed 40 bytes at a time:

# %%
body, content_type = upload.read(), upload.headers["content-type"]
_, options = parse_options_header(content_type)
print("boundary:", options[b"boundary"])
names = [
    "on_part_begin", "on_header_field", "on_header_value", "on_header_end",
    "on_headers_finished", "on_part_data", "on_part_end", "on_end",
]  # fmt: skip
parser = python_multipart.MultipartParser(options[b"boundary"], {name: logger(name) for name in names})
for start in range(0, len(body), 40):
    parser.write(body[start : start + 40])
parser.finalize()

# %% [markdown]
# ### Exercise 2: collect the parts as they stream by
#
# `PartCollector` below feeds a body to a `MultipartParser` and already
# collects each part's headers (`self.part.headers`, names lowercased). Write
# its three other callbacks:
#
# - `on_headers_finished`: read `self.part.headers["content-disposition"]`
#   with `parse_options_header`, which returns the disposition and its
#   options as bytes (`b"form-data"`, `{b"name": b"file", b"filename":
#   b"note.txt"}`). Set `self.part.name` (decoded as UTF-8). A part with a
#   `filename` is a file: set `self.part.filename`, and give it a
#   `SpooledTemporaryFile(max_size=SPOOL_SIZE)` in `self.part.file`;
# - `on_part_data`: a file's bytes are written to its temporary file **as
#   they come** (a 50 MB upload must never be in memory whole); a text
#   field's bytes are added to `self.part.data`;
# - `on_part_end`: rewind the part's file, if it has one (`seek(0)`), so
#   that it can be read from the start, and append the part to `self.parts`.
#
# A `SpooledTemporaryFile` keeps its bytes in memory up to `max_size`, then
# moves them to a real temporary file on disk: small uploads cost no disk,
# large ones no memory. The check feeds bodies to your collector in pieces of
# 1 byte up to the whole body, compares what you collected with the package's
# `parse_multipart`, checks that a 3 MB file went to disk, and that half-way
# through the body, half of that file is already in it.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `_, options = parse_options_header(self.part.headers["content-disposition"])`,
# then `options[b"name"].decode()`; `if b"filename" in options:` for a file.
# In `on_part_data`, the piece is `data[start:end]`: `self.part.file.write(...)`
# when `self.part.file is not None`, else `self.part.data += ...`. A new `Part()`
# is made by `on_part_begin` for each part, so `on_part_end` can append
# `self.part` itself.
#
# </details>

# %%
SPOOL_SIZE = 1024 * 1024  # a file's bytes stay in memory up to 1 MB, then go to disk


@dataclass
class Part:
    name: str = ""
    filename: str | None = None  # set for a file
    headers: dict[str, str] = field(default_factory=dict)
    data: bytearray = field(default_factory=bytearray)  # a text field's bytes
    file: SpooledTemporaryFile | None = None  # a file's bytes


class PartCollector:
    """Collects the parts that python-multipart finds in a multipart body."""

    def __init__(self, boundary: bytes) -> None:
        self.parts: list[Part] = []
        self.part = Part()
        self.header_name, self.header_value = b"", b""
        callbacks = {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }
        self.parser = python_multipart.MultipartParser(boundary, callbacks)

    def feed(self, chunks) -> list[Part]:
        """Every piece of the body in turn, then the end of it."""
        for chunk in chunks:
            self.parser.write(chunk)
        self.parser.finalize()
        return self.parts

    def on_part_begin(self) -> None:
        self.part = Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        name = self.header_name.decode("latin-1").lower()
        self.part.headers[name] = self.header_value.decode("latin-1")
        self.header_name, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        ### BEGIN SOLUTION
        _, options = parse_options_header(self.part.headers["content-disposition"])
        self.part.name = options[b"name"].decode()
        if b"filename" in options:
            self.part.filename = options[b"filename"].decode()
            self.part.file = SpooledTemporaryFile(max_size=SPOOL_SIZE)
        ### END SOLUTION

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        ### BEGIN SOLUTION
        if self.part.file is not None:
            self.part.file.write(data[start:end])
        else:
            self.part.data += data[start:end]
        ### END SOLUTION

    def on_part_end(self) -> None:
        ### BEGIN SOLUTION
        if self.part.file is not None:
            self.part.file.seek(0)
        self.parts.append(self.part)
        ### END SOLUTION


# %%
def multipart(data: dict, files: dict) -> tuple[bytes, str]:
    """A multipart body as httpx writes it, and its content type."""
    request = httpx.Request("POST", "http://test/", data=data, files=files)
    return request.read(), request.headers["content-type"]


SMALL = multipart(
    {"caption": "a mug & a pot", "tags": ["kitchen", "café"]},
    {"note": ("note.txt", b"milk\r\n--not a boundary\r\n", "text/plain")},
)
# What a browser sends for a file input left empty: a file part with `filename=""`
# (httpx leaves an empty filename out, so this one is written by hand).
NO_FILE_CHOSEN = (
    b'--B\r\nContent-Disposition: form-data; name="caption"\r\n\r\nno file\r\n'
    b'--B\r\nContent-Disposition: form-data; name="file"; filename=""\r\n'
    b"Content-Type: application/octet-stream\r\n\r\n\r\n--B--\r\n",
    "multipart/form-data; boundary=B",
)
BIG = multipart({"caption": "three megabytes"}, {"file": ("big.bin", bytes(range(256)) * 12288, "application/octet-stream")})


async def compare(body: bytes, content_type: str, size: int) -> list[Part]:
    """Your collector's parts against the package's form, for one chunk size."""
    _, options = parse_options_header(content_type)
    parts = PartCollector(options[b"boundary"]).feed(
        body[start : start + size] for start in range(0, len(body), size)
    )
    form = await parse_multipart(content_type, pieces(body, size), FormLimits())
    expected = form.multi_items()
    assert len(parts) == len(expected), f"expected {len(expected)} parts, got {len(parts)}"
    for part, (name, value) in zip(parts, expected):
        assert part.name == name, f"expected the part named {name!r}, got {part.name!r}"
        if isinstance(value, str):
            assert part.file is None, f"{name!r} is a text field, but your part has a file"
            assert part.data.decode() == value, f"{name!r}: expected {value!r}, got {bytes(part.data)!r}"
            continue
        assert part.file is not None, f"{name!r} is a file ({value.filename!r}), but your part has no file"
        assert part.filename == value.filename, f"{name!r}: expected filename {value.filename!r}, got {part.filename!r}"
        assert not part.data, f"{name!r}: a file's bytes belong in part.file, not in part.data"
        assert part.file.read() == await value.read(), f"{name!r}: the file holds other bytes (was it rewound?)"
        assert part.headers.get("content-type") == value.content_type
    await form.close()
    return parts


def halfway(body: bytes, content_type: str, size: int = 64 * 1024) -> Part:
    """The part being read once the first half of the body is fed, in pieces."""
    _, options = parse_options_header(content_type)
    collector = PartCollector(options[b"boundary"])
    for start in range(0, len(body) // 2, size):
        collector.parser.write(body[start : min(start + size, len(body) // 2)])
    return collector.part


# %%
with check("Exercise 2: PartCollector collects fields and files, in any size of pieces"):
    for size in (1, 7, 100, len(SMALL[0])):
        await compare(*SMALL, size)
    for size in (7, len(NO_FILE_CHOSEN[0])):
        await compare(*NO_FILE_CHOSEN, size)
    for size in (64 * 1024, len(BIG[0])):
        parts = await compare(*BIG, size)
        big = parts[-1].file
        assert big._rolled, "a 3 MB file should have moved to disk: is its SpooledTemporaryFile's max_size SPOOL_SIZE?"
        big.close()
    part = halfway(*BIG)  # half-way through the 3 MB file: 1.5 MB of it came by
    assert part.file is not None and not part.data, "a file's bytes belong in part.file, not in part.data"
    written = part.file.tell()
    part.file.close()
    assert written > 1024 * 1024, (
        f"half-way through a 3 MB file, only {written} bytes are in its file: write each piece as it comes"
    )

# %% [markdown]
# That is `MultipartReader` in `formparsers.py`, with three more duties:
#
# - **Limits.** Every size the client chooses has a cap: at most 1,000 fields
#   and 1,000 files, a text part of at most 1 MB (a file has none: it goes
#   to disk), and python-multipart's own caps on a part's headers (8 lines of
#   about 4 KB). Breaking one is a 400 that says what was broken; so is a body
#   that does not follow its boundary, or a part without a name.
# - **No blocking.** The callbacks run inside `parser.write()`, a plain
#   function, and cannot `await`. Writing to a temporary file that has moved
#   to disk may block, and a blocked event loop stops every other request. So
#   the package only *queues* a file's bytes in `on_part_data` and writes them
#   in a worker thread after each piece (`UploadFile.write`).
# - **Nothing left open.** On any error every file opened so far is closed,
#   and after the response the request's exit stack (chapter 06) closes the
#   form's files: their temporary files are removed.
#
# The demo's answers to a few hostile bodies, the same as FastAPI's:

# %%
def as_multipart(raw: bytes) -> dict:
    return {"content": raw, "headers": {**auth, "content-type": "multipart/form-data; boundary=B"}}


file_part = b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhi\r\n'
HOSTILE = {
    "no boundary": {"content": b"x", "headers": {**auth, "content-type": "multipart/form-data"}},
    "1,001 files": as_multipart(file_part * 1001 + b"--B--\r\n"),
    "a 2 MB text part": as_multipart(
        b'--B\r\nContent-Disposition: form-data; name="caption"\r\n\r\n' + b"x" * 2**21 + b"\r\n--B--\r\n"
    ),
    "9 headers in a part": as_multipart(b"--B\r\n" + b"X-A: 1\r\n" * 8 + file_part[5:] + b"--B--\r\n"),
    "a part without a name": as_multipart(b'--B\r\nContent-Disposition: form-data\r\n\r\nhi\r\n--B--\r\n'),
    "another boundary": as_multipart(file_part.replace(b"--B", b"--C") + b"--C--\r\n"),
    "cut short": as_multipart(file_part[:-10]),
    "text for a file": as_multipart(b'--B\r\nContent-Disposition: form-data; name="file"\r\n\r\nhi\r\n--B--\r\n'),
}
for name, options in HOSTILE.items():
    response = await client.post("/notes/1/attachment", **options)
    print(f"{name:22} {response.status_code} {response.text[:110]}")

# %% [markdown]
# "cut short" is not a 400: the part that never ended is dropped (its file
# closed), and the form lacks the field, a 422. And the files are closed
# after the response, whatever the handler did:

# %%
kept = []
app = FastAPI()


@app.post("/keep")
async def keep(file: UploadFile):
    kept.append(file)
    return {"size": len(await file.read()), "closed in the handler": file.file.closed}


with TestClient(app) as test_client:
    print(test_client.post("/keep", files={"file": ("a.txt", b"hello")}).json())
print("closed after the response:", kept[0].file.closed)

# %% [markdown]
# ## Security is just dependencies
#
# A security scheme is an instance of a class from `nanoapi.security`, and
# the instance is a dependency: the framework calls it with the request.
# `OAuth2PasswordBearer` reads `Authorization: Bearer <token>` and hands over
# the token; without one it raises a 401 with a `WWW-Authenticate` header,
# which RFC 9110 requires on every 401 (it tells the client how to
# authenticate). Called by hand:

# %%
def request_with(headers: dict[str, str]) -> Request:
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": raw})


oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")
print("token:", await oauth2_scheme(request_with({"Authorization": "Bearer abc123"})))
for headers in ({}, {"Authorization": "Basic YWRhOmxvdmVsYWNl"}):
    try:
        await oauth2_scheme(request_with(headers))
    except HTTPException as error:
        print(headers, "->", error.status_code, error.detail, error.headers)

# %% [markdown]
# A plain function could read that header too. What it could not do is
# **describe itself**. Each scheme carries `model`, its OpenAPI description,
# and `scheme_name`. When the document is built, `security_requirements`
# (`openapi/utils.py`) looks for instances of `SecurityBase` in each route's
# dependency tree: their models go to `components.securitySchemes`, their
# names to the operation's `security`. Here are both ways side by side:

# %%
def bearer_token(authorization: Annotated[str, fastapi.Header()]) -> str:  # a plain dependency
    return authorization.removeprefix("Bearer ")


def build_pair(api, token_dependency):
    app = api.FastAPI()

    @app.get("/me")
    def me(token: Annotated[str, api.Depends(token_dependency)]):
        return {"token": token}

    return app


for label, document in [
    ("a plain function", build_pair(fastapi, bearer_token).openapi()),
    ("a security scheme", build_pair(fastapi, fastapi.security.OAuth2PasswordBearer(tokenUrl="token")).openapi()),
    ("ours", build_pair(sys.modules["nanoapi"], oauth2_scheme).openapi()),
]:
    operation = document["paths"]["/me"]["get"]
    print(f"{label}:")
    print("   parameters:     ", json.dumps(operation.get("parameters")))
    print("   security:       ", json.dumps(operation.get("security")))
    print("   securitySchemes:", json.dumps(document.get("components", {}).get("securitySchemes")))

# %% [markdown]
# The plain function documents an ordinary header parameter, and `/docs`
# shows a text box for it. The scheme documents a **security scheme**:
# Swagger UI shows an **Authorize** button; for the password flow it asks for
# a user name and password, posts them as a form to `tokenUrl`, keeps the
# token it gets, and sends it with every operation whose `security` names the
# scheme. The whole base class of every scheme:

# %%
print(inspect.getsource(SecurityBase))

# %% [markdown]
# ### Exercise 3: an API-key scheme
#
# Many APIs give each client a key to send in a header. Write `APIKeyAuth`, a
# scheme for a key in the header `name`, whose known keys are the dict
# `keys` (key -> client name):
#
# - `__init__` gives the scheme its OpenAPI description, as a `SecurityBase`:
#   `self.model` is `{"type": "apiKey", "in": "header", "name": name}`, with
#   `"description": description` too when one is given, and
#   `self.scheme_name` is the class's name, `"APIKeyAuth"`. Keep `name` and
#   `keys` for `__call__`.
# - `__call__(request)` reads the header:
#   - **missing** (or empty): a **401** `{"detail": "Not authenticated"}`
#     with the challenge `WWW-Authenticate: APIKey`: "tell me who you are";
#   - a key that is **not** in `keys`: a **403** `{"detail": "Invalid API
#     key"}`: "you sent a credential, and it grants nothing" (RFC 9110's 403:
#     the client should not repeat the request with the same credentials);
#   - else the client's name, which is what the handler receives.
#
# The check serves it and compares the document with the one FastAPI writes
# for its own `APIKeyHeader`.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `self.describe(model, scheme_name, auto_error)` (in `SecurityBase` above)
# sets all three attributes and drops the keys whose value is `None`; with
# `scheme_name=None` the name is the class's. Or set `self.model` and
# `self.scheme_name = type(self).__name__` yourself. In `__call__`,
# `request.headers.get(self.name)`, and `raise HTTPException(401, "Not
# authenticated", headers={"WWW-Authenticate": "APIKey"})`.
#
# </details>

# %%
class APIKeyAuth(SecurityBase):
    """An API key in a header: 401 without one, 403 for a key we do not know."""

    def __init__(self, name: str, keys: dict[str, str], description: str | None = None) -> None:
        ### BEGIN SOLUTION
        self.name, self.keys = name, keys
        model = {"type": "apiKey", "in": "header", "name": name, "description": description}
        self.describe(model, scheme_name=None, auto_error=True)
        ### END SOLUTION

    async def __call__(self, request: Request) -> str:
        ### BEGIN SOLUTION
        key = request.headers.get(self.name)
        if not key:
            raise HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": "APIKey"})
        if key not in self.keys:
            raise HTTPException(403, "Invalid API key")
        return self.keys[key]
        ### END SOLUTION


# %%
KEYS = {"k-ada-2024": "ada", "k-bot-7": "reporting bot"}
DESCRIPTION = "Ask the admin for a key."


def build_reports(api, scheme):
    app = api.FastAPI(title="Reports")

    @app.get("/reports")
    def reports(client: Annotated[str, api.Depends(scheme)]):
        return {"client": client}

    return app


# %%
with check("Exercise 3: APIKeyAuth answers 401 and 403, and documents itself as FastAPI's APIKeyHeader"):
    app = build_reports(sys.modules["nanoapi"], APIKeyAuth("x-api-key", KEYS, DESCRIPTION))
    with TestClient(app) as test_client:
        for headers, status, body, challenge in [
            ({}, 401, {"detail": "Not authenticated"}, "APIKey"),
            ({"x-api-key": ""}, 401, {"detail": "Not authenticated"}, "APIKey"),
            ({"x-api-key": "k-eve-1"}, 403, {"detail": "Invalid API key"}, None),
            ({"x-api-key": "k-ada-2024"}, 200, {"client": "ada"}, None),
            ({"X-API-Key": "k-bot-7"}, 200, {"client": "reporting bot"}, None),
        ]:
            r = test_client.get("/reports", headers=headers)
            found = (r.status_code, r.json(), r.headers.get("www-authenticate"))
            assert found == (status, body, challenge), f"with {headers}: expected {(status, body, challenge)}, got {found}"
    theirs = fastapi.security.APIKeyHeader(name="x-api-key", scheme_name="APIKeyAuth", description=DESCRIPTION)
    expected, document = build_reports(fastapi, theirs).openapi(), app.openapi()
    for key in ("components", "paths"):
        assert document.get(key) == expected[key], (
            f"the document's {key} should be {json.dumps(expected[key])}, got {json.dumps(document.get(key))}"
        )
    plain = build_reports(sys.modules["nanoapi"], APIKeyAuth("x-api-key", KEYS)).openapi()
    assert "description" not in plain["components"]["securitySchemes"]["APIKeyAuth"], "no description: no key"

# %%
with uses_exercise(3):
    document = build_reports(sys.modules["nanoapi"], APIKeyAuth("x-api-key", KEYS, DESCRIPTION)).openapi()
    print(json.dumps(document["components"], indent=2))
    print("security of GET /reports:", document["paths"]["/reports"]["get"]["security"])

# %% [markdown]
# In `/docs`, that scheme is an **Authorize** button with one box, the key,
# which Swagger UI then sends in `x-api-key` with every "Try it out" of
# `/reports`. The package's `APIKeyHeader`, `APIKeyQuery` and `APIKeyCookie`
# (`security/api_key.py`) are your class with the check of the key left to
# the application, and `auto_error=False` to hand over `None` instead of the
# 401.
#
# ## Scopes: `Security()` and `SecurityScopes`
#
# An OAuth2 token can grant **scopes**: named permissions such as
# `notes:read`. An endpoint asks for the scopes it needs with
# `Security(dependency, scopes=[...])`, which is `Depends` plus a list. A
# dependency that declares a `SecurityScopes` parameter receives every scope
# asked of it on the way down the tree, those of the dependants that use it
# included, collected at registration. Here is what a dependency hears,
# asked in three ways, on FastAPI and on ours:

# %%
def build_scopes(api):
    security = sys.modules[f"{api.__name__}.security"]

    def granted(security_scopes: security.SecurityScopes) -> str:
        return security_scopes.scope_str

    def editor(scopes: Annotated[str, api.Security(granted, scopes=["notes:write"])]) -> str:
        return scopes

    app = api.FastAPI()

    @app.get("/plain")
    def plain(scopes: Annotated[str, api.Depends(granted)]):
        return scopes

    @app.get("/read")
    def read(scopes: Annotated[str, api.Security(granted, scopes=["notes:read"])]):
        return scopes

    @app.get("/edit")
    def edit(scopes: Annotated[str, api.Security(editor, scopes=["notes:read"])]):
        return scopes

    return app


import nanoapi.security  # noqa: E402  (sys.modules["nanoapi.security"] above)

for api in (fastapi, sys.modules["nanoapi"]):
    with TestClient(build_scopes(api)) as test_client:
        print(f"{api.__name__:8}", {path: test_client.get(path).json() for path in ("/plain", "/read", "/edit")})

# %% [markdown]
# The scopes are the application's to check: the framework only collects
# them (and writes them in the document). Checking means two different
# refusals:
#
# - **401**, "who are you?": no token, or a token we do not know (RFC 6750
#   calls it `invalid_token`). The client should log in (again).
# - **403**, "I know who you are, and no": a good token without a scope
#   the endpoint needs (RFC 6750: `insufficient_scope`). Logging in again
#   changes nothing; the challenge says which scopes were needed.
#
# (FastAPI's tutorial answers both with 401; RFC 6750 asks for the 403.)
#
# ### Exercise 4: a scope check
#
# Write `current_user(security_scopes, token)`, the dependency behind the
# routes below. `USERS` maps a token to the user's name and the scopes the
# token grants:
#
# - a token not in `USERS`: **401** `{"detail": "Could not validate
#   credentials"}` with `WWW-Authenticate: Bearer`;
# - a scope in `security_scopes.scopes` that the token does not grant:
#   **403** `{"detail": "Not enough permissions"}`, with
#   `WWW-Authenticate: Bearer error="insufficient_scope", scope="<the scopes
#   asked, space-separated>"` (that is `security_scopes.scope_str`);
# - else the user's name.
#
# (No token at all never reaches you: `oauth2` answers its 401 first.)

# %% [markdown]
# <details><summary>Hint</summary>
#
# `name, granted = USERS[token]` once you know the token is there. The
# scopes asked are a list: `[s for s in security_scopes.scopes if s not in
# granted]` are those missing. The challenge:
# `f'Bearer error="insufficient_scope", scope="{security_scopes.scope_str}"'`,
# passed as `headers={"WWW-Authenticate": ...}` to `HTTPException`.
#
# </details>

# %%
USERS = {
    "t-ada": ("ada", {"notes:read", "notes:write"}),
    "t-bot": ("bot", {"notes:read"}),
    "t-eve": ("eve", set()),
}
oauth2 = OAuth2PasswordBearer(tokenUrl="token", scopes={"notes:read": "Read notes", "notes:write": "Write notes"})


def current_user(security_scopes: SecurityScopes, token: Annotated[str, Depends(oauth2)]) -> str:
    ### BEGIN SOLUTION
    if token not in USERS:
        raise HTTPException(401, "Could not validate credentials", headers={"WWW-Authenticate": "Bearer"})
    name, granted = USERS[token]
    if any(scope not in granted for scope in security_scopes.scopes):
        challenge = f'Bearer error="insufficient_scope", scope="{security_scopes.scope_str}"'
        raise HTTPException(403, "Not enough permissions", headers={"WWW-Authenticate": challenge})
    return name
    ### END SOLUTION


# %%
notes = FastAPI(title="Notes")
NOTES = {1: "buy milk"}


def editor(user: Annotated[str, Security(current_user, scopes=["notes:write"])]) -> str:
    return user


@notes.get("/me")
def me(user: Annotated[str, Security(current_user)]):
    return {"user": user}


@notes.get("/notes")
def list_notes(user: Annotated[str, Security(current_user, scopes=["notes:read"])]):
    return {"user": user, "notes": NOTES}


@notes.post("/notes", status_code=201)
def add_note(text: str, user: Annotated[str, Security(current_user, scopes=["notes:write"])]):
    return {"user": user, "text": text}


@notes.delete("/notes/{note_id}")
def delete_note(note_id: int, user: Annotated[str, Security(editor, scopes=["notes:read"])]):
    return {"user": user, "deleted": note_id}


def insufficient(scopes: str) -> str:
    return f'Bearer error="insufficient_scope", scope="{scopes}"'


REFUSED = {"detail": "Not enough permissions"}
SCOPE_CASES = [
    ("GET", "/me", None, 401, {"detail": "Not authenticated"}, "Bearer"),
    ("GET", "/me", "t-mallory", 401, {"detail": "Could not validate credentials"}, "Bearer"),
    ("GET", "/me", "t-eve", 200, {"user": "eve"}, None),
    ("GET", "/notes", "t-eve", 403, REFUSED, insufficient("notes:read")),
    ("GET", "/notes", "t-bot", 200, {"user": "bot", "notes": {"1": "buy milk"}}, None),
    ("POST", "/notes?text=tea", "t-bot", 403, REFUSED, insufficient("notes:write")),
    ("POST", "/notes?text=tea", "t-ada", 201, {"user": "ada", "text": "tea"}, None),
    ("DELETE", "/notes/1", "t-bot", 403, REFUSED, insufficient("notes:read notes:write")),
    ("DELETE", "/notes/1", "t-ada", 200, {"user": "ada", "deleted": 1}, None),
]

# %%
with check("Exercise 4: current_user answers 401 for an unknown token, 403 for a missing scope"):
    with TestClient(notes) as test_client:
        for method, url, token, status, body, challenge in SCOPE_CASES:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            r = test_client.request(method, url, headers=headers)
            found = (r.status_code, r.json(), r.headers.get("www-authenticate"))
            assert found == (status, body, challenge), (
                f"{method} {url} with {token}: expected {(status, body, challenge)}, got {found}"
            )

# %% [markdown]
# The document lists, for each operation, the scheme and the scopes it
# needs, the scopes of the whole tree under it (`DELETE` asks `notes:read`
# itself and `notes:write` through `editor`), and the scheme's flow with the
# scopes it offers: in `/docs`, the Authorize dialog has a box to tick for
# each.

# %%
document = notes.openapi()
for path, item in document["paths"].items():
    for method, operation in item.items():
        print(f"{method.upper():6} {path:18} {operation['security']}")
print(json.dumps(document["components"]["securitySchemes"], indent=2))

# %% [markdown]
# ## Read the real thing
#
# - Starlette, `formparsers.py`: `FormParser` and `MultiPartParser` (the
#   same callbacks, the queue of file data written after each piece, the
#   files closed on an error); `datastructures.py`: `UploadFile` (which
#   skips the worker thread while the file is still in memory) and
#   `FormData`; `requests.py`: `Request.form()` and `close()`.
# - FastAPI, `security/`: `api_key.py`, `http.py`, `oauth2.py` (with
#   `SecurityScopes`); `openapi/utils.py`: `_get_openapi_security_definitions`;
#   `dependencies/utils.py`: `_extract_form_body` and `request_body_to_args`.
# - python-multipart, `multipart.py`: `QuerystringParser` and
#   `MultipartParser` (states, `write`, `finalize`), `parse_options_header`.
# - FastAPI's documentation: "Form Data", "Request Files", "Security - First
#   Steps", "OAuth2 scopes". RFC 7578 (`multipart/form-data`), RFC 9110 (401,
#   403, `WWW-Authenticate`), RFC 6750 (bearer tokens, `insufficient_scope`).
