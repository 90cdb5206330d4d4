"""Background tasks: work that runs after the response has been sent.

A handler adds tasks (`tasks.add_task(send_email, to)`); the Response runs
them once its last body message is out, so the client does not wait.
"""

from collections.abc import Callable
from typing import Any

from .concurrency import call


class BackgroundTask:
    def __init__(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.func, self.args, self.kwargs = func, args, kwargs

    async def __call__(self) -> None:
        await call(self.func, *self.args, **self.kwargs)


class BackgroundTasks(BackgroundTask):
    """Several tasks, run one after the other in the order they were added."""

    def __init__(self, tasks: list[BackgroundTask] | None = None) -> None:
        self.tasks = list(tasks or [])

    def add_task(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.tasks.append(BackgroundTask(func, *args, **kwargs))

    async def __call__(self) -> None:
        for task in self.tasks:
            await task()
