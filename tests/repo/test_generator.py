"""The learner-notebook generator removes exactly the marked blocks, nothing else.

Learners of other courses complained when a generator ate more than the solution,
so these tests compare every cell and every line outside the blocks.
"""

import copy
import re
from pathlib import Path

import jupytext
import pytest
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from notebooks import MarkerError, generate, unpaired

FIXTURE_SOLUTION = Path(__file__).parent / "fixtures/solutions/01_example.py"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def stub(number: int, indent: str = "") -> str:
    return (
        f"{indent}# YOUR CODE HERE (exercise {number})\n"
        f'{indent}raise NotImplementedError("Exercise {number}: your code here")'
    )


def notebook(*cells: NotebookNode) -> NotebookNode:
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    return nb


def code(*lines: str) -> NotebookNode:
    return new_code_cell("\n".join(lines))


def test_a_block_becomes_a_stub_at_the_markers_indentation():
    cell = code(
        "def greet(name):",
        f"    {BEGIN}",
        "    greeting = 'Hello'",
        "    return f'{greeting}, {name}'",
        f"    {END}",
        "",
        "print(greet('Ada'))",
    )
    learner = generate(notebook(new_markdown_cell("## Exercise 3: greet"), cell))
    assert learner.cells[1].source == "\n".join(
        ["def greet(name):", stub(3, "    "), "", "print(greet('Ada'))"]
    )


def test_two_blocks_in_one_cell_share_the_heading_number():
    cell = code("a = 1", BEGIN, "b = 2", END, "c = 3", f"  {BEGIN}", "d = 4", END)
    learner = generate(notebook(new_markdown_cell("### Exercise 2: two"), cell))
    expected = ["a = 1", stub(2), "c = 3", stub(2, "  ")]
    assert learner.cells[1].source == "\n".join(expected)


def test_without_headings_blocks_are_counted_from_one():
    first = code(BEGIN, "x = 1", END, BEGIN, "y = 2", END)
    second = code("z = 0", BEGIN, "z = 3", END)
    learner = generate(notebook(first, new_markdown_cell("No heading here"), second))
    assert learner.cells[0].source == f"{stub(1)}\n{stub(2)}"
    assert learner.cells[2].source == f"z = 0\n{stub(3)}"


def test_the_nearest_heading_above_gives_the_number():
    learner = generate(
        notebook(
            new_markdown_cell("# Chapter\n\n### Exercise 1: a\n\n### Exercise 4: b"),
            code(BEGIN, "a = 1", END),
            new_markdown_cell("Some prose, no heading."),
            code(BEGIN, "b = 1", END),
            new_markdown_cell("## exercise 5\nlower case is fine"),
            code(BEGIN, "c = 1", END),
        )
    )
    assert [learner.cells[i].source for i in (1, 3, 5)] == [stub(4), stub(4), stub(5)]


def test_a_mention_of_exercise_outside_a_heading_is_not_a_number():
    cells = [new_markdown_cell("Unlike Exercise 7, this one..."), code(BEGIN, END)]
    assert generate(notebook(*cells)).cells[1].source == stub(1)


def test_a_block_at_the_end_of_a_cell_keeps_the_cells_last_line_ending():
    with_newline = new_code_cell(f"{BEGIN}\nx = 1\n{END}\n")
    assert generate(notebook(with_newline)).cells[0].source == stub(1) + "\n"


def test_markers_outside_code_cells_are_left_alone():
    prose = f"Mark your answer:\n\n    {BEGIN}\n    ...\n    {END}\n\nor a stray {END}"
    nb = notebook(new_markdown_cell(prose), new_raw_cell(f"{BEGIN}\nraw\n"))
    assert generate(nb) == nb


def test_a_notebook_without_markers_is_copied_unchanged():
    nb = jupytext.read(FIXTURE_SOLUTION)
    for cell in nb.cells:
        cell.source = "\n".join(
            line for line in cell.source.splitlines() if "SOLUTION" not in line
        )
    assert generate(nb) == nb


def test_generate_does_not_change_its_input():
    nb = jupytext.read(FIXTURE_SOLUTION)
    before = copy.deepcopy(nb)
    generate(nb)
    assert nb == before


def without_blocks(source: str, pattern: str) -> list[str]:
    """A cell's lines with each block (or each stub) replaced by one placeholder."""
    return re.sub(pattern, "<block>", source, flags=re.S | re.M).splitlines()


SOLVED = r"^[ \t]*### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION$"
STUBBED = r"^[ \t]*# YOUR CODE HERE \(exercise \d+\)\n[ \t]*raise NotImplemented.*?$"


def test_everything_outside_the_blocks_is_identical_in_the_example():
    solved = jupytext.read(FIXTURE_SOLUTION)
    learner = generate(solved)
    assert learner.metadata == solved.metadata
    assert learner.nbformat_minor == solved.nbformat_minor
    assert len(learner.cells) == len(solved.cells)
    changed = 0
    for before, after in zip(solved.cells, learner.cells, strict=True):
        assert {**before, "source": ""} == {**after, "source": ""}  # id, type, ...
        if before.source != after.source:
            changed += 1
            assert without_blocks(after.source, STUBBED) == without_blocks(
                before.source, SOLVED
            )
            assert BEGIN not in after.source
    assert changed == 2  # the example has two exercise cells


def test_the_solution_never_reaches_the_learner():
    learner = generate(jupytext.read(FIXTURE_SOLUTION))
    text = "".join(cell.source for cell in learner.cells)
    assert 'return f"Hello, {name}!"' not in text
    assert '"body": b"hi"' not in text
    assert text.count("raise NotImplementedError") == 2
    assert 'NotImplementedError("Exercise 2: your code here")' in text


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ([END], "line 1: `### END SOLUTION` without a `### BEGIN SOLUTION`"),
        (["x = 1", BEGIN, "y = 2"], "line 2: `### BEGIN SOLUTION` is never closed"),
        ([BEGIN, "  " + BEGIN, END, END], "line 2: `### BEGIN SOLUTION` inside"),
        ([BEGIN, END, END], "line 3: `### END SOLUTION` without"),
        (["x = 1  " + BEGIN, END], "line 1: 'x = 1  ### BEGIN SOLUTION' is not"),
        (["## BEGIN SOLUTION", "x = 1", "## END SOLUTION"], "line 1: '## BEGIN"),
    ],
    ids=["stray-end", "unclosed", "nested", "extra-end", "not-alone", "near-miss"],
)
def test_unbalanced_markers_name_the_file_cell_and_line(lines, problem):
    nb = notebook(new_markdown_cell("Intro"), code("import sys"), code(*lines))
    with pytest.raises(MarkerError) as caught:
        generate(nb, name="solutions/99_demo.ipynb")
    assert str(caught.value).startswith(f"solutions/99_demo.ipynb, cell 2, {problem}")


def test_a_block_may_not_span_two_cells():
    nb = notebook(code(BEGIN, "x = 1"), code("y = 2", END))
    with pytest.raises(MarkerError, match=r"cell 0, line 1: .* is never closed"):
        generate(nb)


def test_unpaired_drops_the_pairing_and_nothing_else():
    nb = notebook(code("x = 1"))
    nb.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    assert "jupytext" not in unpaired(nb).metadata
    assert unpaired(nb).metadata["kernelspec"] == nb.metadata["kernelspec"]
    nb.metadata["jupytext"]["main_language"] = "python"
    assert unpaired(nb).metadata["jupytext"] == {"main_language": "python"}
    assert unpaired(nb).cells == nb.cells
