"""DispatchMiddleware: `@app.middleware("http")` functions as ASGI middleware.

FastAPI users write middleware as `async def mw(request, call_next)`. Here
`call_next(request)` starts the rest of the onion in a task, waits for its
`http.response.start`, and returns a Response whose body is still streaming
in, so the function can read and change status and headers. When the
function returns that Response, the body flows through unchanged. The queue
between the two holds one message, so the inner app waits for the outer one
at each step, as it would if it were sending to the server.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from ..datastructures import MutableHeaders
from ..requests import Request
from ..responses import Response
from ..types import ASGIApp, Message, Receive, Scope, Send

CallNext = Callable[[Request], Awaitable[Response]]
Dispatch = Callable[[Request, CallNext], Awaitable[Response]]
FINISHED = None  # put on the queue when the inner app returns


async def take(queue: asyncio.Queue) -> Message | None:
    """The inner app's next message; its exception is raised here."""
    message = await queue.get()
    if isinstance(message, BaseException):
        raise message
    return message


class StreamedResponse(Response):
    """The inner app's response: headers known, body still arriving."""

    def __init__(self, start: Message, queue: asyncio.Queue, task: asyncio.Task):
        self.status_code = start["status"]
        self.raw_headers = list(start.get("headers", []))
        self.headers = MutableHeaders(self.raw_headers)
        self.queue, self.task = queue, task  # keep the task referenced

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        start = {"status": self.status_code, "headers": self.raw_headers}
        await send({"type": "http.response.start", **start})
        # Forward the body, then wait for the inner app (its background work).
        while (message := await take(self.queue)) is not FINISHED:
            await send(message)


async def start_inner_app(
    app: ASGIApp, scope: Scope, receive: Receive
) -> StreamedResponse:
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=1)

    async def run() -> None:
        try:
            await app(scope, receive, queue.put)
        except Exception as exc:  # handed to whoever reads the queue
            await queue.put(exc)
        else:
            await queue.put(FINISHED)

    task = asyncio.create_task(run())
    try:
        start = await take(queue)
    except BaseException:  # cancelled while waiting: take the inner app down too
        task.cancel()
        raise
    if start is FINISHED:
        raise RuntimeError("the app returned without sending a response")
    return StreamedResponse(start, queue, task)


class DispatchMiddleware:
    def __init__(self, app: ASGIApp, dispatch: Dispatch) -> None:
        self.app = app
        self.dispatch = dispatch

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        inner: list[StreamedResponse] = []

        async def call_next(request: Request) -> Response:
            inner.append(await start_inner_app(self.app, scope, request.receive))
            return inner[-1]

        try:
            response = await self.dispatch(Request(scope, receive), call_next)
            await response(scope, receive, send)
        finally:
            for unsent in inner:  # a response the function did not return
                unsent.task.cancel()
