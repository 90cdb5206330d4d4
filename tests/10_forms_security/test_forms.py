"""Chapter 10: form fields, form models and files answer like FastAPI's.

One app, built with FastAPI and with the chapter's package, gets the same
requests: urlencoded and multipart forms, files as bytes and as UploadFiles,
fields missing, invalid or aliased, JSON where a form is expected and a form
where JSON is. Status, content type and body must match, 422 details included
(where each error is, what it got). And on our side alone: an upload goes to
its file as it comes, never held in memory whole.
"""

import tracemalloc
from typing import Annotated

import pytest
from formbodies import BOUNDARY, multipart, part, request
from oracle import ask, compare, package_namespace
from pydantic import BaseModel, Field

pytestmark = pytest.mark.anyio


class Profile(BaseModel):
    username: str = Field(min_length=2)
    age: int = 18
    tags: list[str] = []


class StrictProfile(Profile):
    model_config = {"extra": "forbid"}


class OpenProfile(Profile):
    model_config = {"extra": "allow"}


class Item(BaseModel):
    name: str


def build(api):
    app = api.App()

    @app.post("/fields")
    def fields(
        name: Annotated[str, api.Form(max_length=10)],
        age: Annotated[int, api.Form(ge=0)] = 1,
        tags: Annotated[list[str], api.Form()] = [],  # noqa: B006 (FastAPI's idiom)
        nick: Annotated[str | None, api.Form(alias="nick-name")] = None,
        scores: Annotated[list[int] | None, api.Form()] = None,
    ):
        return {"name": name, "age": age, "tags": tags, "nick": nick, "scores": scores}

    @app.post("/one")
    def one(name: Annotated[str, api.Form()]):
        return {"name": name}

    @app.post("/model")
    def model(profile: Annotated[Profile, api.Form()]):
        return profile

    @app.post("/strict")
    def strict(profile: Annotated[StrictProfile, api.Form()]):
        return profile

    @app.post("/open")
    def open_model(profile: Annotated[OpenProfile, api.Form()]):
        return profile

    @app.post("/maybe")
    def maybe(profile: Annotated[StrictProfile | None, api.Form()] = None):
        return {"profile": profile}

    @app.post("/bytes")
    def raw(file: Annotated[bytes, api.File()]):
        return {"size": len(file), "head": file[:10].decode("latin-1")}

    @app.post("/upload")
    async def upload(file: api.UploadFile):
        content = await file.read()
        return {
            "filename": file.filename,
            "content_type": file.content_type,
            "size": file.size,
            "content": content.decode("latin-1"),
        }

    @app.post("/uploads")
    async def uploads(files: list[api.UploadFile]):
        return [[f.filename, (await f.read()).decode()] for f in files]

    @app.post("/many-bytes")
    def many_bytes(files: Annotated[list[bytes], api.File()]):
        return [len(f) for f in files]

    @app.post("/optional")
    async def optional(file: api.UploadFile | None = None):
        return {"file": None if file is None else file.filename}

    @app.post("/optional-bytes")
    def optional_bytes(file: Annotated[bytes | None, api.File()] = None):
        return {"size": None if file is None else len(file)}

    @app.post("/mixed")
    async def mixed(
        file: api.UploadFile,
        token: Annotated[str, api.Form()],
        note: Annotated[bytes, api.File()],
        count: Annotated[int, api.Form()] = 0,
    ):
        return {
            "file": file.filename,
            "token": token,
            "note": note.decode(),
            "count": count,
        }

    @app.post("/json")
    def json_body(item: Item):
        return item

    @app.post("/raw")
    async def form_as_read(request: api.Request):  # the handler reads the form
        form = await request.form()
        return [
            [key, value if isinstance(value, str) else [value.filename, value.size]]
            for key, value in form.multi_items()
        ]

    return app


