"""Run chapter 08's server, like `python -m nanoapi`, for any chapter's app.

`python -m nanoapi` would import the server's package under the name
`nanoapi`, the very name the app's own chapter package needs. So this script
loads the server's chapter package under its alias (see harness.py) and runs
its command line; the app then imports its own chapter's `nanoapi`.

    python tests/our_server.py app:app --app-dir chapters/03_middleware --port 8000
"""

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import all_chapters, load_package

if __name__ == "__main__":
    chapter = next(c for c in all_chapters() if (c.path / "nanoapi/server.py").exists())
    package = load_package(chapter)
    command_line = importlib.import_module(package.__name__ + ".__main__")
    sys.exit(command_line.main(sys.argv[1:]))
