"""What the core tells patrons, in English source text; the app translates these through its
gettext catalogues when it shows them. A text with `{name}` fields is a template: the core
fills it in, and the app recognises the filled-in text and says it again in the patron's
language (see `kiosk.i18n.Words.say`). The technician screen's lines are `Phrase`s: a template
and its values, said in the kiosk's language when they are shown (`kiosk.i18n.Words.phrase`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Phrase:
    """A text said in the kiosk's language when it is shown: a template (a message of this module,
    or a pattern of values only such as "{host}:{port}") and what fills its fields. A value that is
    itself a Phrase is said in that language too; a plain string (a name, a number, an error as a
    device or the library system wrote it) is shown as it is. `str()` gives the English text."""

    template: str
    values: tuple[tuple[str, str | Phrase], ...] = ()

    @classmethod
    def of(cls, template: str, **values: str | Phrase) -> Phrase:
        """`template` with its fields: Phrase.of(TECH_WAITING, count="3")."""
        return cls(template, tuple(values.items()))

    def __str__(self) -> str:
        return self.template.format(**{name: str(value) for name, value in self.values}) if self.values \
            else self.template


def N_(text: str) -> str:
    """Marks a text for the catalogues (`pybabel extract` finds it) without translating it here."""
    return text


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a message with a plural form for the catalogues; `Words.plural` picks the form."""
    return singular, plural


CARD_NOT_CHECKED_NOW = N_("Your card could not be checked just now. Please try again or see staff.")
CARD_UNKNOWN = N_("This card is not known to the library.")
WRONG_PIN = N_("The PIN is not right. Please try again.")
PIN_NOT_CONFIRMED = N_("The library system did not confirm your PIN. Please see staff.")
NOT_A_CARD = N_("This is not a library card we know. Please see staff.")
CARD_BLOCKED = N_("Your card is blocked. Please see staff.")
CARD_LOST = N_("This card has been reported lost. Please see staff.")
CARD_EXPIRED = N_("Your card has expired. Please see staff to renew it.")
TOO_MANY_FINES = N_("There are fines on your account to settle first. Please see staff.")
SCAN_CARD_FIRST = N_("Please scan your library card first.")
ALREADY_SCANNED = N_("Already scanned.")
NOT_ANSWERED_IN_TIME = N_("The library system did not answer in time; this item was not checked out. "
                          "Please scan it again.")
CHECKOUT_NOT_CONFIRMED = N_("We could not confirm this checkout. Please give the item to staff.")
RETURN_NOT_CONFIRMED = N_("We could not confirm this return. Please give the item to staff.")
RENEW_NOT_CONFIRMED = N_("We could not confirm this renewal. Please ask staff.")
NOT_ASKED = N_("The library system could not be asked just now. Please see staff.")
NO_CHECKOUT_OFFLINE = N_("Checking out is not possible while the library system is unavailable. "
                         "Returns still work.")
NO_RETURNS_OFFLINE = N_("Returns are not possible while the library system is unavailable.")
RENEW_NEEDS_ACS = N_("Renewing needs the library system, which is unavailable just now.")
NOT_RENEWED = N_("Could not be renewed.")
CHECKOUT_REFUSED = N_("This item cannot be checked out here. Please see staff.")
CHECKOUT_UNDONE = N_("This item could not be checked out here. Please see staff.")
CHECKIN_REFUSED = N_("This item could not be returned here. Please see staff.")
RENEW_REFUSED = N_("This item cannot be renewed.")
CARD_DENIED = N_("This card cannot be used at the kiosk. Please see staff.")
CARD_NOT_SEEN_OFFLINE = N_("This card cannot be checked while the library system is unavailable. "
                           "Please see staff.")
OFFLINE_LIMIT = N_("While the library system is unavailable, at most {count} items can be checked out.")
NOT_RECORDED = N_("This could not be recorded here. Please see staff.")
PARTS_MISSING = N_("Some parts of this item are not on the pad (missing: {parts}). "
                   "Please place all parts together.")

