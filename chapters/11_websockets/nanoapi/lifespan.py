"""The lifespan protocol: run the app's startup and shutdown code.

The server sends `lifespan.startup`, waits for our answer, serves requests,
then sends `lifespan.shutdown`. The app's lifespan is an async context
manager: what runs before its `yield` is startup, what runs after is
shutdown, and a dict it yields becomes the starting state of every request.
"""

import inspect
import traceback
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, cast

from .concurrency import call
from .types import Receive, Scope, Send

# The app's lifespan: called with the app, it gives an async context manager
# that may yield the starting state of every request. (A plain async generator
# function is accepted too, and wrapped.)
LifespanState = Mapping[str, Any] | None
Lifespan = Callable[[Any], AbstractAsyncContextManager[LifespanState]]
LifespanGenerator = Callable[[Any], AsyncIterator[LifespanState]]
EventHandler = Callable[[], Any]  # a startup or shutdown function, sync or async


def event_handlers_lifespan(
    on_startup: list[EventHandler], on_shutdown: list[EventHandler]
) -> Lifespan:
    """The lifespan of an app without one: run the startup/shutdown handlers."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        for handler in on_startup:
            await call(handler)
        yield
        for handler in on_shutdown:
            await call(handler)

    return lifespan


def as_lifespan(lifespan: Lifespan | LifespanGenerator) -> Lifespan:
    """Accept a context manager factory, or a bare async generator function."""
    if inspect.isasyncgenfunction(lifespan):
        return asynccontextmanager(lifespan)
    return cast(Lifespan, lifespan)  # not a generator: a context manager factory


async def run_lifespan(
    scope: Scope, receive: Receive, send: Send, lifespan: Lifespan
) -> None:
    started = False
    await receive()  # lifespan.startup
    try:
        async with lifespan(scope.get("app")) as state:
            if state is not None:
                if "state" not in scope:
                    raise RuntimeError("the server does not support lifespan state")
                scope["state"].update(state)
            await send({"type": "lifespan.startup.complete"})
            started = True
            await receive()  # lifespan.shutdown
    except BaseException:
        phase = "shutdown" if started else "startup"
        message = traceback.format_exc()
        await send({"type": f"lifespan.{phase}.failed", "message": message})
        raise
    await send({"type": "lifespan.shutdown.complete"})
