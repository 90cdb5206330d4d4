"""The workshop's launcher, installed by requirements.txt: not the framework.

`python -m nanoapi app:app --app-dir chapters/08_server` imports this package
first (it is the `nanoapi` in site-packages); its `__main__` then hands over
to the real package of a chapter folder, read in place. Anywhere a chapter
folder comes first on `sys.path` (inside the folder, `--app-dir`, PYTHONPATH,
the notebooks), that chapter's `nanoapi` is imported and this one is never seen.
"""


def __getattr__(name: str) -> object:
    raise AttributeError(
        f"module 'nanoapi' has no attribute {name!r}: this `nanoapi` is the "
        "workshop's launcher (tools/launcher), not the framework; put a chapter "
        "folder first on sys.path, e.g. sys.path.insert(0, 'chapters/08_server')"
    )
