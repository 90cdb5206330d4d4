"""Call user code that may be `async def` or plain `def`.

A coroutine function is awaited on the event loop. A plain function may block
(a database driver, a file read), so it runs in a worker thread instead, with
the caller's context variables copied in.
"""

import asyncio
import functools
import inspect
from collections.abc import Callable
from typing import Any


async def run_in_threadpool(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(functools.partial(func, *args, **kwargs))


async def call(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Await `func(...)` if it is async, else run it in the thread pool."""
    if inspect.iscoroutinefunction(func):
        return await func(*args, **kwargs)
    return await run_in_threadpool(func, *args, **kwargs)
