"""Learner mode's failure messages (tests/learner.py) stay true.

Every README section they name is a heading of that chapter's README, every
module and name a chapter adds to the package is mapped to one, and the known
error patterns give the hints a learner needs.
"""

import ast
import re

import pytest
from harness import ROOT, all_chapters, find_chapter, target_chapter
from learner import ALIAS, SECTIONS, hints

# Finished chapters: a README and a notebook (a chapter in progress has neither
# yet, or a README copied from the chapter before).
WRITTEN = [
    c
    for c in all_chapters()
    if (c.path / "README.md").exists()
    and (ROOT / "solutions" / f"{c.slug}.py").exists()
]


def headings(chapter) -> set[str]:
    text = (chapter.path / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^#{2,3} (.+?)\s*$", text, re.M))


def added(chapter) -> set[str]:
    """The modules and the exported names this chapter's package adds."""

    def contents(c):
        package = c.path / "nanoapi"
        files = [p.relative_to(package).with_suffix("") for p in package.rglob("*.py")]
        modules = {".".join(p.parts).removesuffix(".__init__") for p in files}
        tree = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
        exported = [
            {element.value for element in node.value.elts}
            for node in tree.body
            if isinstance(node, ast.Assign)
            and any(getattr(t, "id", "") == "__all__" for t in node.targets)
        ]
        return (modules - {"__init__"}) | (exported[0] if exported else set())

    earlier = [c for c in all_chapters() if c < chapter]
    return contents(chapter) - (contents(earlier[-1]) if earlier else set())


@pytest.mark.parametrize("chapter", WRITTEN, ids=[c.slug for c in WRITTEN])
def test_every_section_named_is_a_heading_of_the_readme(chapter):
    named = set(SECTIONS.get(chapter.number, {}).values())
    assert named - headings(chapter) == set()


@pytest.mark.parametrize("chapter", WRITTEN, ids=[c.slug for c in WRITTEN])
def test_every_module_and_name_the_chapter_adds_has_a_section(chapter):
    mapped = set(SECTIONS.get(chapter.number, {}))
    assert added(chapter) - mapped == set()


def test_the_sections_belong_to_chapters_that_exist():
    assert set(SECTIONS) <= {c.number for c in all_chapters()}


@pytest.fixture
def learner_04(tmp_path):
    return target_chapter(tmp_path, like=find_chapter("04"))


def test_a_missing_module_explains_the_alias_and_where_to_read(learner_04):
    said = "\n".join(
        hints(
            AttributeError(f"module '{ALIAS}' has no attribute 'routing'"), learner_04
        )
    )
    assert f"`{ALIAS}` is your package ({learner_04.path}/nanoapi)" in said
    assert "no `routing` yet" in said
    assert 'chapters/04_router/README.md, section "Route and APIRoute"' in said


@pytest.mark.parametrize(
    "error",
    [
        ModuleNotFoundError(f"No module named '{ALIAS}.routing'"),
        ImportError(f"cannot import name 'routing' from '{ALIAS}' (unknown location)"),
    ],
    ids=["no-module", "cannot-import"],
)
def test_an_import_error_names_the_section_too(learner_04, error):
    said = "\n".join(hints(error, learner_04))
    assert f"`{ALIAS}` is your package" in said
    assert 'section "Route and APIRoute"' in said


def test_a_def_handler_awaited_says_to_run_it_in_a_thread(learner_04):
    error = TypeError("object PlainTextResponse can't be used in 'await' expression")
    said = "\n".join(hints(error, learner_04))
    assert "worker thread" in said
    assert 'chapters/04_router/README.md, section "Route and APIRoute"' in said


def test_a_name_of_an_earlier_chapter_points_to_that_chapter(learner_04):
    said = "\n".join(
        hints(AttributeError(f"module '{ALIAS}' has no attribute 'State'"), learner_04)
    )
    assert 'chapters/03_middleware/README.md, section "The lifespan"' in said


def test_an_unknown_error_adds_nothing(learner_04):
    assert hints(ZeroDivisionError("division by zero"), learner_04) == []


def test_an_option_of_the_long_tail_points_to_chapter_09(tmp_path):
    learner_09 = target_chapter(tmp_path, like=find_chapter("09"))
    error = TypeError(
        "APIRouter.__init__() got an unexpected keyword argument 'route_class'"
    )
    said = "\n".join(hints(error, learner_09))
    assert "`route_class` is not taken yet" in said
    assert (
        'chapters/09_dropin/README.md, section "What the long tail is, measured"'
        in said
    )
