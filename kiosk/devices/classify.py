"""What was scanned: a patron card, an item, a technician card, or nothing we know.

Each kind has a regular expression (matched against the whole trimmed text) and a check-digit
scheme. Libraries differ, so both are configuration. The two 14-digit "Codabar" schemes in use:

- "luhn": over the first 13 digits, double every other digit starting from the first, add the
  digits of the products and the undoubled digits; check = (10 - sum mod 10) mod 10.
- "weighted31": over the first 13 digits, weights 3, 1, 3, 1, ... starting from the first
  (the GTIN-14 rule); check = (10 - sum mod 10) mod 10.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

LIBRARY_BARCODE_LENGTH = 14


class ScanKind(enum.Enum):
    """The meaning of a scan for the kiosk."""

    PATRON = "patron"
    ITEM = "item"
    TECHNICIAN = "technician"
    UNKNOWN = "unknown"


class ClassifyError(ValueError):
    """The classification rules themselves are wrong (bad regex, unknown scheme or kind)."""


@dataclass(frozen=True)
class Classified:
    """The result of classifying one scan.

    `reason` says why a scan is UNKNOWN; `candidate` is the kind whose pattern matched when
    only the check digit (or length) was wrong, so the screen can say "this looks like a card".
    """

    kind: ScanKind
    text: str
    reason: str = ""
    candidate: ScanKind | None = None


def _luhn_weights(digits: Sequence[int]) -> int:
    total = 0
    for position, digit in enumerate(digits):
        if position % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit  # sum of the product's digits
        total += digit
    return total


def _weighted31(digits: Sequence[int]) -> int:
    return sum(d * (3 if position % 2 == 0 else 1) for position, d in enumerate(digits))


_SCHEMES: dict[str, Callable[[Sequence[int]], int]] = {"luhn": _luhn_weights, "weighted31": _weighted31}
CHECK_SCHEMES = ("none", *_SCHEMES)


def check_digit_problem(text: str, scheme: str) -> str:
    """Return "" if `text` passes `scheme`, else a reason a person can read."""
    if scheme == "none":
        return ""
    weigh = _SCHEMES.get(scheme)
    if weigh is None:
        raise ClassifyError(f"unknown check-digit scheme {scheme!r}; known: {', '.join(CHECK_SCHEMES)}")
    if not (text.isascii() and text.isdigit()):
        return f"{LIBRARY_BARCODE_LENGTH} digits expected, got other characters"
    if len(text) != LIBRARY_BARCODE_LENGTH:
        return f"{LIBRARY_BARCODE_LENGTH} digits expected, got {len(text)}"
    digits = [int(c) for c in text]
    expected = (10 - weigh(digits[:-1]) % 10) % 10
    if expected != digits[-1]:
        return f"check digit should be {expected}, got {digits[-1]}"
    return ""


@dataclass(frozen=True)
class KindRule:
    """How to recognise one kind of scan."""

    kind: ScanKind
    pattern: re.Pattern[str]
    check: str = "none"

    @classmethod
    def build(cls, kind: ScanKind, pattern: str, check: str = "none") -> KindRule:
        """Compile and validate a rule; raise ClassifyError with the reason if it is wrong."""
        if kind is ScanKind.UNKNOWN:
            raise ClassifyError("UNKNOWN is the result when no rule matches, not a rule")
        if check not in CHECK_SCHEMES:
            raise ClassifyError(f"{kind.value}: unknown check-digit scheme {check!r}; "
                                f"known: {', '.join(CHECK_SCHEMES)}")
        try:
            compiled = re.compile(pattern)
        except (re.error, TypeError) as exc:
            raise ClassifyError(f"{kind.value}: invalid pattern {pattern!r}: {exc}") from None
        return cls(kind, compiled, check)


DEFAULT_RULES = (
    KindRule.build(ScanKind.PATRON, r"2[0-9]*", "luhn"),
    KindRule.build(ScanKind.ITEM, r"3[0-9]*", "luhn"),
)
"""Codabar library barcodes: type digit 2 = patron, 3 = item; no technician card by default."""


class Classifier:
    """Classify scans with rules tried in order; the first that fully passes wins."""

    def __init__(self, rules: Sequence[KindRule] = DEFAULT_RULES) -> None:
        self.rules = tuple(rules)

    def classify(self, text: str) -> Classified:
        """Say what `text` is; never raises for any string."""
        trimmed = text.strip()
        if not trimmed:
            return Classified(ScanKind.UNKNOWN, trimmed, "empty scan")
        near_miss: tuple[ScanKind, str] | None = None
        for rule in self.rules:
            if not rule.pattern.fullmatch(trimmed):
                continue
            problem = check_digit_problem(trimmed, rule.check)
            if not problem:
                return Classified(rule.kind, trimmed)
            near_miss = near_miss or (rule.kind, problem)
        if near_miss:
            return Classified(ScanKind.UNKNOWN, trimmed, near_miss[1], candidate=near_miss[0])
        return Classified(ScanKind.UNKNOWN, trimmed, "matches no pattern")
