"""Call user code that may be `async def` or plain `def`.

A coroutine function is awaited on the event loop. A plain function may block
(a database driver, a file read), so it runs in a worker thread instead, with
the caller's context variables copied in.
"""

import asyncio
import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any


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
