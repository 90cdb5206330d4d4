"""The other side of ASGI: an HTTP/1.1 server that can run any ASGI app.

Bytes come in on TCP connections and `h11` turns them into request events;
each request becomes one call `app(scope, receive, send)`, and the app's
`http.response.*` messages go back out as bytes, around a lifespan that runs
the app's startup before the first connection and its shutdown after the last.
A request to upgrade to WebSocket is handed to `server_websocket`.
"""

from __future__ import annotations

import asyncio
import http
import logging
import os
import signal
import threading
from contextlib import suppress
from dataclasses import dataclass
from email.utils import formatdate
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote

import h11

from .types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from .server_websocket import WebSocketSession

logger = logging.getLogger("nanoapi.server")
access_logger = logging.getLogger("nanoapi.access")

READ_SIZE = 64 * 1024
STARTUP_FAILURE = 3  # the exit code uvicorn uses when the app cannot start
RawHeaders = list[tuple[bytes, bytes]]
Event = h11.Event | type[h11.PAUSED]  # what h11 hands over once it has enough bytes
CONTINUE = h11.InformationalResponse(status_code=100, headers=[], reason=b"Continue")


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 8000
    root_path: str = ""
    timeout_keep_alive: float = 5.0  # how long we wait for the next request head
    timeout_graceful_shutdown: float = 10.0
    max_header_bytes: int = 16 * 1024  # the request line and headers, together
    max_header_count: int = 100
    ws_max_size: int = 16 * 1024 * 1024  # the largest WebSocket message we take


class ClientDisconnected(OSError):
    """Raised by `send()` once the client has gone, as ASGI spec 2.4 asks."""


def status_phrase(status: int) -> bytes:
    try:
        return http.HTTPStatus(status).phrase.encode()
    except ValueError:
        return b""


def build_scope(request: h11.Request, root_path: str, **connection: Any) -> Scope:
    """The ASGI `http` scope: all the app learns about one request."""
    raw_path, _, query_string = request.target.partition(b"?")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": request.http_version.decode(),
        "method": request.method.decode(),
        "scheme": "http",
        # A proxy stripped `root_path` from the URL; the spec wants it in `path`.
        "path": root_path + unquote(raw_path.decode("ascii")),
        "raw_path": root_path.encode() + raw_path,
        "query_string": query_string,
        "root_path": root_path,
        "headers": list(request.headers),  # h11 has lower-cased the names
        **connection,  # client, server, state
    }


def asks_for_websocket(headers: RawHeaders) -> bool:
    """`Connection: upgrade` and `Upgrade: websocket`: the client wants a
    WebSocket. (Any other upgrade, such as h2c, is answered as plain HTTP.)"""
    tokens: set[bytes] = set()
    upgrade = b""
    for name, value in headers:
        if name == b"connection":
            tokens.update(token.strip().lower() for token in value.split(b","))
        elif name == b"upgrade":
            upgrade = value.strip().lower()
    return b"upgrade" in tokens and upgrade == b"websocket"


def oversized(request: h11.Request, config: Config) -> str | None:
    """Why a request head is too large to serve, if it is. (h11 limits only a
    head still incomplete; a whole one may arrive in a single read.)"""
    if len(request.headers) > config.max_header_count:
        return f"more than {config.max_header_count} headers"
    lines = [request.target, *(name + value for name, value in request.headers)]
    if sum(len(line) + 4 for line in lines) > config.max_header_bytes:
        return f"request head over {config.max_header_bytes} bytes"
    return None


def server_headers(headers: RawHeaders, closing: bool) -> RawHeaders:
    """The app's headers, plus those a server adds if the app did not."""
    names = {name.lower() for name, _ in headers}
    extra = [(b"date", formatdate(usegmt=True).encode()), (b"server", b"nanoapi")]
    extra = [(name, value) for name, value in extra if name not in names]
    if closing:  # h11 reads this and ends the connection after the response
        extra.append((b"connection", b"close"))
    return extra + headers


def plain_text(status: int) -> tuple[RawHeaders, bytes]:
    """An answer the server writes itself, just before it hangs up."""
    body = status_phrase(status)
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    return headers, body


