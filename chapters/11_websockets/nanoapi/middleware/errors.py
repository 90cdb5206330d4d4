"""ServerErrorMiddleware: the outermost layer, the last line of defence.

Any exception that nothing else handled arrives here. If no response has
started, the client gets a 500 (plain `Internal Server Error`, or a traceback
page when debug is on); either way the exception is raised again, so the
server logs it. Once a response has started, a second one would break the
protocol: then the exception is only raised. On a WebSocket the connection is
closed first: before `accept`, which the server answers with a 403, or after
it with 1011, an internal error.
"""

import html
import traceback
from contextlib import suppress

from ..concurrency import call
from ..requests import Request
from ..responses import HTMLResponse, PlainTextResponse, Response
from ..types import ASGIApp, Message, Receive, Scope, Send
from ..websockets import WebSocketClose, WebSocketDisconnect
from . import WatchedSend
from .exceptions import ExceptionHandler


def debug_response(request: Request, exc: Exception) -> Response:
    """The traceback, as an HTML page for browsers, as text for other clients."""
    trace = "".join(traceback.format_exception(exc))
    if "text/html" not in request.headers.get("accept", ""):
        return PlainTextResponse(trace, status_code=500)
    title = html.escape(f"{type(exc).__name__}: {exc}")
    page = (
        f"<!doctype html><html><head><title>{title}</title></head><body>"
        f"<h1>500 Server Error</h1><h2>{title}</h2>"
        f"<pre>{html.escape(trace)}</pre></body></html>"
    )
    return HTMLResponse(page, status_code=500)


CLOSING = {"websocket.close", "websocket.http.response.start"}  # no more after it


class ServerErrorMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        handler: ExceptionHandler | None = None,
        debug: bool = False,
    ) -> None:
        self.app = app
        self.handler = handler
        self.debug = debug

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            watched = WatchedSend(send)
            try:
                await self.app(scope, receive, watched)
            except Exception as exc:
                if not watched.response_started:
                    response = await self.error_response(Request(scope), exc)
                    await response(scope, receive, send)
                raise
        elif scope["type"] == "websocket":
            await self.websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        accepted = closed = False

        async def watched(message: Message) -> None:
            nonlocal accepted, closed
            accepted = accepted or message["type"] == "websocket.accept"
            closed = closed or message["type"] in CLOSING
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except WebSocketDisconnect:
            raise  # the client left: there is no one to tell
        except Exception:
            if not closed:
                code = 1011 if accepted else 1000  # before accept: a 403
                with suppress(Exception):  # the connection may be gone already
                    await WebSocketClose(code)(scope, receive, send)
            raise

    async def error_response(self, request: Request, exc: Exception) -> Response:
        if self.debug:
            return debug_response(request, exc)
        if self.handler is not None:
            response: Response = await call(self.handler, request, exc)
            return response
        return PlainTextResponse("Internal Server Error", status_code=500)
