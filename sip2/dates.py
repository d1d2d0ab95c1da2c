"""SIP2 dates: the 18-character transaction date, and free-text due dates parsed leniently."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sip2.errors import CodecError

BLANK_DATE = " " * 18
# YYYYMMDD and HHMMSS each written as one zero-padded number: four digits for every year
# (strftime writes years before 1000 with fewer on some platforms, breaking the 18 characters).
LOCAL_FORMAT = "%08d    %06d"
UTC_FORMAT = "%08d   Z%06d"
# "00" to "99": a date's two-digit parts looked up, twice as fast as formatting them with '%02d'.
TWO_DIGITS = tuple(f"{n:02d}" for n in range(100))


def format_transaction_date(moment: datetime | None) -> str:
    """Format `YYYYMMDDZZZZHHMMSS`: four blanks for local (naive) time, `   Z` for UTC.

    An aware datetime is converted to UTC; None gives 18 blanks.
    """
    if moment is None:
        return BLANK_DATE
    form, zone = LOCAL_FORMAT, "    "
    if moment.tzinfo is not None:
        moment, form, zone = moment.astimezone(timezone.utc), UTC_FORMAT, "   Z"
    if moment.year < 1000:  # padded to four digits
        return form % (moment.year * 10000 + moment.month * 100 + moment.day,
                       moment.hour * 10000 + moment.minute * 100 + moment.second)
    two = TWO_DIGITS
    return (f"{moment.year}{two[moment.month]}{two[moment.day]}{zone}"
            f"{two[moment.hour]}{two[moment.minute]}{two[moment.second]}")


def parse_transaction_date(text: str) -> datetime | None:
    """Parse an 18-character SIP2 date; all blanks give None.

    A zone whose last character is `Z` means UTC (an aware datetime); anything else in the
    zone (blanks, or a local zone name some ACSs send) gives a naive, local datetime.
    Raises CodecError for anything that is not such a date.
    """
    if len(text) != 18:
        raise CodecError(f"a SIP2 date has 18 characters, got {len(text)}: {text!r}")
    local = read_local_date(text)
    if local is not None:
        return local
    if not text.strip():
        return None
    day, zone, clock = text[:8], text[8:12], text[12:]
    if not (day.isdigit() and clock.isdigit() and day.isascii() and clock.isascii()):
        raise CodecError(f"not a SIP2 date (YYYYMMDDZZZZHHMMSS): {text!r}")
    # Two int() calls split by arithmetic: several times faster than strptime, and dates are
    # in most messages; the digits were checked above, so this reads exactly what slicing would.
    ymd, hms = int(day), int(clock)
    try:
        moment = datetime(ymd // 10000, ymd // 100 % 100, ymd % 100,
                          hms // 10000, hms // 100 % 100, hms % 100)
    except ValueError:
        raise CodecError(f"not a SIP2 date (YYYYMMDDZZZZHHMMSS): {text!r}") from None
    if zone.endswith("Z"):
        return moment.replace(tzinfo=timezone.utc)
    return moment


def read_local_date(text: str) -> datetime | None:
    """The usual spelling of a SIP2 date, digits around four blanks, read in C; None for any other.

    `YYYYMMDD    HHMMSS` becomes ISO 8601's basic `YYYYMMDDTHHMMSS`, which `fromisoformat`
    reads several times faster than slicing and `int()` can. The pattern lets only ASCII
    digits through (`fromisoformat` would also take week dates and signs) and hours up to
    23 (newer Pythons read `T24` as the next midnight, which the strict reading refuses).
    """
    if LOCAL_DATE(text) is None:
        return None
    try:
        return datetime.fromisoformat(text.replace("    ", "T"))
    except ValueError:  # a 13th month, a 30 February: the strict reading names the fault
        return None


# The one spelling read_local_date reads (the generated decoders match it too).
LOCAL_DATE = re.compile("[0-9]{8}    (?:[01][0-9]|2[0-3])[0-9]{4}").fullmatch


@dataclass(frozen=True)
class DueDate:
    """A due date as the ACS sent it (`raw`), and what it means when that could be understood."""

    raw: str
    moment: datetime | None

    @property
    def day(self) -> date | None:
        """The calendar day the item is due, if known."""
        return self.moment.date() if self.moment else None


_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?(Z|[+-]\d{2}:?\d{2})?$")
_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_COMPACT = re.compile(r"^(\d{8})(?:\s*(\d{6}))?$")


def parse_due_date(text: str | None, *, day_first: bool = True) -> DueDate | None:
    """Understand a due date (AH) in the forms real ACSs send; never raises.

    Accepts the SIP2 18-character form, ISO `YYYY-MM-DD[ HH:MM[:SS]]` (Evergreen),
    `YYYYMMDD[HHMMSS]`, and numeric day/month/year dates (Koha's localised dates; set
    `day_first=False` for month-first libraries). Unknown forms keep their raw text with
    `moment` None. Returns None for an absent or empty field.
    """
    if text is None or not text.strip():
        return None
    raw, stripped = text, text.strip()
    if len(text) == 18:
        try:
            return DueDate(raw, parse_transaction_date(text))
        except CodecError:
            pass
    moment: datetime | None = None
    try:
        if m := _ISO.match(stripped):
            y, mo, d, hh, mm, ss, tz = m.groups()
            moment = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
            if tz:
                moment = datetime.fromisoformat(f"{moment.isoformat()}{'+00:00' if tz == 'Z' else tz}")
        elif m := _COMPACT.match(stripped):
            moment = datetime.strptime(m.group(1) + (m.group(2) or "000000"), "%Y%m%d%H%M%S")
        elif m := _DMY.match(stripped):
            a, b, y, hh, mm, ss = m.groups()
            d, mo = (a, b) if day_first else (b, a)
            moment = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        moment = None
    return DueDate(raw, moment)
