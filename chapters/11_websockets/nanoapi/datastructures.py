"""HTTP's small data structures: multi-valued maps, headers, query strings, URLs.

The server hands us raw bytes in the scope (`headers`, `query_string`, `path`);
these classes give them the shape a handler wants, without losing repeats. A
form's fields and uploaded files are a FormData.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any, NamedTuple, TypeVar
from urllib.parse import SplitResult, parse_qsl, urlsplit

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import CoreSchema, core_schema

from .concurrency import run_in_threadpool
from .types import Scope

V = TypeVar("V")


class MultiDict(Mapping[str, V]):
    """A read-only map whose keys may repeat: `d[k]` is the last value."""

    def __init__(self, items: Iterable[tuple[str, V]] = ()) -> None:
        self._list = list(items)
        self._dict = dict(self._list)

    def getlist(self, key: str) -> list[V]:
        return [v for k, v in self._list if k == key]

    def multi_items(self) -> list[tuple[str, V]]:
        return list(self._list)

    def __getitem__(self, key: str) -> V:
        return self._dict[key]

    def __contains__(self, key: object) -> bool:
        return key in self._dict

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MultiDict):
            return NotImplemented
        return sorted(self._list, key=repr) == sorted(other._list, key=repr)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._list!r})"


class QueryParams(MultiDict[str]):
    """`?tag=a&tag=b&q=` as a MultiDict: percent-decoded, blanks kept."""

    @classmethod
    def from_query_string(cls, query_string: bytes) -> QueryParams:
        text = query_string.decode("latin-1")
        return cls(parse_qsl(text, keep_blank_values=True))


class Headers(Mapping[str, str]):
    """Headers as the raw `(name, value)` byte pairs of the scope or response:
    names case-insensitive, repeats kept, the first value answers `[name]`.

    Nothing is decoded up front: a lookup scans the pairs, cheaper for a dozen
    headers than building a dict nobody may read. HTTP says a repeated
    header's values may be joined with commas, so the first one is as good as
    any for `headers[name]`; `getlist` has them all.
    """

    def __init__(self, raw: list[tuple[bytes, bytes]] | None = None) -> None:
        self.raw = [] if raw is None else raw

    @classmethod
    def from_raw(cls, raw: Iterable[tuple[bytes, bytes]]) -> Headers:
        return cls(list(raw))

    def getlist(self, name: str) -> list[str]:
        key = name.lower().encode("latin-1")
        return [v.decode("latin-1") for k, v in self.raw if k.lower() == key]

    def __getitem__(self, name: str) -> str:
        values = self.getlist(name)
        if not values:
            raise KeyError(name)
        return values[0]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(k.decode("latin-1").lower() for k, _ in self.raw))

    def __len__(self) -> int:
        return len(set(self))


class Address(NamedTuple):
    """One end of a connection: `request.client.host`, `request.client.port`."""

    host: str
    port: int


class URL:
    """A URL split into parts; `replace()` builds a changed copy."""

    def __init__(self, url: str = "", *, parts: SplitResult | None = None) -> None:
        self._parts = parts or urlsplit(url)

    @classmethod
    def from_scope(cls, scope: Scope) -> URL:
        headers = Headers.from_raw(scope.get("headers", []))
        host = headers.get("host")
        if host is None:
            name, port = scope.get("server") or ("localhost", None)
            default = {"http": 80, "https": 443}.get(scope.get("scheme", "http"))
            host = name if port in (None, default) else f"{name}:{port}"
        query = scope.get("query_string", b"").decode("latin-1")
        path = scope.get("path", "/")
        parts = SplitResult(scope.get("scheme", "http"), host, path, query, "")
        return cls(parts=parts)

    scheme = property(lambda self: self._parts.scheme)
    netloc = property(lambda self: self._parts.netloc)
    hostname = property(lambda self: self._parts.hostname)
    port = property(lambda self: self._parts.port)
    path = property(lambda self: self._parts.path)
    query = property(lambda self: self._parts.query)

    def replace(self, **changes: Any) -> URL:
        """A copy with some parts changed: `url.replace(path="/other")`."""
        return URL(parts=self._parts._replace(**changes))

    def __str__(self) -> str:
        return self._parts.geturl()

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __repr__(self) -> str:
        return f"URL({str(self)!r})"


class MutableHeaders(Headers):
    """A response's headers: a live view of its raw pairs that also changes them."""

    def __setitem__(self, name: str, value: str) -> None:
        """Set a header, replacing every earlier value of it."""
        del self[name]
        self.append(name, value)

    def __delitem__(self, name: str) -> None:
        key = name.lower().encode("latin-1")
        self.raw[:] = [(k, v) for k, v in self.raw if k.lower() != key]

    def append(self, name: str, value: str) -> None:
        """Add a value, keeping earlier ones (for `set-cookie`)."""
        self.raw.append((name.lower().encode("latin-1"), value.encode("latin-1")))


class State:
    """An attribute bag over a dict: `state.db = ...`, then `state.db`."""

    def __init__(self, values: dict[str, Any] | None = None) -> None:
        super().__setattr__("_values", {} if values is None else values)

    def __setattr__(self, name: str, value: Any) -> None:
        self._values[name] = value

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"'State' object has no attribute {name!r}") from None

    def __delattr__(self, name: str) -> None:
        del self._values[name]


class UploadFile:
    """A file a form sent: its name, type and headers, and its bytes in a
    spooled temporary file (memory up to 1 MB, then disk). The async methods
    do the file work in a worker thread, where a disk may block."""

    def __init__(
        self,
        file: IO[bytes],
        *,
        size: int | None = None,
        filename: str | None = None,
        headers: Headers | None = None,
    ) -> None:
        # FastAPI's 422 for a file sent where text is expected quotes these
        # attributes, in this order, the spool's memory limit included.
        self.filename, self.file, self.size = filename, file, size
        self.headers = Headers() if headers is None else headers
        self._max_mem_size = getattr(file, "_max_size", 0)

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    async def write(self, data: bytes) -> None:
        if self.size is not None:
            self.size += len(data)
        await run_in_threadpool(self.file.write, data)

    async def read(self, size: int = -1) -> bytes:
        data: bytes = await run_in_threadpool(self.file.read, size)
        return data

    async def seek(self, offset: int) -> None:
        await run_in_threadpool(self.file.seek, offset)

    async def close(self) -> None:
        await run_in_threadpool(self.file.close)

    def __repr__(self) -> str:
        return f"UploadFile(filename={self.filename!r}, size={self.size!r})"

    # How Pydantic checks one (it must be an UploadFile) and documents one.

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(cls.checked)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return {"type": "string", "contentMediaType": "application/octet-stream"}

    @classmethod
    def checked(cls, value: Any) -> UploadFile:
        if not isinstance(value, UploadFile):
            raise ValueError(f"Expected UploadFile, received: {type(value)}")
        return value


class FormData(MultiDict[str | UploadFile]):
    """A form: text fields and UploadFiles, repeats kept."""

    async def close(self) -> None:
        """Close every file in it: their temporary files are removed."""
        for _, value in self.multi_items():
            if isinstance(value, UploadFile):
                await value.close()
