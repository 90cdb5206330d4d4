"""The READMEs' Mermaid diagrams, and the tool that renders them.

Rendering every diagram takes Chromium about 15 s, so `.ci/run` does it
(`python tools/diagrams.py`), not this file. Here: every chapter README has a
diagram and the tool finds each one where it is; and, where mermaid-cli is
installed (CI installs it), the tool really fails on a diagram that does not
parse and names its README and line.
"""

from pathlib import Path

import diagrams as tool  # tools/diagrams.py
import pytest
from harness import all_chapters

BROKEN = """\
# A page

Some text.

```mermaid
flowchart TD
    server --> call["App.__call__"]
    call --> handler
```
"""


def test_every_chapter_readme_has_a_diagram():
    readmes = [c.path / "README.md" for c in all_chapters()]
    missing = [str(readme) for readme in readmes if not tool.diagrams_in(readme)]
    assert missing == []


def test_each_diagram_is_found_at_its_fence():
    found = [d for readme in tool.readmes() for d in tool.diagrams_in(readme)]
    assert len(found) >= len(all_chapters())
    for diagram in found:
        lines = diagram.readme.read_text(encoding="utf-8").splitlines()
        assert lines[diagram.line - 1].strip() == "```mermaid", diagram.where
        assert diagram.text.split()[0] in ("flowchart", "graph", "sequenceDiagram")


def test_an_indented_block_is_found_without_its_indentation(tmp_path: Path):
    page = tmp_path / "README.md"
    page.write_text("- an item:\n\n  ```mermaid\n  flowchart LR\n    a --> b\n  ```\n")
    (diagram,) = tool.diagrams_in(page)
    assert (diagram.line, diagram.text) == (3, "flowchart LR\n  a --> b\n")


@pytest.mark.slow
def test_a_diagram_that_does_not_parse_is_reported(tmp_path: Path, capsys):
    mmdc = tool.find_mmdc()
    if mmdc is None:
        pytest.skip("mermaid-cli (npm) is not installed: tools/diagrams.py --install")
    page = tmp_path / "README.md"
    page.write_text(BROKEN)
    assert tool.main([str(page), "--mmdc", mmdc]) == 1
    report = capsys.readouterr()
    assert f"{page}:5: does not render" in report.err
    assert "Parse error" in report.err
    assert report.out == "0 of 1 diagrams (1 files) render\n"