# The library system's refusals, said the kiosk's way (see kiosk.core.refusals).
ITEM_UNKNOWN = N_("This item is not known to the library. Please give it to staff.")
NOT_CHECKED_OUT = N_("This item was not checked out.")
ITEM_NOT_YOURS = N_("This item is not on loan to you. Please give it to staff.")
ITEM_ALREADY_YOURS = N_("This item is already on loan to you.")
ITEM_OUT_TO_OTHER = N_("This item is on loan to someone else. Please give it to staff.")
ON_HOLD_FOR_OTHER = N_("This item is on hold for another patron. Please give it to staff.")
NOT_FOR_LOAN = N_("This item cannot be borrowed: it stays in the library.")
ITEM_LOST = N_("This item is recorded as lost. Please give it to staff.")
TOO_MANY_ITEMS = N_("You have reached the most items you can borrow at once.")
RENEWAL_LIMIT = N_("This item has been renewed as often as allowed.")
HOLD_LIMIT = N_("You have reached the most holds you can place.")
NO_RENEW_OVERDUE = N_("This item is overdue and cannot be renewed here. Please return it or see staff.")

# Why a loan cannot be renewed, shown on the loan before the patron tries (kiosk.core.renewability).
NO_RENEW_ON_HOLD = N_("On hold for another patron: it cannot be renewed.")
NO_RENEW_RECALLED = N_("Recalled by the library: please bring it back.")
NO_RENEW_ACCOUNT = N_("Your card cannot renew loans just now. Please see staff.")

# Why the kiosk is out of service (on the out-of-service screen, under the patron's sentence).
OFF_BY_TECHNICIAN = N_("Switched off by staff.")
ACS_UNREACHABLE = N_("The library system cannot be reached, and this kiosk needs it.")
DEVICE_NOT_CONFIGURED = N_("A device this kiosk needs ({device}) is not set up.")
DEVICE_NOT_WORKING = N_("A device this kiosk needs ({device}) is not working.")
COULD_NOT_START = N_("The kiosk could not start.")

# Receipts: what the patron is told, and what the slip says.
RECEIPT_NONE = N_("No receipt.")
RECEIPT_NOT_AVAILABLE = N_("That kind of receipt is not available here.")
RECEIPT_FAILED = N_("Sorry, the receipt could not be made. Your loans are recorded; "
                    "please ask staff if you need a list.")
RECEIPT_NOT_PRINTED = N_("Sorry, the receipt could not be printed.")
RECEIPT_BY_EMAIL_INSTEAD = N_("You can have it by e-mail instead.")
RECEIPT_PRINTED = N_("Please take your receipt.")
RECEIPT_NO_ADDRESS = N_("The library has no e-mail address for you. Staff can add one.")
RECEIPT_EMAILED = N_("Your receipt will be sent to {address}.")
RECEIPT_SUBJECT = N_("Your library receipt")  # the e-mail's subject unless [receipts] subject says otherwise

# The technician screen: the lines of the status report (kiosk.core.status_report), the tests and the
# switches, as `Phrase`s; the values in them (names, numbers, errors) stay as the kiosk has them.
TECH_LIBRARY_SYSTEM = N_("Library system")
TECH_DEVICES = N_("Devices")
TECH_QUEUE = N_("Offline queue")
TECH_KIOSK = N_("Kiosk")
TECH_CONNECTED = N_("connected")
TECH_NOT_CONNECTED = N_("NOT connected")
TECH_NOT_CONNECTED_WHY = N_("NOT connected: {why}")
# Why the link is down, by kiosk.core.acs_link.LinkProblem's value.
LINK_PROBLEMS = {"unreachable": N_("the library system cannot be reached"),
                 "no answer": N_("the library system did not answer in time"),
                 "login refused": N_("the library system refused the kiosk's SIP2 login"),
                 "says offline": N_("the library system says it is offline"),
                 "failed": N_("the library system's answer could not be used")}
TECH_LAST_ERROR = N_("last error: {error}")
TECH_ACS_FLAGS = N_("ACS flags: online {online}, checkout {checkout}, checkin {checkin}, renewal {renewal}, "
                    "offline {offline}")
