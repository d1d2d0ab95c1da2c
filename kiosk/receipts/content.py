"""What a receipt says, as styled lines: pure, so the printer and the e-mail show the same thing.

Library name, date, the patron's name (never the card number), items with due dates, refused
items with the reason, the library system's print lines, offline wording, and the footer; in
the patron's language and locale (the library's footer and print lines as they are written).
"""

from __future__ import annotations

import enum
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from kiosk.core.outcomes import Action, ItemOutcome
from kiosk.core.wording import N_, NP_
from kiosk.i18n import Words, translator

OFFLINE_NOTE = N_("The library system was not reachable. These items were recorded by the kiosk "
                  "and will be confirmed when it is back; due dates may change.")


class Style(enum.Enum):
    """How a line is set on paper."""

    TITLE = "title"  # large, centred
    CENTRED = "centred"
    HEADING = "heading"  # bold
    TEXT = "text"
    INDENTED = "indented"


@dataclass(frozen=True)
class Line:
    """One line of the receipt (already wrapped to the paper width)."""

    text: str
    style: Style = Style.TEXT


# Each group's heading, singular and plural, with its count.
_HEADINGS = {
    (Action.CHECKOUT, True): NP_("Checked out ({count} item)", "Checked out ({count} items)"),
    (Action.CHECKOUT, False): NP_("Not checked out ({count} item)", "Not checked out ({count} items)"),
    (Action.CHECKIN, True): NP_("Returned ({count} item)", "Returned ({count} items)"),
    (Action.CHECKIN, False): NP_("Not returned ({count} item)", "Not returned ({count} items)"),
    (Action.RENEW, True): NP_("Renewed ({count} item)", "Renewed ({count} items)"),
    (Action.RENEW, False): NP_("Not renewed ({count} item)", "Not renewed ({count} items)"),
}


def build_receipt(results: Sequence[ItemOutcome], *, library_name: str, patron_name: str = "",
                  offline: bool = False, footer: str = "", when: datetime | None = None,
                  width: int = 42, words: Words | None = None) -> tuple[Line, ...]:
    """The receipt for one session's results, wrapped to `width` characters, in `words`'s
    language and locale (English when none is given)."""
    words = words or translator("en")
    when = when or datetime.now()
    lines = [Line(library_name, Style.TITLE), *_wrapped(words.date_time(when), width, Style.CENTRED)]
    if patron_name:
        lines.append(Line(words("Patron: {name}").format(name=patron_name)))
    if offline or any(r.offline for r in results):
        lines += [Line("")] + _wrapped(words(OFFLINE_NOTE), width, Style.TEXT)
    for (action, ok), (singular, plural) in _HEADINGS.items():
        group = [r for r in results if r.action is action and r.ok is ok and not r.repeat]
        if not group:
            continue
        lines += [Line(""), Line(words.plural(singular, plural, len(group)), Style.HEADING)]
        for result in group:
            lines += _wrapped(result.title or words.barcode(result.item_id), width, Style.TEXT)
            if result.title:
                lines.append(Line("  " + words.barcode(result.item_id), Style.INDENTED))
            if ok and action is not Action.CHECKIN and (result.due_text or result.due):
                lines += _wrapped(words("Due: {date}").format(date=due_text(result, words)), width, Style.INDENTED)
            if not ok and result.reason:
                lines += _wrapped(words.say(result.reason), width, Style.INDENTED)
    print_lines = list(dict.fromkeys(line for r in results for line in r.print_lines if line.strip()))
    if print_lines:
        lines.append(Line(""))
        for text in print_lines:
            lines += _wrapped(text, width, Style.TEXT)
    if footer:
        lines.append(Line(""))
        for paragraph in footer.splitlines():
            lines += _wrapped(paragraph, width, Style.CENTRED)
    return tuple(lines)


def due_text(result: ItemOutcome, words: Words | None = None) -> str:
    """The due date as a patron reads it, with its weekday (the library system's own text when
    it is not a date)."""
    if result.due is not None:
        return (words or translator("en")).date(result.due)
    return result.due_text


def as_plain_text(lines: Sequence[Line], width: int = 42) -> str:
    """The receipt as plain text (the body of an e-mailed receipt)."""
    out = []
    for line in lines:
        if line.style in (Style.TITLE, Style.CENTRED):
            out.append(line.text.center(width).rstrip())
        elif line.style is Style.HEADING:
            out.append(line.text.upper())
        else:
            out.append(line.text)
    return "\n".join(out) + "\n"


def _wrapped(text: str, width: int, style: Style) -> list[Line]:
    indent = "  " if style is Style.INDENTED else ""
    text = text.replace("\xa0", " ")  # paper has no use for no-break spaces; printers' code pages may lack them
    wrapped = textwrap.wrap(text.strip(), width=width, initial_indent=indent, subsequent_indent=indent)
    return [Line(part, style) for part in wrapped] or [Line("", style)]
