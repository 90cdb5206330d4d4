"""tools/sloc.py counts code lines: not blank lines, comments or docstrings."""

import sloc

SOURCE = '''"""A module docstring,
on two lines."""

import os  # a comment after code still counts


def f(
    a: int,
) -> int:
    """A function's docstring."""
    # a comment line
    text = """a string that is
    not a docstring"""
    return a + len(text)
'''


def test_code_lines_are_those_with_code_on_them():
    # import, def (3 lines), text (2 lines), return
    assert sloc.code_lines(SOURCE) == 7


def test_the_framework_leaves_out_the_other_side(tmp_path):
    package = tmp_path / "nanoapi"
    package.mkdir()
    other_side = ("server.py", "server_websocket.py", "__main__.py", "testclient.py")
    for name in ("__init__.py", *other_side):
        (package / name).write_text("x = 1\n")
    assert sloc.count(tmp_path) == {"__init__.py": 1}
