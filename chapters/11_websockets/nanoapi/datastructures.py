"""HTTP's small data structures: multi-valued maps, headers, query strings, URLs.

The server hands us raw bytes in the scope (`headers`, `query_string`, `path`);
these classes give them the shape a handler wants, without losing repeats.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple
from urllib.parse import SplitResult, parse_qsl, urlsplit

from .types import Scope


class MultiDict(Mapping[str, str]):
    """A read-only map whose keys may repeat: `d[k]` is the last value."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._list = list(items)
        self._dict = dict(self._list)

    def getlist(self, key: str) -> list[str]:
        return [v for k, v in self._list if k == key]

    def multi_items(self) -> list[tuple[str, str]]:
        return list(self._list)

    def __getitem__(self, key: str) -> str:
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
        return sorted(self._list) == sorted(other._list)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._list!r})"


class QueryParams(MultiDict):
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
