"""The package reads bottom-up: no module imports one from a layer above it.

The layers are the style guide's, bottom to top. A module of a layer may
import from its own layer and the ones below; the other side of ASGI (the
server, the TestClient) imports the protocol's types only, so that it serves
or calls any ASGI app, not just ours. A new module must be given a layer here.
"""

import ast

import pytest
from harness import PACKAGE, all_chapters

SECURITY = {"security", "security.base", "security.api_key", "security.http"}
SECURITY |= {"security.oauth2"}
LAYERS = [
    ("protocol", {"types"}),
    (
        "HTTP objects",
        {"concurrency", "background", "datastructures", "requests", "responses"}
        | {"status", "encoders", "lifespan", "convertors", "formparsers"}
        | {"websockets", "sse"},
    ),
    ("errors", {"exceptions", "exception_handlers"}),
    (
        "the onion",
        {"middleware", "middleware.errors", "middleware.exceptions"}
        | {"middleware.dispatch"},
    ),
    ("dispatch", {"router"}),
    ("the contract", {"params", "dependencies", "routing"} | SECURITY),
    ("documents", {"openapi", "docs", "openapi.utils", "openapi.docs"}),
    ("the face", {"applications", "__init__"}),
]
OTHER_SIDE = {"server", "server_websocket", "testclient", "__main__"}
# The one exception: the TestClient raises the framework's WebSocketDisconnect,
# the class a test catches around `websocket_connect` (as Starlette's does).
ALSO = {"testclient": {"websockets"}}
LEVEL = {
    module: level for level, (_, modules) in enumerate(LAYERS) for module in modules
}


def relative_imports(path, module):
    """The package modules that `module` (dotted, relative to the package) imports."""
    package = module.split(".")[:-1] if path.name != "__init__.py" else []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            target = ".".join([*base, node.module] if node.module else base)
            names = [target] if node.module else [a.name for a in node.names]
            yield from (n for n in names if n)


@pytest.mark.parametrize("chapter", all_chapters(), ids=lambda c: c.slug)
def test_no_module_imports_a_layer_above_its_own(chapter):
    root = chapter.path / PACKAGE
    wrong = []
    for path in sorted(root.rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        module = module.removesuffix(".__init__") or "__init__"
        if module in OTHER_SIDE:
            allowed = {"types", *OTHER_SIDE, *ALSO.get(module, ())}
            wrong += [
                (module, t) for t in relative_imports(path, module) if t not in allowed
            ]
            continue
        assert module in LEVEL, f"{chapter.slug}: give {module} a layer in test_layers"
        for target in relative_imports(path, module):
            if target not in LEVEL and target not in OTHER_SIDE:
                continue  # `from . import status` style: checked as its own name
            if target in OTHER_SIDE or LEVEL[target] > LEVEL[module]:
                wrong.append((module, target))
    assert not wrong, f"{chapter.slug}: imports from a layer above: {wrong}"