FILE = ("a.txt", b"hello", "text/plain")
# What a browser sends for a file input left empty (httpx leaves `filename`
# out when it is "", so these are written byte by byte):
NO_FILE_CHOSEN = part("file", b"", filename="", content_type="application/octet-stream")
NO_FILES_CHOSEN = NO_FILE_CHOSEN.replace(b'name="file"', b'name="files"')
CASES = {
    "urlencoded": ("/fields", {"data": {"name": "ada", "age": "36"}}),
    "multipart fields": ("/fields", {"files": {"name": (None, "ada")}}),
    "a list, repeated": ("/fields", {"data": {"name": "a", "tags": ["x", "y"]}}),
    "an alias": ("/fields", {"data": {"name": "a", "nick-name": "al"}}),
    "the name, not the alias": ("/fields", {"data": {"name": "a", "nick": "al"}}),
    "invalid values": ("/fields", {"data": {"name": "a" * 11, "age": "-1"}}),
    "not an int": ("/fields", {"data": {"name": "a", "age": "old"}}),
    "missing field": ("/fields", {"data": {"age": "3"}}),
    "blank field": ("/fields", {"data": {"name": "", "age": ""}}),
    "no body": ("/fields", {}),
    "a blank in a list": ("/fields", {"data": {"name": "a", "tags": ["", "x"]}}),
    "only a blank in a list": ("/fields", {"data": {"name": "a", "tags": ""}}),
    "a blank in a list of ints": (
        "/fields",
        {"data": {"name": "a", "scores": ["1", ""]}},
    ),
    "ints": ("/fields", {"data": {"name": "a", "scores": ["1", "2"]}}),
    "one field": ("/one", {"data": {"name": "solo"}}),
    "one field missing": ("/one", {"data": {"other": "x"}}),
    "json where a form is expected": ("/one", {"json": {"name": "solo"}}),
    "text where a form is expected": ("/one", {"content": b"name=solo"}),
    "a model": ("/model", {"data": {"username": "ada", "tags": ["a", "b"]}}),
    "a model, invalid": ("/model", {"data": {"username": "a", "age": "x"}}),
    "a model, missing": ("/model", {"data": {}}),
    "a model, extra allowed": ("/model", {"data": {"username": "ada", "x": "1"}}),
    "a model, extra forbidden": ("/strict", {"data": {"username": "ada", "x": "1"}}),
    "a model, multipart": ("/strict", {"files": {"username": (None, "ada")}}),
    "a model, a blank field": ("/model", {"data": {"username": "ada", "age": ""}}),
    "a model, a blank in its list": (
        "/model",
        {"data": {"username": "ada", "tags": ""}},
    ),
    "a model, a blank extra forbidden": (
        "/strict",
        {"data": {"username": "ab", "x": ""}},
    ),
    "a model, extras kept": ("/open", {"data": {"username": "ab", "x": ["1", ""]}}),
    "an optional model, not sent": ("/maybe", {"data": {}}),
    "an optional model, a blank field": ("/maybe", {"data": {"age": ""}}),
    "an optional model, a blank extra": ("/maybe", {"data": {"x": ""}}),
    "an optional model, sent": ("/maybe", {"data": {"username": "ab"}}),
    "bytes": ("/bytes", {"files": {"file": FILE}}),
    "bytes missing": ("/bytes", {"files": {"other": FILE}}),
    "bytes from a plain field": ("/bytes", {"files": {"file": (None, "plain")}}),
    "bytes urlencoded": ("/bytes", {"data": {"file": "plain"}}),
    "upload": ("/upload", {"files": {"file": FILE}}),
    "upload, no content type": ("/upload", {"files": {"file": ("b.bin", b"\x00")}}),
    "upload, empty file": ("/upload", {"files": {"file": ("e.txt", b"", "text/x")}}),
    "upload missing": ("/upload", {"files": {"other": FILE}}),
    "upload, plain field instead": ("/upload", {"files": {"file": (None, "x")}}),
    "upload, urlencoded": ("/upload", {"data": {"file": "x"}}),
    "upload, json": ("/upload", {"json": {"file": "x"}}),
    "uploads": ("/uploads", {"files": [("files", FILE), ("files", ("b.txt", b"2"))]}),
    "uploads, one": ("/uploads", {"files": [("files", FILE)]}),
    "uploads, none": ("/uploads", {"data": {"x": "1"}}),
    "uploads, no file chosen": ("/uploads", {"files": [("files", ("", b""))]}),
    "uploads, one is plain": (
        "/uploads",
        {"files": [("files", FILE), ("files", (None, "plain"))]},
    ),
    "many bytes": ("/many-bytes", {"files": [("files", FILE), ("files", FILE)]}),
    "optional, sent": ("/optional", {"files": {"file": FILE}}),
    "optional, not sent": ("/optional", {}),
    "optional, no file chosen": ("/optional", {"files": {"file": ("", b"")}}),
    "optional bytes, not sent": ("/optional-bytes", {"data": {"x": "1"}}),
    "optional bytes, sent": ("/optional-bytes", {"files": {"file": FILE}}),
    "mixed": (
        "/mixed",
        {"data": {"token": "t", "count": "2"}, "files": {"file": FILE, "note": FILE}},
    ),
    "mixed, fields missing": ("/mixed", {"files": {"file": FILE}}),
    "mixed, urlencoded only": ("/mixed", {"data": {"token": "t", "count": "x"}}),
    "form where json is expected": ("/json", {"data": {"name": "x"}}),
    "multipart where json is expected": (  # the 422 quotes the body: fix the boundary
        "/json",
        request("/json", multipart(part("name", "x"))),
    ),
    "json": ("/json", {"json": {"name": "x"}}),
    "no file chosen, as a browser sends it": (
        "/upload",
        request("/upload", multipart(NO_FILE_CHOSEN)),
    ),
    "optional, no file chosen, as a browser sends it": (
        "/optional",
        request("/optional", multipart(NO_FILE_CHOSEN)),
    ),
    "uploads, no file chosen, as a browser sends it": (
        "/uploads",
        request("/uploads", multipart(NO_FILES_CHOSEN)),
    ),
    "the form as the handler reads it": (
        "/raw",
        {"data": {"name": "a", "tag": ["x", "y"]}, "files": {"file": FILE}},
    ),
    "the form as the handler reads it, in one piece": (
        "/raw",
        request(
            "/raw",
            multipart(
                part("name", "a"),
                part("file", b"hello", filename="a.txt", content_type="text/plain"),
                NO_FILE_CHOSEN.replace(b'name="file"', b'name="empty"'),
            ),
        ),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_forms_and_files_answer_like_fastapi(pkg, case):
    url, options = CASES[case]
    [(theirs, ours)] = await compare(
        build, pkg, [{"method": "POST", "url": url, **options}]
    )
    assert ours.view() == theirs.view()


EXACT = {
    "latin-1 charset": (
        multipart(part("name", "café".encode("latin-1"))),
        "multipart/form-data; charset=latin-1; boundary=b",
    ),
    "an unknown charset": (
        multipart(part("name", b"ok"), boundary="b"),
        "multipart/form-data; charset=nonsense; boundary=b",
    ),
    "quoted boundary": (
        multipart(part("name", b"quoted"), boundary="a b"),
        'multipart/form-data; boundary="a b"',
    ),
    "a filename on a field": (
        multipart(part("name", b"x", filename="f.txt")),
        None,
    ),
    "upper-case media type": (
        multipart(part("name", b"upper")),
        "MULTIPART/FORM-DATA; boundary=nanoapi-test-boundary",
    ),
    "urlencoded, plus and percents": (
        b"name=a+b%20c%26&age=%33",
        "application/x-www-form-urlencoded",
    ),
    "urlencoded, no equals sign": (b"name", "application/x-www-form-urlencoded"),
    "urlencoded, repeated": (b"name=a&name=b", "application/x-www-form-urlencoded"),
    "urlencoded, an escaped plus and UTF-8": (
        b"name=1%2B1+%3D+caf%C3%A9",
        "application/x-www-form-urlencoded",
    ),
    "urlencoded with a charset": (
        b"name=x",
        "application/x-www-form-urlencoded; charset=utf-8",
    ),
}


@pytest.mark.parametrize("case", list(EXACT))
async def test_exact_bodies_answer_like_fastapi(pkg, case):
    body, content_type = EXACT[case]
    sent = request("/fields", body)
    if content_type:
        sent["headers"]["content-type"] = content_type
    [(theirs, ours)] = await compare(build, pkg, [sent])
    assert ours.view() == theirs.view()


async def test_upload_file_of_several_megabytes_arrives_whole(pkg):
    """Past the 1 MB spool size the file goes to disk; it must read back whole."""
    data = bytes(range(256)) * (3 * 4096 + 7)
    files = {"file": ("big.bin", data, "application/octet-stream")}
    [(theirs, ours)] = await compare(
        build, pkg, [{"method": "POST", "url": "/bytes", "files": files}]
    )
    assert (
        ours.json()
        == theirs.json()
        == {"size": len(data), "head": data[:10].decode("latin-1")}
    )


async def test_an_upload_never_sits_in_memory_whole(pkg):
    """A 16 MiB upload, sent in 64 KiB pieces, raises what Python allocates by a
    small part of its size: each piece goes on to the file as it comes, and
    past 1 MB the file is on disk. (tracemalloc sees every allocation Python
    makes, a SpooledTemporaryFile's in-memory buffer included.)"""
    api = package_namespace(pkg)
    app = api.App()

    @app.post("/size")
    async def count_bytes(file: api.UploadFile):
        total = 0
        while chunk := await file.read(64 * 1024):
            total += len(chunk)
        return {"size": total}

    piece, count = 64 * 1024, 256
    dash = b"--" + BOUNDARY.encode()

    async def body():  # made piece by piece, never whole
        yield dash + b"\r\n" + part("file", filename="big.bin")
        for index in range(count):  # a new object each: nothing kept for free
            yield bytes([65 + index % 26]) * piece
        yield b"\r\n" + dash + b"--\r\n"

    sent = {**request("/size", b""), "content": body()}
    tracemalloc.start()
    try:
        [answer] = await ask(app, [sent])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = count * piece
    assert answer.status == 200 and answer.json() == {"size": size}
    assert peak < size // 4, f"{peak / 2**20:.1f} MiB at the peak for a 16 MiB upload"
