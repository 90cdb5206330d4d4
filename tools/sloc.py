"""Count a package's code lines: what a reader has to read, not what explains it.

    python tools/sloc.py chapters/08_server           # per module, and the total
    python tools/sloc.py chapters/08_server chapters/09_dropin   # what 09 adds
    python tools/sloc.py FILE --names NAME...         # some functions or classes

A code line holds a token of code. Blank lines, comment-only lines and
docstrings do not count; a statement spread over three lines counts three. The
framework is the package without the other side of ASGI (the server and its
WebSocket session, its command line, the TestClient), which is what the size
goals are about.
"""

from __future__ import annotations

import argparse
import ast
import io
import sys
import textwrap
import tokenize
from pathlib import Path

NOT_FRAMEWORK = {"server.py", "server_websocket.py", "__main__.py", "testclient.py"}
SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT}
SKIPPED |= {tokenize.DEDENT, tokenize.ENDMARKER}


def docstring_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    owners = ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
    for node in ast.walk(tree):
        first = node.body[0] if isinstance(node, owners) and node.body else None
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            lines.update(range(first.lineno, (first.end_lineno or 0) + 1))
    return lines


def code_lines(source: str) -> int:
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in SKIPPED:
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstring_lines(ast.parse(source)))


def named_lines(path: Path, names: list[str]) -> dict[str, int]:
    """Code lines of top-level functions and classes (or `Class.method`)."""
    source = path.read_text()
    tree = ast.parse(source)
    found: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found[node.name] = node
            for inner in node.body if isinstance(node, ast.ClassDef) else []:
                if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
                    found[f"{node.name}.{inner.name}"] = inner
    lines = source.splitlines(keepends=True)
    counts = {}
    for name in names:
        node = found[name]
        start = min(
            [node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]
        )
        text = "".join(lines[start - 1 : node.end_lineno])
        counts[name] = code_lines(textwrap.dedent(text))
    return counts


def count(chapter: Path) -> dict[str, int]:
    """Code lines per framework module of a chapter's `nanoapi` package."""
    package = chapter / "nanoapi"
    return {
        str(path.relative_to(package)): code_lines(path.read_text())
        for path in sorted(package.rglob("*.py"))
        if path.name not in NOT_FRAMEWORK
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapter", type=Path, help="a chapter, or with --names a file")
    parser.add_argument("later", type=Path, nargs="?", help="show what it adds")
    parser.add_argument("--names", nargs="+", help="count these functions or classes")
    args = parser.parse_args(argv)
    if args.names:
        counts = named_lines(args.chapter, args.names)
        for name, lines in counts.items():
            print(f"{lines:6}  {name}")
        print(f"{sum(counts.values()):6}  together")
        return 0
    before = count(args.chapter)
    if args.later is None:
        for module, lines in before.items():
            print(f"{lines:6}  {module}")
        print(f"{sum(before.values()):6}  framework total")
        return 0
    after = count(args.later)
    for module in sorted(before.keys() | after.keys()):
        change = after.get(module, 0) - before.get(module, 0)
        if change:
            print(f"{change:+6}  {module}")
    total = sum(after.values()) - sum(before.values())
    print(f"{total:+6}  framework total ({sum(after.values())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
