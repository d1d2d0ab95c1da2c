"""What the core tells patrons, in English source text; the app translates these through its
gettext catalogues when it shows them (texts from the library system are shown as they come)."""

CARD_NOT_CHECKED_NOW = "Your card could not be checked just now. Please try again or see staff."
CARD_UNKNOWN = "This card is not known to the library."
WRONG_PIN = "The PIN is not right. Please try again."
PIN_NOT_CONFIRMED = "The library system did not confirm your PIN. Please see staff."
SCAN_CARD_FIRST = "Please scan your library card first."
ALREADY_SCANNED = "Already scanned."
NOT_ANSWERED_IN_TIME = ("The library system did not answer in time; this item was not checked out. "
                        "Please scan it again.")
CHECKOUT_NOT_CONFIRMED = "We could not confirm this checkout. Please give the item to staff."
RETURN_NOT_CONFIRMED = "We could not confirm this return. Please give the item to staff."
RENEW_NOT_CONFIRMED = "We could not confirm this renewal. Please ask staff."
NOT_ASKED = "The library system could not be asked just now. Please see staff."
NO_CHECKOUT_OFFLINE = ("Checking out is not possible while the library system is unavailable. "
                       "Returns still work.")
NO_RETURNS_OFFLINE = "Returns are not possible while the library system is unavailable."
RENEW_NEEDS_ACS = "Renewing needs the library system, which is unavailable just now."
NOT_RENEWED = "Could not be renewed."
CHECKOUT_REFUSED = "This item cannot be checked out here. Please see staff."
CHECKOUT_UNDONE = "This item could not be checked out here. Please see staff."
CHECKIN_REFUSED = "This item could not be returned here. Please see staff."
RENEW_REFUSED = "This item cannot be renewed."
CARD_DENIED = "This card cannot be used at the kiosk. Please see staff."
CARD_NOT_SEEN_OFFLINE = ("This card cannot be checked while the library system is unavailable. "
                         "Please see staff.")

ALL: tuple[str, ...] = tuple(value for name, value in dict(globals()).items()
                             if name.isupper() and isinstance(value, str))
