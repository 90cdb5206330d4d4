"""Helpers the workshop notebooks import: for now, the `check` that grades an exercise.

Each exercise in a notebook is followed by a check cell that runs the learner's
code and says, in one line, whether it works yet:

    with check("Exercise 1: GET / answers 200 with a greeting"):
        response = await client.get("/")
        assert response.status_code == 200, f"expected 200, got {response.status_code}"

prints `✅ Exercise 1: GET / answers 200 with a greeting: passed`, or `❌ ...: not
yet` and the reason, then re-raises so the cell turns red.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from contextlib import contextmanager

STUB_LEFT = (
    "this exercise still has `raise NotImplementedError` in it: write your code there"
)


@contextmanager
def check(title: str) -> Iterator[None]:
    """Run the block as the check named `title`, and say whether it passed."""
    try:
        yield
    except Exception as error:
        print(f"❌ {title}: not yet")
        print(f"   {reason(error)}")
        raise
    print(f"✅ {title}: passed")


def reason(error: Exception) -> str:
    """One line that tells the learner why a check failed."""
    if isinstance(error, NotImplementedError):
        return STUB_LEFT
    if isinstance(error, AssertionError):
        return one_line(str(error)) or f"this did not hold: {failed_line(error)}"
    return one_line(f"{type(error).__name__}: {error}")


def failed_line(error: BaseException) -> str:
    """The source line that raised `error` (a bare `assert` has no message)."""
    frames = traceback.extract_tb(error.__traceback__)
    return (frames[-1].line or "an assertion") if frames else "an assertion"


def one_line(text: str) -> str:
    """`text` with its lines joined, so a reason never spills over several lines."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())
