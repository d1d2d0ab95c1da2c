"""Re-extract the patron's texts, update every language's `.po` and compile the `.mo` files.

Run from the checkout after changing a text or a translation: `python -m kiosk.i18n.update`
(untranslated or fuzzy entries then show up in `tests/app/test_wording.py`).
"""

from __future__ import annotations

import sys
from contextlib import chdir
from importlib.metadata import version
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

I18N = Path(__file__).resolve().parent
PACKAGE = I18N.parent
# tr/trn: the app and its kv rules; words/plural: a Words object; N_/NP_: texts kept for later.
KEYWORDS = ["-k", "tr", "-k", "trn:1,2", "-k", "words", "-k", "N_", "-k", "NP_:1,2", "-k", "plural:1,2"]


def extract(pot: Path) -> None:
    """Write every patron text found under kiosk/ into the template `pot`."""
    _babel(["extract", "--no-default-keywords", *KEYWORDS, "-F", str(I18N / "babel.cfg"),
            "--sort-by-file", "--add-location", "file", "--project", "library-kiosk",
            "--version", version("library-kiosk"), "--copyright-holder", "the library-kiosk authors",
            "-o", str(pot), PACKAGE.name])


def main() -> int:
    """Extract, update the catalogues (new texts arrive untranslated) and compile them."""
    pot = I18N / "kiosk.pot"
    extract(pot)
    _babel(["update", "-i", str(pot), "-d", str(I18N), "-D", "kiosk", "--ignore-obsolete",
            "--no-fuzzy-matching"])
    _babel(["compile", "-d", str(I18N), "-D", "kiosk", "--statistics"])
    return 0


def _babel(args: list[str]) -> None:
    with chdir(PACKAGE.parent):  # file names in the catalogues stay relative to the checkout
        CommandLineInterface().run(["pybabel", "-q", *args])


if __name__ == "__main__":
    sys.exit(main())
