"""Student-facing text in English and Chinese through gettext catalogs.

Source strings are English; `exercises/locale/zh/LC_MESSAGES/backprop_lab.po` holds the
Chinese. The compiled `.mo` is committed beside it (tests check the two agree).
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Plural:
    """A message whose wording depends on a count ("fails" / "fail"): its English singular and
    plural, and the value that decides, a number or a list written "a, b, c"."""

    singular: str
    plural: str
    counted: str

    def count(self, values: dict[str, object]) -> int:
        value = values[self.counted]
        return value if isinstance(value, int) else len(str(value).split(", "))


def Nn_(singular: str, plural: str, counted: str) -> Plural:
    """Mark a message with plural forms for extraction (babel keyword `Nn_:1,2`)."""
    return Plural(singular, plural, counted)


def tr(lang: str, message: str | Plural, /, **values: object) -> str:
    """`message` in `lang`, with {placeholders} filled after translation; a Plural takes the
    form the language's own rule gives for its count (ngettext)."""
    if isinstance(message, Plural):
        text = translator(lang).ngettext(message.singular, message.plural, message.count(values))
    else:
        text = translator(lang).gettext(message)
    return text.format(**values) if values else text
