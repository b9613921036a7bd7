"""Student-facing text in English and Chinese: one mechanism, English message ids looked up by `tr`.

Source strings are English, in the code and in the assignments' records alike;
`exercises/locale/zh/LC_MESSAGES/backprop_lab.po` holds the Chinese. The compiled `.mo`
is committed beside it (tests check the two agree). Text an instructor writes in a
course file (a step or a mistake of their own) comes with its translations and is added
to the same lookup (`own_text`).
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


# An instructor's own text, by language and English original (read from course files).
_OWN: dict[str, dict[str, str]] = {}


def own_text(translations: dict[str, str]) -> str:
    """An instructor's text given in several languages: its English becomes the message id,
    which `tr` translates from the others like the catalog's own messages."""
    english = str(translations["en"])
    for lang, text in translations.items():
        if lang != "en":
            _OWN.setdefault(str(lang), {})[english] = str(text)
    return english


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
        text = _OWN.get(lang, {}).get(message) or translator(lang).gettext(message)
    return text.format(**values) if values else text
