"""The patron app's languages: gettext catalogues under kiosk/i18n/<code>/LC_MESSAGES/kiosk.po.

The compiled `.mo` files are committed next to their `.po` (a test checks they match);
`python -m kiosk.i18n.catalogue` rebuilds them after a translation changes.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from pathlib import Path

DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).resolve().parent
# Each language's own name for itself, as shown on its button.
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français"}
AVAILABLE = tuple(LANGUAGE_NAMES)


@cache
def translator(code: str) -> Callable[[str], str]:
    """The gettext function for one language; English (the source text) for "en" or unknown codes."""
    if code == "en":
        return lambda text: text
    try:
        return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[code]).gettext
    except OSError:
        return lambda text: text
