"""nanoapi: a small ASGI framework, rebuilt one layer per chapter.

After chapter 01 the package holds only the protocol's vocabulary: the types
that every later layer speaks. The demo app next to it (`app.py`) is a bare
ASGI function written with nothing but these types.
"""

from .types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ASGIApp", "Message", "Receive", "Scope", "Send"]
