"""`python -m nanoapi APP [--app-dir DIR] ...`, run by a chapter's own package.

Which chapter's package serves the app:

1. the one in `--app-dir`, when that folder has a `nanoapi/` package (a
   chapter folder, or a learner's `workspace/NN_slug`): the app then runs on
   the framework it was written for, and the server is that chapter's;
2. otherwise the last chapter whose package has a server, found from the
   current folder (the repository root or anywhere inside it).

The package is imported from its folder, never copied, so an edit takes
effect on the next run, and nothing is written into the chapter folder.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

PACKAGE = "nanoapi"


def app_dir(argv: list[str]) -> Path:
    """The folder `--app-dir` names (either spelling), or the current one."""
    for index, arg in enumerate(argv):
        if arg == "--app-dir" and index + 1 < len(argv):
            return Path(argv[index + 1])
        if arg.startswith("--app-dir="):
            return Path(arg.partition("=")[2])
    return Path.cwd()


def last_chapter(start: Path) -> Path | None:
    """The last `chapters/NN_slug` with a server, in `start` or a folder above it."""
    for folder in [start, *start.parents]:
        served = sorted(folder.glob(f"chapters/[0-9][0-9]_*/{PACKAGE}/__main__.py"))
        if served:
            return served[-1].parent.parent
    return None


def chapter_for(argv: list[str]) -> Path | None:
    """The folder whose `nanoapi` package serves this command line."""
    folder = app_dir(argv).resolve()
    if (folder / PACKAGE / "__init__.py").is_file():
        return folder
    return last_chapter(Path.cwd().resolve())


def main(argv: list[str]) -> None:
    chapter = chapter_for(argv)
    if chapter is None:
        sys.exit(
            "python -m nanoapi: no chapter package to run. Run it from the "
            "workshop's repository, or give --app-dir a folder that holds a "
            "nanoapi/ package (such as chapters/08_server)."
        )
    if not (chapter / PACKAGE / "__main__.py").is_file():
        sys.exit(
            f"python -m nanoapi: {chapter / PACKAGE} has no server yet (the server "
            "comes in chapter 08). Serve it with uvicorn, or with "
            "`python tests/our_server.py APP --app-dir DIR`."
        )
    # Forget this launcher and import the chapter's package under the same name.
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith("nanoapi.")]:
        del sys.modules[name]
    sys.path.insert(0, str(chapter))
    runpy.run_module(PACKAGE, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
