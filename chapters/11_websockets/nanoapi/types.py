"""The ASGI protocol in five names.

A server calls an app as `await app(scope, receive, send)`: `scope` describes
the connection, `receive()` returns the next event from the client and
`send(message)` hands an event to the server. Every layer in this package is
written against these types, so every layer is itself an ASGI app.
"""

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]

Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
