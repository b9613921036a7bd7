"""Student-facing text in English and Chinese through gettext catalogs.

Source strings are English; `exercises/locale/zh/LC_MESSAGES/backprop_lab.po` holds the
Chinese. The compiled `.mo` is committed beside it (tests check the two agree).
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "backprop_lab"
LANGUAGES = ("en", "zh")


@cache
def translator(lang: str) -> gettext.NullTranslations:
    """The catalog for a language; English is the source text itself."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang])


def N_(message: str) -> str:
    """Mark a string for extraction where it is translated later (catalog data)."""
    return message


def tr(lang: str, message: str, /, **values: object) -> str:
    """`message` in `lang`, with {placeholders} filled after translation."""
    text = translator(lang).gettext(message)
    return text.format(**values) if values else text