def expect(message: Message, kind: str) -> None:
    if message["type"] != kind:
        raise RuntimeError(f"Expected ASGI message {kind!r}, got {message['type']!r}")


def client_and_target(scope: Scope) -> tuple[str, str]:
    """For the access log: who asked (`host:port`, or `-`), and for what."""
    client = "{}:{}".format(*scope["client"]) if scope["client"] else "-"
    query = scope["query_string"].decode("latin-1")
    return client, scope["path"] + (f"?{query}" if query else "")


def log_access(scope: Scope, status: int) -> None:
    """One line per response, like uvicorn's: who asked for what, and the status."""
    client, target = client_and_target(scope)
    request_line = f"{scope['method']} {target} HTTP/{scope['http_version']}"
    phrase = status_phrase(status).decode()
    access_logger.info('%s - "%s" %d %s', client, request_line, status, phrase)


class ServerLifespan:
    """Talk the lifespan protocol: startup before serving, shutdown after."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.state: dict[str, Any] = {}  # the app fills it; requests get copies
        self.events: asyncio.Queue[Message] = asyncio.Queue()
        self.answered = asyncio.Event()
        self.answer: Message | None = None
        self.task: asyncio.Task[None] | None = None
        self.supported = self.started = False

    async def startup(self) -> bool:
        """Start the app; False if it says it cannot."""
        logger.info("Waiting for application startup.")
        self.task = asyncio.create_task(self.run())
        answer = await self.ask("lifespan.startup")
        if answer is None:  # it returned or raised without a word
            logger.info("ASGI 'lifespan' protocol appears unsupported.")
            return True
        self.supported = True
        if answer["type"] != "lifespan.startup.complete":
            logger.error("%s", answer.get("message", answer["type"]))
            logger.error("Application startup failed. Exiting.")
            return False
        logger.info("Application startup complete.")
        self.started = True
        return True

    async def shutdown(self) -> None:
        if not self.supported:
            return
        logger.info("Waiting for application shutdown.")
        answer = await self.ask("lifespan.shutdown") or {"type": "no answer"}
        if answer["type"] == "lifespan.shutdown.complete":
            logger.info("Application shutdown complete.")
        else:
            logger.error("Application shutdown failed. %s", answer.get("message", ""))

    async def ask(self, event: str) -> Message | None:
        """Send the app one event; its answer, or None if it ended without one."""
        self.answer = None
        self.answered.clear()
        await self.events.put({"type": event})
        assert self.task is not None, "startup() runs the app first"
        answered = asyncio.ensure_future(self.answered.wait())
        await asyncio.wait({answered, self.task}, return_when=asyncio.FIRST_COMPLETED)
        answered.cancel()
        return self.answer

    async def take_answer(self, message: Message) -> None:
        self.answer = message
        self.answered.set()

    async def run(self) -> None:
        asgi = {"version": "3.0", "spec_version": "2.0"}
        scope = {"type": "lifespan", "asgi": asgi, "state": self.state}
        receive: Receive = self.events.get
        send: Send = self.take_answer
        try:
            await self.app(scope, receive, send)
        except Exception:
            if self.started:  # before that, raising only means "no lifespan here"
                logger.exception("Exception in 'lifespan' protocol")


class HTTPConnection:
    """One TCP connection: read requests with h11, answer them in order."""

    def __init__(
        self, server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.app, self.config = server.app, server.config
        self.state = server.lifespan.state
        self.reader, self.writer = reader, writer
        self.h11 = h11.Connection(h11.SERVER, self.config.max_header_bytes)
        self.reading = asyncio.Lock()  # the connection loop and receive() both read
        self.task = asyncio.current_task()  # we are made in the connection's task
        self.idle = True
        self.keep_alive = True  # False once the server is shutting down
        self.websocket: WebSocketSession | None = None  # once upgraded, for good

    async def serve(self) -> None:
        """Answer requests one after another until either side wants to stop."""
        try:
            while (request := await self.next_request()) is not None:
                scope = self.scope_for(request)
                if asks_for_websocket(scope["headers"]):
                    await self.upgrade(request, scope)
                    break
                cycle = RequestCycle(self, scope)
                # A task per request: context variables the app sets stay in it.
                await asyncio.create_task(cycle.run(self.app))
                if not await self.ready_for_next(cycle):
                    break
        finally:
            self.writer.close()

    async def upgrade(self, request: h11.Request, scope: Scope) -> None:
        """Serve the rest of this connection as a WebSocket."""
        # Imported here, not at the top: that module builds on this one.
        from .server_websocket import WebSocketSession

        self.websocket = WebSocketSession(self, request, scope)
        await self.websocket.serve(self.app)

    def shutdown(self) -> None:
        """The server is stopping: hang up now if idle, else after this response."""
        self.keep_alive = False
        if self.websocket:
            self.websocket.shutdown()
        elif self.idle and self.task:
            self.task.cancel()

    def scope_for(self, request: h11.Request) -> Scope:
        return build_scope(
            request,
            self.config.root_path,
            client=self.writer.get_extra_info("peername")[:2],  # IPv6 has 4 fields
            server=self.writer.get_extra_info("sockname")[:2],
            state=dict(self.state),  # a shallow copy: requests share no changes
        )

    async def next_request(self) -> h11.Request | None:
        """The next request head, or None when the connection should end."""
        try:
            event = await self.wait_for_head()
        except TimeoutError:
            return None  # nothing more from this client: free the connection
        except h11.RemoteProtocolError as exc:
            await self.reject(exc.error_status_hint, str(exc))
            return None
        if not isinstance(event, h11.Request):  # the client closed the connection
            return None
        if problem := oversized(event, self.config):
            await self.reject(431, problem)
            return None
        return event

    async def wait_for_head(self) -> Event:
        """Wait, idle, for the next request: a server shutting down may hang up."""
        self.idle = True
        try:
            async with asyncio.timeout(self.config.timeout_keep_alive):
                return await self.next_event()
        finally:
            self.idle = False

    async def ready_for_next(self, cycle: RequestCycle) -> bool:
        """After a response: can this connection take another request?"""
        if not cycle.response_complete or cycle.disconnected or not self.keep_alive:
            return False
        if self.h11.our_state is not h11.DONE:  # HTTP/1.0, or `connection: close`
            return False
        # If the app ignored the body, read it to reach the next request. But a
        # client still waiting for `100 Continue` may never send it: hang up.
        if self.h11.their_state is h11.SEND_BODY and (
            cycle.continue_unsent or not await self.discard_body()
        ):
            return False
        if self.h11.their_state is not h11.DONE:
            return False
        self.h11.start_next_cycle()
        return True

    async def discard_body(self) -> bool:
        """Read and drop a body the app did not want; False if that fails."""
        with suppress(TimeoutError, h11.RemoteProtocolError):
            async with asyncio.timeout(self.config.timeout_keep_alive):
                while not isinstance(await self.next_event(), h11.EndOfMessage):
                    pass
                return True
        return False

    async def next_event(self) -> Event:
        """The next h11 event, reading from the socket only when h11 needs more."""
        while (event := self.h11.next_event()) is h11.NEED_DATA:
            self.h11.receive_data(await self.read())
        return cast(Event, event)  # not NEED_DATA: the loop reads until it is not

    async def read(self) -> bytes:
        async with self.reading:
            try:
                return await self.reader.read(READ_SIZE)
            except ConnectionError:
                return b""  # a reset is a rude way of hanging up

    async def wait_for_hangup(self) -> None:
        """Return when the client closes. Pipelined bytes wait in h11's buffer
        (it answers PAUSED until their turn), and then we stop listening."""
        buffered, closed = self.h11.trailing_data
        if not buffered and not closed:
            data = await self.read()
            self.h11.receive_data(data)
            closed = not data
        if not closed:
            await asyncio.get_running_loop().create_future()  # until cancelled

    async def write(self, event: h11.Event) -> None:
        """One h11 event as bytes; waits while the client is slow to read them."""
        data = self.h11.send(event)
        if data:
            self.writer.write(data)
            await self.writer.drain()

    async def reject(self, status: int, reason: str) -> None:
        """Answer a request we cannot parse or will not serve, then hang up."""
        logger.warning("Invalid HTTP request received: %s", reason)
        headers, body = plain_text(status)
        response = h11.Response(status_code=status, headers=headers, reason=body)
        with suppress(h11.LocalProtocolError, ConnectionError):
            for event in (response, h11.Data(data=body), h11.EndOfMessage()):
                await self.write(event)
        await self.linger()

    async def linger(self) -> None:
        """Close our side, then drain theirs for a moment: closing a socket with
        unread bytes sends a reset, which can destroy the answer in flight."""
        with suppress(OSError, TimeoutError):
            self.writer.write_eof()
            async with asyncio.timeout(1):
                while await self.read():
                    pass


class RequestCycle:
    """One request and its response: the `receive` and `send` the app gets."""

    def __init__(self, connection: HTTPConnection, scope: Scope) -> None:
        self.connection = connection
        self.scope = scope
        self.continue_unsent = connection.h11.they_are_waiting_for_100_continue
        self.body_complete = False
        self.response_started = False
        self.response_complete = False
        self.disconnected = False
        self.done = asyncio.Event()  # the response is complete, or the app returned

    async def run(self, app: ASGIApp) -> None:
        try:
            await app(self.scope, self.receive, self.send)
        except Exception:
            # Once the client has gone, an error is most likely its echo (ours,
            # or a framework's own `ClientDisconnect`): no traceback for that.
            log = logger.debug if self.disconnected else logger.error
            log("Exception in ASGI application", exc_info=True)
            await self.answer_500()
        else:
            if not self.response_complete and not self.disconnected:
                missing = "completing" if self.response_started else "starting"
                logger.error("ASGI callable returned without %s response.", missing)
                await self.answer_500()
        finally:
            self.done.set()

    async def answer_500(self) -> None:
        """Stand in for an app that failed before starting its response. Once it
        has started it is too late for another: the connection just closes."""
        if self.response_started or self.disconnected:
            return
        headers, body = plain_text(500)
        start = {"type": "http.response.start", "status": 500, "headers": headers}
        with suppress(OSError):
            await self.send(start)
            await self.send({"type": "http.response.body", "body": body})

    async def receive(self) -> Message:
        if self.continue_unsent and not self.response_started:
            # The client asked before sending its body; the app now wants it.
            self.continue_unsent = False
            with suppress(ClientDisconnected):
                await self.write(CONTINUE)
        if not (self.body_complete or self.response_complete or self.disconnected):
            return await self.read_body()
        await self.wait_until_over()
        return {"type": "http.disconnect"}

    async def read_body(self) -> Message:
        """The next piece of the body: all that has arrived, at least one event."""
        chunks = []
        try:
            event: Event | type[h11.NEED_DATA] = await self.connection.next_event()
            while isinstance(event, h11.Data):
                chunks.append(event.data)
                event = self.connection.h11.next_event()  # more already here?
        except h11.RemoteProtocolError as exc:
            return await self.broken_body(exc)
        self.body_complete = isinstance(event, h11.EndOfMessage)
        body, more_body = b"".join(chunks), not self.body_complete
        return {"type": "http.request", "body": body, "more_body": more_body}

    async def broken_body(self, error: h11.RemoteProtocolError) -> Message:
        """The body broke off: the client hung up, or sent something not HTTP."""
        self.disconnected = True  # for the app, either way; its sends now fail
        hung_up = self.connection.h11.trailing_data[1]
        if not hung_up and not self.response_started:
            await self.connection.reject(400, str(error))
        return {"type": "http.disconnect"}

    async def wait_until_over(self) -> None:
        """Wait until the response is complete or the client hangs up."""
        if self.disconnected or self.done.is_set():
            return
        done = asyncio.ensure_future(self.done.wait())
        hangup = asyncio.ensure_future(self.connection.wait_for_hangup())
        await asyncio.wait({done, hangup}, return_when=asyncio.FIRST_COMPLETED)
        self.disconnected = hangup.done() and not done.done()
        for task in (done, hangup):
            task.cancel()

    async def send(self, message: Message) -> None:
        if self.disconnected:
            raise ClientDisconnected("the client has gone")
        if not self.response_started:
            await self.start_response(message)
        elif not self.response_complete:
            await self.send_body(message)
        else:
            raise RuntimeError(f"{message['type']!r} sent after the response completed")

    async def start_response(self, message: Message) -> None:
        expect(message, "http.response.start")
        self.response_started = True
        status = message["status"]
        closing = not self.connection.keep_alive
        headers = server_headers(list(message.get("headers", [])), closing)
        log_access(self.scope, status)
        reason = status_phrase(status)
        response = h11.Response(status_code=status, headers=headers, reason=reason)
        await self.write(response)

    async def send_body(self, message: Message) -> None:
        expect(message, "http.response.body")
        body = message.get("body", b"")
        if body and self.scope["method"] != "HEAD":  # h11 refuses a body for HEAD
            await self.write(h11.Data(data=body))
        if not message.get("more_body", False):
            await self.write(h11.EndOfMessage())
            self.response_complete = True
            self.done.set()
            if self.connection.h11.our_state is h11.MUST_CLOSE:
                # A body without a length ends when we close: do it now, not
                # after the app returns (it may still run background tasks).
                self.connection.writer.close()

    async def write(self, event: h11.Event) -> None:
        try:
            await self.connection.write(event)
        except ConnectionError as exc:
            self.disconnected = True
            raise ClientDisconnected("the client has gone") from exc


class Server:
    """Listen on a port, run the lifespan around it, stop gracefully on a signal."""

    def __init__(self, app: ASGIApp, config: Config) -> None:
        self.app = app
        self.config = config
        self.lifespan = ServerLifespan(app)
        self.connections: set[HTTPConnection] = set()
        self.should_exit = asyncio.Event()

    async def serve(self) -> int:
        """Run until told to stop; the exit code for the process."""
        logger.info("Started server process [%d]", os.getpid())
        self.install_signal_handlers()
        try:
            return await self.run_until_stopped()
        finally:  # the loop may live on (a notebook's): give its signals back
            self.remove_signal_handlers()

    async def run_until_stopped(self) -> int:
        if not await self.lifespan.startup():
            return STARTUP_FAILURE
        try:
            host, port = self.config.host, self.config.port
            listener = await asyncio.start_server(self.handle, host, port)
        except OSError as exc:
            logger.error("%s", exc)
            await self.lifespan.shutdown()
            return STARTUP_FAILURE
        host, self.port = listener.sockets[0].getsockname()[:2]  # port 0: the real one
        url = f"http://{host}:{self.port}"
        logger.info("nanoapi server running on %s (Ctrl+C to quit)", url)
        await self.should_exit.wait()
        logger.info("Shutting down")
        listener.close()  # stop accepting; open connections carry on
        await self.close_connections()
        await self.lifespan.shutdown()
        return 0

    async def handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        connection = HTTPConnection(self, reader, writer)
        self.connections.add(connection)
        try:
            await connection.serve()
        except asyncio.CancelledError:
            pass  # our shutdown did it; end quietly (3.11 logs a cancelled handler)
        finally:
            self.connections.discard(connection)

    async def close_connections(self) -> None:
        """Idle connections close now; requests in flight get the timeout."""
        for connection in list(self.connections):
            connection.shutdown()
        tasks = {c.task for c in self.connections if c.task}
        if not tasks:
            return
        timeout = self.config.timeout_graceful_shutdown
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        if pending:
            logger.error("Graceful shutdown timed out: %d cancelled", len(pending))
            for task in pending:
                task.cancel()
            await asyncio.wait(pending)

    def handle_exit(self) -> None:
        if self.should_exit.is_set():  # asked twice: stop waiting for requests
            for task in {c.task for c in self.connections if c.task}:
                task.cancel()
        self.should_exit.set()

    def install_signal_handlers(self) -> None:
        """Ctrl+C (SIGINT) and SIGTERM start a graceful shutdown. Signals reach
        only the main thread; from another, stop the server with
        `loop.call_soon_threadsafe(server.handle_exit)`."""
        if threading.current_thread() is threading.main_thread():
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, self.handle_exit)

    def remove_signal_handlers(self) -> None:
        if threading.current_thread() is threading.main_thread():
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)


def run(app: ASGIApp, config: Config | None = None) -> int:
    """Serve `app` until a signal stops it; returns the exit code."""
    return asyncio.run(Server(app, config or Config()).serve())
