"""What a receipt says, as styled lines: pure, so the printer and the e-mail show the same thing.

Library name, date, the patron's name (never the card number), items with due dates, refused
items with the reason, the library system's print lines, offline wording, and the footer.
"""

from __future__ import annotations

import enum
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from kiosk.core.outcomes import Action, ItemOutcome

OFFLINE_NOTE = ("The library system was not reachable. These items were recorded by the kiosk "
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


_HEADINGS = {(Action.CHECKOUT, True): "Checked out", (Action.CHECKOUT, False): "Not checked out",
             (Action.CHECKIN, True): "Returned", (Action.CHECKIN, False): "Not returned",
             (Action.RENEW, True): "Renewed", (Action.RENEW, False): "Not renewed"}


def build_receipt(results: Sequence[ItemOutcome], *, library_name: str, patron_name: str = "",
                  offline: bool = False, footer: str = "", when: datetime | None = None,
                  width: int = 42) -> tuple[Line, ...]:
    """The receipt for one session's results, wrapped to `width` characters."""
    when = when or datetime.now()
    lines = [Line(library_name, Style.TITLE), Line(when.strftime("%d %b %Y %H:%M"), Style.CENTRED)]
    if patron_name:
        lines.append(Line(f"Patron: {patron_name}"))
    if offline or any(r.offline for r in results):
        lines += [Line("")] + _wrapped(OFFLINE_NOTE, width, Style.TEXT)
    for (action, ok), heading in _HEADINGS.items():
        group = [r for r in results if r.action is action and r.ok is ok and not r.repeat]
        if not group:
            continue
        lines += [Line(""), Line(f"{heading} ({len(group)})", Style.HEADING)]
        for result in group:
            lines += _wrapped(result.title or result.item_id, width, Style.TEXT)
            if result.title:
                lines.append(Line(f"  Item {result.item_id}", Style.INDENTED))
            if ok and action is not Action.CHECKIN and (result.due_text or result.due):
                lines.append(Line(f"  Due: {due_text(result)}", Style.INDENTED))
            if not ok and result.reason:
                lines += _wrapped(result.reason, width, Style.INDENTED)
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


def due_text(result: ItemOutcome) -> str:
    """The due date as a patron reads it (the library system's own text when it is not a date)."""
    if result.due is not None:
        return result.due.strftime("%d %b %Y")
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
    wrapped = textwrap.wrap(text.strip(), width=width, initial_indent=indent, subsequent_indent=indent)
    return [Line(part, style) for part in wrapped] or [Line("", style)]
