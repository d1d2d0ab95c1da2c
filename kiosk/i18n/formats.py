"""Dates, times and money in the patron's locale, through Babel's CLDR data.

Babel is imported on first use, not with the app: the idle screen shows no date or amount, and
the import plus a locale's data cost tens of milliseconds and about 10 MB (the app calls
`warm_up` on a worker when a patron logs in, so the first due date shows at once).
"""

from __future__ import annotations

from datetime import date as Date, datetime

# CLDR puts a narrow no-break space in times and amounts ("9:30 AM", "2,40 €"); the kiosk's
# fonts and printer code pages know the ordinary no-break space better.
_SPACES = str.maketrans({"\u202f": "\xa0"})


def locale_for(language: str, setting: str = "") -> str:
    """The CLDR locale for a patron language and the kiosk's `[kiosk] locale` setting: the setting
    itself for its own language, else the language with the setting's region when CLDR has that
    pair (fr with "fr_CA"... or de with "de_CH"), else the language's usual form."""
    setting = setting.replace("-", "_").strip()
    if not setting:
        return language
    own, _, region = setting.partition("_")
    if own.lower() == language.lower():
        return setting
    if region:
        from babel import localedata

        candidate = f"{language}_{region}"
        if localedata.exists(candidate):
            return candidate
    return language


def barcode(item_id: str) -> str:
    """A long all-digit barcode in groups of four, as a person compares it with the label
    ("3000 1000 0003 41"); no-break spaces keep it on one line. Other ids stay as they are."""
    if not (item_id.isdigit() and len(item_id) > 8):
        return item_id
    return "\xa0".join(item_id[i:i + 4] for i in range(0, len(item_id), 4))


def date(moment: Date | datetime, locale: str) -> str:
    """The date with its weekday: "Thu, Dec 24, 2026" (en_US), "Do., 24. Dez. 2026" (de)."""
    from babel.dates import format_skeleton

    day = moment.date() if isinstance(moment, datetime) else moment
    return format_skeleton("yMMMEd", day, locale=locale).translate(_SPACES)


def date_time(moment: datetime, locale: str) -> str:
    """The date and the time of day: "Dec 24, 2026 3:04 PM" (en_US), "24. Dez. 2026 15:04" (de)."""
    from babel.dates import format_skeleton, format_time

    day = format_skeleton("yMMMd", moment.date(), locale=locale)
    return f"{day} {format_time(moment, 'short', locale=locale)}".translate(_SPACES)


def money(amount: str, currency: str, locale: str) -> str:
    """An amount from the library system ("2.40") in its currency ("USD"): "$2.40", "2,40 $".
    Text that is not an amount comes back as it was sent, with the currency after it."""
    from decimal import Decimal, InvalidOperation  # with Babel, which needs it anyway

    try:
        value = Decimal(amount.strip())
    except InvalidOperation:
        return f"{amount} {currency}".strip()
    code = currency.strip().upper()
    if len(code) == 3 and code.isalpha():
        from babel.numbers import UnknownCurrencyError, format_currency

        try:
            return format_currency(value, code, locale=locale).translate(_SPACES)
        except UnknownCurrencyError:
            pass
    from babel.numbers import format_decimal

    return f"{format_decimal(value, format='#,##0.00', locale=locale)} {code}".strip().translate(_SPACES)


def warm_up(locale: str) -> None:
    """Load Babel and one locale's data now (from a worker), so the first due date shows at once."""
    date(Date.today(), locale)
    money("0", "USD", locale)
