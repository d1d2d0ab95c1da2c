"""Type-of-usage classes shared by ISO 28560-2 and -3 (the class is one hexadecimal digit)."""

from __future__ import annotations

USAGE_NAMES = {
    0: "acquisition",
    1: "circulating",
    2: "not-for-circulation",
    3: "local-use",
    4: "local-use",
    6: "no-usage-information",
    7: "discarded",
    8: "patron-card",
    9: "equipment",
}
USAGE_CODES = {
    "acquisition": 0,
    "circulating": 1,
    "not-for-circulation": 2,
    "local-use": 3,
    "no-usage-information": 6,
    "discarded": 7,
    "patron-card": 8,
    "equipment": 9,
}


def usage_name(code: int) -> str:
    """The name of a type-of-usage class, or "usage-N" for classes reserved for future use."""
    return USAGE_NAMES.get(code, f"usage-{code:X}")


def usage_code(name: str) -> int:
    """The class digit for a name given by `usage_name` (ValueError for unknown names)."""
    if name in USAGE_CODES:
        return USAGE_CODES[name]
    if name.startswith("usage-"):
        return int(name[6:], 16)
    raise ValueError(f"unknown type of usage {name!r}; use one of {sorted(USAGE_CODES)}")
