"""DispatchMiddleware: `@app.middleware("http")` functions as ASGI middleware.

FastAPI users write middleware as `async def mw(request, call_next)`. Here
`call_next(request)` starts the rest of the onion in a task, waits for its
`http.response.start`, and returns a StreamingResponse whose body is still
arriving, so the function can read and change status and headers. When the
function returns that Response, the body flows through unchanged. The queue
between the two holds one message, so the inner app waits for the outer one
at each step, as it would if it were sending to the server.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from enum import Enum

from ..requests import Request
from ..responses import Response, StreamingResponse
from ..types import ASGIApp, Message, Receive, Scope, Send

CallNext = Callable[[Request], Awaitable[Response]]
Dispatch = Callable[[Request, CallNext], Awaitable[Response]]


class Finished(Enum):
    """Put on the queue when the inner app returns (None could be a message)."""

    FINISHED = "FINISHED"


FINISHED = Finished.FINISHED
Item = Message | BaseException | Finished  # what the inner app puts on the queue


async def take(queue: asyncio.Queue[Item]) -> Message | Finished:
    """The inner app's next message; its exception is raised here."""
    item = await queue.get()
    if isinstance(item, BaseException):
        raise item
    return item


class InnerApp:
    """The rest of the onion, running in its own task."""

    def __init__(self, app: ASGIApp, scope: Scope, receive: Receive) -> None:
        self.queue: asyncio.Queue[Item] = asyncio.Queue(maxsize=1)
        self.task = asyncio.create_task(self.run(app, scope, receive))

    async def run(self, app: ASGIApp, scope: Scope, receive: Receive) -> None:
        try:
            await app(scope, receive, self.queue.put)
        except Exception as exc:  # handed to whoever reads the queue
            await self.queue.put(exc)
        else:
            await self.queue.put(FINISHED)

    async def response(self) -> StreamingResponse:
        """Its response, as soon as the status and headers are known."""
        try:
            start = await take(self.queue)
        except BaseException:  # cancelled while waiting: take the inner app down too
            self.task.cancel()
            raise
        if start is FINISHED:
            raise RuntimeError("the app returned without sending a response")
        return CallNextResponse(start, self)

    async def messages(self) -> AsyncIterator[Message]:
        """Its body messages, up to the last one."""
        more_body = True
        while more_body:
            message = await take(self.queue)
            if message is FINISHED:
                raise RuntimeError("the app returned before its response was complete")
            more_body = message.get("more_body", False)
            yield message

    async def finish(self) -> None:
        """Wait until it returns (its background work done), raising its error."""
        await take(self.queue)


class CallNextResponse(StreamingResponse):
    """What `call_next` returns: the inner app's status and headers, and a body
    still arriving, which flows on message by message, as the app sent it."""

    def __init__(self, start: Message, inner: InnerApp) -> None:
        body = (message.get("body", b"") async for message in inner.messages())
        super().__init__(body, status_code=start["status"])
        self.raw_headers[:] = start.get("headers", [])
        self.inner, self.own_body = inner, body

    async def send_body(self, send: Send) -> None:
        if self.body_iterator is not self.own_body:  # a middleware replaced it
            await super().send_body(send)
            return
        async for message in self.inner.messages():
            await send(message)


class DispatchMiddleware:
    def __init__(self, app: ASGIApp, dispatch: Dispatch) -> None:
        self.app = app
        self.dispatch = dispatch

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started: list[InnerApp] = []

        async def call_next(request: Request) -> Response:
            started.append(InnerApp(self.app, scope, request.receive))
            return await started[-1].response()

        try:
            response = await self.dispatch(Request(scope, receive), call_next)
            await response(scope, receive, send)
            if isinstance(response, CallNextResponse):
                await response.inner.finish()  # its background work, its errors
        finally:
            for inner in started:  # stops those whose response was not sent
                inner.task.cancel()
