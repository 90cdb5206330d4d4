"""Form bodies: `application/x-www-form-urlencoded` and `multipart/form-data`.

The body is fed to python-multipart's streaming parsers piece by piece, as the
server delivers it, and they call back for each field, part header and piece
of data. A file's bytes go straight to an UploadFile (in memory up to 1 MB,
then on disk), so an upload is never held whole in memory. Limits on fields,
files and sizes answer with what was exceeded, and a body that is not what it
claims to be says so: both as a MultiPartException, which the app answers
with a 400.
"""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

import python_multipart
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header

from .datastructures import FormData, Headers, UploadFile

if TYPE_CHECKING:  # python-multipart declares these for type checkers only
    from python_multipart.multipart import MultipartCallbacks, QuerystringCallbacks

SPOOL_SIZE = 1024 * 1024  # an upload's bytes stay in memory up to this, then disk


class MultiPartException(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class FormLimits:
    """What a form may hold; FastAPI's and Starlette's defaults."""

    max_files: int | float = 1000
    max_fields: int | float = 1000
    max_part_size: int = 1024 * 1024  # a field: its value (urlencoded: and name)


def decode(data: bytes, charset: str) -> str:
    """Text in the form's charset; bytes that are not, as latin-1 (never fails)."""
    try:
        return data.decode(charset)
    except UnicodeDecodeError:
        return data.decode("latin-1")


def too_big(size: int, limits: FormLimits, what: str = "Part") -> None:
    if size > limits.max_part_size:
        kilobytes = limits.max_part_size // 1024
        raise MultiPartException(f"{what} exceeded maximum size of {kilobytes}KB.")


def count(seen: int, most: int | float, what: str) -> None:
    if seen > most:
        raise MultiPartException(
            f"Too many {what}. Maximum number of {what} is {most}."
        )


async def parse_urlencoded(
    stream: AsyncIterator[bytes], limits: FormLimits
) -> FormData:
    """`a=1&b=two`: name and value percent-decoded, each capped in size."""
    items: list[tuple[str, str | UploadFile]] = []
    name, value = bytearray(), bytearray()

    def on_field_start() -> None:
        name.clear()
        value.clear()

    def on_field_name(data: bytes, start: int, end: int) -> None:
        name.extend(data[start:end])
        too_big(len(name) + len(value), limits, "Field")

    def on_field_data(data: bytes, start: int, end: int) -> None:
        value.extend(data[start:end])
        too_big(len(name) + len(value), limits, "Field")

    def on_field_end() -> None:
        count(len(items) + 1, limits.max_fields, "fields")
        text = [unquote_plus(part.decode("latin-1")) for part in (name, value)]
        items.append((text[0], text[1]))

    callbacks: QuerystringCallbacks = {
        "on_field_start": on_field_start,
        "on_field_name": on_field_name,
        "on_field_data": on_field_data,
        "on_field_end": on_field_end,
    }
    parser = python_multipart.QuerystringParser(callbacks)
    async for chunk in stream:
        parser.write(chunk)
    parser.finalize()
    return FormData(items)


@dataclass
class Part:
    """The part being read: its headers, then a field's bytes or a file."""

    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    header_name: bytes = b""
    header_value: bytes = b""
    name: str = ""
    data: bytearray = field(default_factory=bytearray)
    file: UploadFile | None = None


class MultipartReader:
    """Feeds a multipart body to python-multipart and keeps what it finds."""

    def __init__(self, boundary: bytes, charset: str, limits: FormLimits) -> None:
        self.charset, self.limits = charset, limits
        self.items: list[tuple[str, str | UploadFile]] = []
        self.part = Part()
        self.files, self.fields = 0, 0
        self.to_write: list[tuple[UploadFile, bytes]] = []  # written after each chunk
        callbacks: MultipartCallbacks = {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }
        self.parser = python_multipart.MultipartParser(boundary, callbacks)

    def on_part_begin(self) -> None:
        self.part = Part()

    # python-multipart caps a part's headers (8 lines of 4 KB at most) itself.
    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.part.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.part.header_value += data[start:end]

    def on_header_end(self) -> None:
        part = self.part
        part.headers.append((part.header_name.lower(), part.header_value))
        part.header_name = part.header_value = b""

    def on_headers_finished(self) -> None:
        headers = Headers(self.part.headers)
        _, options = parse_options_header(headers.get("content-disposition", ""))
        if b"name" not in options:
            message = 'The Content-Disposition header field "name" must be provided.'
            raise MultiPartException(message)
        self.part.name = decode(options[b"name"], self.charset)
        if b"filename" not in options:
            self.fields += 1
            count(self.fields, self.limits.max_fields, "fields")
            return
        self.files += 1
        count(self.files, self.limits.max_files, "files")
        # Closed with the UploadFile (the form's, or ours on an error):
        spool: Any = SpooledTemporaryFile(max_size=SPOOL_SIZE)  # noqa: SIM115
        filename = decode(options[b"filename"], self.charset)
        self.part.file = UploadFile(spool, size=0, filename=filename, headers=headers)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.part.file is not None:
            self.to_write.append((self.part.file, data[start:end]))
            return
        self.part.data.extend(data[start:end])
        too_big(len(self.part.data), self.limits)

    def on_part_end(self) -> None:
        part = self.part
        text = decode(bytes(part.data), self.charset)
        value = part.file if part.file is not None else text
        self.items.append((part.name, value))

    async def write_files(self) -> None:
        """File data the last chunk brought, written in a worker thread."""
        for upload, data in self.to_write:
            await upload.write(data)
        self.to_write.clear()

    async def close_files(self, finished_too: bool = True) -> None:
        """Close the file of a part that never ended (a truncated body), and
        on an error the finished ones too."""
        finished = [v for _, v in self.items if isinstance(v, UploadFile)]
        for upload in finished if finished_too else []:
            await upload.close()
        if self.part.file is not None and self.part.file not in finished:
            await self.part.file.close()


async def parse_multipart(
    content_type: str, stream: AsyncIterator[bytes], limits: FormLimits
) -> FormData:
    """Fields as text, files as UploadFiles, rewound and ready to read."""
    _, options = parse_options_header(content_type)
    if b"boundary" not in options:
        raise MultiPartException("Missing boundary in multipart.")
    charset = options.get(b"charset", b"utf-8").decode("latin-1")
    try:
        charset = codecs.lookup(charset).name
    except LookupError:
        charset = "latin-1"
    try:
        reader = MultipartReader(options[b"boundary"], charset, limits)
    except FormParserError as exc:  # a boundary it refuses (over 256 bytes)
        raise MultiPartException("Invalid multipart data.") from exc
    try:
        async for chunk in stream:
            reader.parser.write(chunk)
            await reader.write_files()
        reader.parser.finalize()
        await reader.close_files(finished_too=False)
    except BaseException as exc:  # leave no temporary file open
        await reader.close_files()
        if isinstance(exc, FormParserError):
            raise MultiPartException("Invalid multipart data.") from exc
        raise
    form = FormData(reader.items)
    for _, value in form.multi_items():
        if isinstance(value, UploadFile):
            await value.seek(0)
    return form