TECH_YES = N_("yes")
TECH_NO = N_("no")
TECH_ACS_PROTOCOL = N_("ACS protocol {version}, institution {institution}")
TECH_CLOCK_AHEAD = N_("clock difference: the ACS is {seconds} s ahead")
TECH_CLOCK_BEHIND = N_("clock difference: the ACS is {seconds} s behind")
TECH_CLOCK_NONE = N_("clock difference: none")
TECH_DEVICE = N_("{name} ({role}, {driver}): {state}")
TECH_DEVICE_DETAIL = N_("{name} ({role}, {driver}): {state} - {detail}")
# A device's role and state (kiosk.devices.events.DeviceState's value) as the screen says them.
DEVICE_ROLES = {"scanner": N_("scanner"), "rfid": N_("RFID pad")}
DEVICE_STATES = {"connected": TECH_CONNECTED, "lost": N_("lost"), "reconnecting": N_("reconnecting"),
                 "error": N_("error"), "stopped": N_("stopped")}
TECH_LAST_DISCARDED = N_("last discarded: {problem}")
TECH_LAST_EVENT = N_("last event: {event}")
TECH_NO_DEVICES = N_("no devices configured")
# A device's last event (kiosk.screens.technician_flow.describe_event).
TECH_EVENT_SCAN = N_("scan {text}")
TECH_EVENT_SCAN_AS = N_("scan {text} ({symbology})")
TECH_EVENT_PLACED = N_("placed {tag}")
TECH_EVENT_REMOVED = N_("removed {uid}")
TECH_EVENT_UNREADABLE = N_("unreadable {uid}: {reason}; raw {raw}")
TECH_EVENT_INCOMPLETE = N_("incomplete set {item}: parts {present} of {parts}")
TECH_EVENT_STATE = N_("{state}: {detail}")
TECH_WAITING = N_("waiting: {count}")
TECH_REFUSED = N_("refused (for staff): {count}")
TECH_OLDEST = N_("oldest waiting: {age}")
TECH_OLDEST_NONE = N_("oldest waiting: none")
TECH_VERSION = N_("{kiosk}, version {version}")
TECH_IP = N_("IP address: {addresses}")
TECH_IP_NONE = N_("IP address: none")
TECH_IN_SERVICE = N_("in service")
TECH_OUT_OF_SERVICE = N_("OUT OF SERVICE: {reason}")
TECH_CONFIGURATION = N_("configuration: {path}")
# The tests' and switches' answers, under their titles.
TECH_SIP2_TEST = N_("Library system test")
TECH_ACS_ANSWERED = N_("OK: the library system answered in {ms} ms")
TECH_ACS_FAILED = N_("FAILED after {ms} ms: {error}")
TECH_SERVICE = N_("Out of service")
TECH_BACK_IN_SERVICE = N_("back in service")
TECH_SWITCHED_OFF = N_("out of service until switched on again")
TECH_REPLAY = N_("Replay")
TECH_REPLAYED = N_("sent {sent}, done {done}, refused {refused}")
TECH_REPLAY_STOPPED = N_("sent {sent}, done {done}, refused {refused}; stopped: {why}")
TECH_EXPORT = N_("Export")
TECH_EXPORTED = N_("{rows} entries written to {path}")
TECH_RELOAD = N_("Reload")
TECH_NOT_RELOADED = N_("NOT reloaded: {error}")
TECH_SCAN = N_("Scan")
TECH_SCAN_HINT = N_("Scan something to see it decoded")
TECH_RAW = N_("raw: {raw}")
TECH_DECODED = N_("decoded: {kind} {text}")
TECH_DECODED_WHY = N_("decoded: {kind} {text} ({reason})")
# What a scan is (kiosk.devices.classify.ScanKind's value) as the scan test says it.
SCAN_KINDS = {"patron": N_("patron card"), "item": N_("item"), "technician": N_("technician card"),
              "unknown": N_("unknown")}
TECH_TAGS = N_("Tags on the pad")
TECH_NO_TAGS = N_("none")
TECH_TAG = N_("{uid}: item {item} ({model})")
TECH_TAG_PART = N_("{uid}: item {item} ({model}, part {part} of {parts})")
TECH_TAG_UNREADABLE = N_("{uid}: UNREADABLE - {reason}; raw {raw}")
TECH_SECURED = N_("{tag}, secured")
TECH_RELEASED = N_("{tag}, released")
TECH_SECURITY_UNKNOWN = N_("{tag}, security unknown")

# The texts Words.say recognises in a sentence (the technician's travel as Phrases instead).
ALL: tuple[str, ...] = tuple(value for name, value in dict(globals()).items()
                             if name.isupper() and isinstance(value, str) and not name.startswith("TECH_"))
