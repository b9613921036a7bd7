"""A feedback page is rendered a heading's section at a time (the sections many students
share, a step's details or an overview, are rendered once): the page must be byte for byte
the page rendered whole, whatever the student's text does, and a text that could make a cut
matter is rendered whole."""

from __future__ import annotations

import pytest

from backprop_lab.feedback import _MARKDOWN, _collapsed, fenced, step_sections, to_html

HEAD = (
    "# Backpropagation assignment: s1\n\n**Score: 5 / 10**\n\n"
    "## Overview\n\n- ✓ sigmoid — 5/5\n\n## Details\n"
)
PASSED = "### sigmoid — 5/5\n\nAll 9 cases passed."


def page(*steps: str) -> str:
    """Laid out as submission_feedback lays it out: the head, then each step and a blank line."""
    return HEAD + "".join(f"\n{step}\n" for step in steps)


def printed(text: str) -> str:
    return "\n".join(["### forward — 0/5", "", "Your code printed:", *fenced(text)])


HOSTILE = {
    "a heading inside printed output": printed("### not a step\n## nor this"),
    "a fence inside printed output": printed("```\n### inside\n````"),
    "an unclosed tilde fence": "### forward — 0/5\n\n~~~\n" + PASSED,
    "an HTML comment across steps": "### forward — 0/5\n\n<!--\n",
    "a link definition": "### forward — 0/5\n\n[x]: http://example.com\n\n[x]",
    "an unclosed backtick fence": "### forward — 0/5\n\n```\n" + PASSED,
    "a list": "### forward — 0/5\n\n- one\n- two",
    "a fence in a list item": "### forward — 0/5\n\n- ```\n" + PASSED,
    "a carriage return": "### forward — 0/5\n\n```\nx\r```\n" + PASSED,
    "a list run up to a heading": "### forward — 0/5\n\n- one\n  still one\n## Details",
    "a paragraph run up to a heading": "### forward — 0/5\n\ntext\n# title\ntext",
    "a block quote run up to a heading": "### forward — 0/5\n\n> quoted\n## not quoted",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_page_in_sections_is_the_page_rendered_whole(name: str) -> None:
    text = page(PASSED, HOSTILE[name], PASSED)
    assert f"\n{_collapsed(_MARKDOWN(text))}</body></html>\n" in to_html(text, "s1")
    sections = step_sections(text)
    if sections is not None:
        assert "".join(sections) == text
        assert "".join(_MARKDOWN(s) for s in sections) == _MARKDOWN(text)


def test_cut_before_each_heading_and_only_there() -> None:
    text = page(PASSED, printed("### not a step\n# nor a title"), PASSED)
    sections = step_sections(text)
    assert sections is not None
    first_lines = [s.splitlines()[0] for s in sections]
    steps = ["### sigmoid — 5/5", "### forward — 0/5", "### sigmoid — 5/5"]
    assert first_lines == ["# Backpropagation assignment: s1", "## Overview", "## Details", *steps]


def test_two_students_with_the_same_overview_share_its_section() -> None:
    """The title (its id) is a student's own; the overview after it is shared, and rendered once."""
    one, two = (step_sections(page(PASSED).replace("s1", name)) for name in ("s1", "s2"))
    assert one is not None and two is not None
    assert one[0] != two[0]
    assert one[1:] == two[1:]


UNSAFE = [
    "an unclosed tilde fence",
    "an HTML comment across steps",
    "a link definition",
    "an unclosed backtick fence",
    "a fence in a list item",
    "a carriage return",
    "a block quote run up to a heading",
]


@pytest.mark.parametrize("name", UNSAFE)
def test_text_a_cut_could_change_is_rendered_whole(name: str) -> None:
    assert step_sections(page(PASSED, HOSTILE[name], PASSED)) is None


def test_a_fence_indented_in_a_list_item_is_rendered_whole() -> None:
    """Ours start at a line's start; an indented one ends with its list, not where a cut sees it
    (found by fuzzing: `- ` then an indented fence, a heading, text)."""
    text = "- \n  ```\ntext\n```\n## \n: def"
    assert step_sections(text) is None
    assert f"\n{_collapsed(_MARKDOWN(text))}</body></html>\n" in to_html(text, "s1")
