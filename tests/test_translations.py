"""Everything student-facing exists in English and Chinese, and the compiled catalog is current."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from backprop_lab.exercises import assignments
from backprop_lab.exercises.assignments import KNOWN
from backprop_lab.exercises.i18n import LOCALE_DIR, tr

ROOT = Path(__file__).resolve().parents[1]
PO = LOCALE_DIR / "zh" / "LC_MESSAGES" / "backprop_lab.po"


def source_messages() -> set[str]:
    found = set()
    for package in ("backprop_lab", "graders", "exercises", "solutions"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, keywords={"tr": (2,), "N_": None, "Nn_": (1, 2)}
        ):
            found.add(message)
    return found


def test_every_source_message_has_a_chinese_translation() -> None:
    with PO.open("rb") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string and all(m.string) and not m.fuzzy}
    missing = source_messages() - translated
    assert not missing, f"untranslated (run scripts/translations, then fill in the .po): {sorted(missing)}"


def test_compiled_catalog_matches_the_po_file() -> None:
    def plain(text: str | list[str] | tuple[str, ...]) -> str | tuple[str, ...]:  # plural forms: a sequence
        return text if isinstance(text, str) else tuple(text)

    with PO.open("rb") as f:
        po = {plain(m.id): plain(m.string) for m in read_po(f) if m.id}
    with PO.with_suffix(".mo").open("rb") as f:
        mo = {plain(m.id): plain(m.string) for m in read_mo(f) if m.id}
    assert mo == po, "the .mo is stale: run scripts/translations"


def test_chinese_text_is_served_at_run_time() -> None:
    assert tr("zh", "Forward pass") == "前向传播"
    assert tr("en", "Forward pass") == "Forward pass"


@pytest.mark.parametrize("name", list(KNOWN))
def test_every_step_text_and_hint_exists_in_both_languages(name) -> None:
    """The records' words are message ids like the framework's: each has its Chinese."""
    from backprop_lab.exercises.step import MUTATES_INPUT, PROPERTY_TITLES

    steps = assignments.get(name).steps
    texts = [(s.id, t) for s in steps for t in (s.title, s.instructions)]
    mistakes = [m for s in steps for m in (*s.misconceptions, MUTATES_INPUT)]
    texts += [(m.id, m.hint) for m in mistakes] + [(m.id, m.formula_hint) for m in mistakes if m.formula_hint]
    texts += list(PROPERTY_TITLES.items())
    for what, text in texts:
        assert text.strip() and tr("zh", text).strip() and tr("zh", text) != text, (what, text)


def test_no_message_is_translated_inside_an_f_string() -> None:
    """Babel cannot extract a tr() call written inside an f-string: it would stay English."""
    import re

    pattern = re.compile(r"""f(["'])[^"'\n]*\{tr\(""")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for package in ("backprop_lab", "graders", "exercises", "solutions")
        for path in (ROOT / package).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert not offenders, offenders
