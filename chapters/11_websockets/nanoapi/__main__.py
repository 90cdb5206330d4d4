"""The command line of the server: `python -m nanoapi app:app --port 8000`.

It reads uvicorn-like options, imports the app named as `module:attribute`
(with `--app-dir` first on `sys.path`), logs to stderr and hands both to
`server.run`. The exit code says how the server ended.
"""

import argparse
import importlib
import logging
import sys
from typing import Any

from .server import Config, run
from .types import ASGIApp

LOG_LEVELS = ["critical", "error", "warning", "info", "debug"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m nanoapi", description="Serve an ASGI app over HTTP/1.1."
    )
    parser.add_argument("app", help="the app to serve, as module:attribute")
    parser.add_argument(
        "--app-dir", default=".", help="put this folder first on sys.path"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--root-path", default="", help="the URL prefix a proxy strips for us"
    )
    parser.add_argument(
        "--timeout-keep-alive",
        type=float,
        default=5.0,
        help="seconds to wait for the next request on a connection",
    )
    parser.add_argument(
        "--timeout-graceful-shutdown",
        type=float,
        default=10.0,
        help="seconds that requests in flight get to finish on shutdown",
    )
    parser.add_argument(
        "--ws-max-size",
        type=int,
        default=16 * 1024 * 1024,
        help="the largest WebSocket message taken, in bytes",
    )
    parser.add_argument("--log-level", default="info", choices=LOG_LEVELS)
    return parser.parse_args(argv)


def import_app(import_string: str, app_dir: str) -> ASGIApp:
    """`module:attribute` to the object it names; LookupError if there is none."""
    module_name, _, attribute = import_string.partition(":")
    if not module_name or not attribute:
        raise LookupError(f"{import_string!r} is not in the form 'module:attribute'")
    sys.path.insert(0, app_dir)
    found: Any  # a module, then what its attribute holds
    try:
        found = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise  # the module exists but imports something missing: show it
        raise LookupError(f"Could not import module {module_name!r}.") from None
    for name in attribute.split("."):
        if not hasattr(found, name):
            raise LookupError(f"No attribute {attribute!r} in module {module_name!r}.")
        found = getattr(found, name)
    app: ASGIApp = found  # whatever it is: serving it will tell
    return app


class LevelPrefixFormatter(logging.Formatter):
    """`INFO:     message`: the layout uvicorn's logs have."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname + ':':<9} {super().format(record)}"


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LevelPrefixFormatter("%(message)s"))
    logger = logging.getLogger("nanoapi")  # parent of nanoapi.server and .access
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging(args.log_level)
    try:
        app = import_app(args.app, args.app_dir)
    except LookupError as exc:
        logging.getLogger("nanoapi.server").error("Error loading ASGI app. %s", exc)
        return 1
    config = Config(
        host=args.host,
        port=args.port,
        root_path=args.root_path,
        timeout_keep_alive=args.timeout_keep_alive,
        timeout_graceful_shutdown=args.timeout_graceful_shutdown,
        ws_max_size=args.ws_max_size,
    )
    return run(app, config)


if __name__ == "__main__":
    sys.exit(main())
