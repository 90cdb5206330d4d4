"""Multipart bodies written byte by byte, for tests that need exact ones.

httpx writes a correct body with a random boundary; a test of the parser needs
a fixed boundary, and sometimes a wrong one, a part that never ends, a name in
latin-1... `multipart()` builds the body from parts given as they should look.
"""

from __future__ import annotations

BOUNDARY = "nanoapi-test-boundary"


def part(
    name: str | bytes,
    value: bytes | str = b"",
    filename: str | bytes | None = None,
    content_type: str | None = None,
    extra: bytes = b"",
) -> bytes:
    """One part: its headers, a blank line, its bytes (no boundary)."""
    as_bytes = [v.encode() if isinstance(v, str) else v for v in (name, value)]
    disposition = b'Content-Disposition: form-data; name="' + as_bytes[0] + b'"'
    if filename is not None:
        raw = filename.encode() if isinstance(filename, str) else filename
        disposition += b'; filename="' + raw + b'"'
    headers = [disposition]
    if content_type:
        headers.append(b"Content-Type: " + content_type.encode())
    return b"\r\n".join(headers) + b"\r\n" + extra + b"\r\n" + as_bytes[1]


def multipart(*parts: bytes, boundary: str = BOUNDARY, close: bool = True) -> bytes:
    """The parts between boundaries; `close=False` leaves the last one open."""
    dash = b"--" + boundary.encode()
    body = b"".join(dash + b"\r\n" + p + b"\r\n" for p in parts)
    return body + dash + b"--\r\n" if close else body


def request(
    url: str, body: bytes, boundary: str | None = BOUNDARY, method: str = "POST"
) -> dict:
    """An httpx request dict that sends `body` as multipart/form-data."""
    kind = "multipart/form-data"
    content_type = kind if boundary is None else f"{kind}; boundary={boundary}"
    return {
        "method": method,
        "url": url,
        "content": body,
        "headers": {"content-type": content_type},
    }
