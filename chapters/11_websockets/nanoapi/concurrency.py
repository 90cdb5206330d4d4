"""Call user code that may be `async def` or plain `def`.

A coroutine function is awaited on the event loop. A plain function may block
(a database driver, a file read), so it runs in a worker thread instead, with
the caller's context variables copied in.
"""

import asyncio
import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import suppress
from typing import Any, TypeVar

T = TypeVar("T")


async def run_in_threadpool(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(functools.partial(func, *args, **kwargs))


def as_async(func: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """`func` itself if it is async, else a call of it in the thread pool.

    Decide once (at registration) and keep the result: the test costs time.
    """
    if inspect.iscoroutinefunction(func):
        return func
    return functools.partial(run_in_threadpool, func)


async def call(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Await `func(...)` if it is async, else run it in the thread pool."""
    return await as_async(func)(*args, **kwargs)


async def iterate_in_threadpool(iterable: Iterable[T]) -> AsyncIterator[T]:
    """A plain iterator (a `def` generator) as an async one: each step in a
    worker thread. Left early, the generator is closed, so its cleanup runs."""
    items, done = iter(iterable), object()
    try:
        while (item := await run_in_threadpool(next, items, done)) is not done:
            yield item
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            with suppress(ValueError):  # still running in its thread: it ends there
                await run_in_threadpool(close)
