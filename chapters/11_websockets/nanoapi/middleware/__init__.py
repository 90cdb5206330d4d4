"""Middleware: ASGI apps that wrap another ASGI app.

Each middleware class takes the app it wraps as its first argument and is an
ASGI app itself. `Middleware(cls, *args, **kwargs)` records how to build one;
the App builds the whole onion from these specs the first time it is called.
"""

from collections.abc import Iterator
from typing import Any

from ..types import Message, Send


class Middleware:
    def __init__(self, cls: type, *args: Any, **kwargs: Any) -> None:
        self.cls = cls
        self.args = args
        self.kwargs = kwargs

    def __iter__(self) -> Iterator[Any]:
        """Unpack as `cls, args, kwargs = middleware`."""
        return iter((self.cls, self.args, self.kwargs))

    def __repr__(self) -> str:
        return f"Middleware({self.cls.__name__})"


class WatchedSend:
    """Wraps `send` and remembers whether the response has started."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.response_started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.response_started = True
        await self.send(message)
