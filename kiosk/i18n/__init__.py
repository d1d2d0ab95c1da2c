"""The patron app's languages: gettext catalogues under kiosk/i18n/<code>/LC_MESSAGES/kiosk.po,
kept with Babel (`python -m kiosk.i18n.update` re-extracts, updates and compiles them).

`translator(code, locale)` gives the patron's `Words`: messages, plurals, the core's and the
library system's sentences in the kiosk's words, and dates and money in the locale's form.
"""

from __future__ import annotations

import gettext
import re
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path

from kiosk.core.wording import N_, Phrase
from kiosk.i18n import formats

DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).resolve().parent
# Each language's own name for itself, as shown on its button.
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français"}
AVAILABLE = tuple(LANGUAGE_NAMES)


class Words:
    """One patron language: call it with an English message to get it in that language."""

    def __init__(self, code: str, locale: str, catalogue: gettext.NullTranslations) -> None:
        self.code = code
        self.locale = locale  # a CLDR locale such as "de" or "en_GB", for dates and money
        self._catalogue = catalogue

    def __call__(self, text: str) -> str:
        """`text` (an English source message) in this language; unknown texts come back as given."""
        return self._catalogue.gettext(text) if text else text

    def plural(self, singular: str, plural: str, count: int) -> str:
        """The form of a message for `count` (ngettext); `{count}` in it is filled in."""
        return self._catalogue.ngettext(singular, plural, count).format(count=count)

    def say(self, text: str) -> str:
        """A sentence from the core or the library system, in the kiosk's words in this language:
        the core's messages and templates translate, the common refusals of library systems are
        said the kiosk's way, and anything else is shown as the library system wrote it."""
        from kiosk.core.refusals import kiosk_words_for

        if "\n" in text:  # e.g. the core's sentence, then the error for staff
            return "\n".join(self.say(part) for part in text.split("\n"))
        translated = self(text)
        if not text or translated != text or text in _core_messages():
            return translated  # one of the kiosk's texts (a library system may use the same words)
        for pattern, template in _core_templates():
            match = pattern.fullmatch(text)
            if match:
                return self(template).format(**match.groupdict())
        ours = kiosk_words_for(text)
        return self(ours) if ours is not None else text

    def phrase(self, phrase: Phrase) -> str:
        """A `Phrase` in this language: its template translated and filled, each value that is a
        Phrase said the same way; a template without values is said as a sentence (see `say`)."""
        if not phrase.values:
            return self.say(phrase.template)
        return self(phrase.template).format(**{name: self.phrase(value) if isinstance(value, Phrase) else value
                                               for name, value in phrase.values})

    def barcode(self, item_id: str) -> str:
        """An item the kiosk knows by its barcode only, as a patron reads it: "Barcode 3000 1000 0003 41"."""
        return self(N_("Barcode {barcode}")).format(barcode=formats.barcode(item_id))

    def date(self, moment: datetime) -> str:
        """A date with its weekday, as the locale writes it ("Do., 24. Dez. 2026")."""
        return formats.date(moment, self.locale)

    def date_time(self, moment: datetime) -> str:
        """A date and time of day, as the locale writes it (the receipt's heading)."""
        return formats.date_time(moment, self.locale)

    def money(self, amount: str, currency: str = "") -> str:
        """An amount as the library system sent it ("2.40", "USD") in the locale's form ("2,40 $")."""
        return formats.money(amount, currency, self.locale)


@cache
def translator(code: str, locale: str = "") -> Words:
    """The patron's words for language `code`; `locale` is the kiosk's `[kiosk] locale` setting
    (its region applies to every language: en with "en_GB" writes 24 Dec 2026)."""
    try:
        catalogue = gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[code])
    except OSError:  # English is the source text; an unknown language falls back to it
        catalogue = gettext.NullTranslations()
    return Words(code, formats.locale_for(code, locale), catalogue)


@lru_cache(maxsize=1)
def _core_messages() -> frozenset[str]:
    from kiosk.core.wording import ALL

    return frozenset(ALL)


@lru_cache(maxsize=1)
def _core_templates() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each core template with fields, as a pattern that recognises it filled in."""
    from kiosk.core.wording import ALL

    templates = []
    for template in ALL:
        parts = re.split(r"\{(\w+)\}", template)
        if len(parts) == 1:
            continue
        pattern = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
        templates.append((re.compile(pattern, re.DOTALL), template))
    return tuple(templates)
