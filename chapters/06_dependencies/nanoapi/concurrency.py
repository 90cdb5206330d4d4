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


def is_async(
    func: Callable[..., Any], test: Callable[[Any], bool] = inspect.iscoroutinefunction
) -> bool:
    """Does `test` hold for the function, or for a callable object's __call__?"""
    if inspect.isclass(func):
        return False
    return test(func) or test(getattr(func, "__call__", None))  # noqa: B004


def as_async(func: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """`func` itself if it is async, else a call of it in the thread pool.

    Decide once (at registration) and keep the result: the test costs time.
    """
    if is_async(func):
        return func
    return functools.partial(run_in_threadpool, func)


async def call(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Await `func(...)` if it is async, else run it in the thread pool."""
    return await as_async(func)(*args, **kwargs)
