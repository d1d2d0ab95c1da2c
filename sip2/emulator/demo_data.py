"""Deterministic demo data: about 50 patrons and 500 items, every special case a kiosk meets.

The same every time for a given day: names and titles come from a seeded random generator,
and dates (card expiry, due dates) are set relative to the day the data is seeded, so that
an overdue loan stays overdue and a valid card stays valid whenever the demo runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sip2.emulator.barcodes import ITEM_TYPE, PATRON_TYPE, make_barcode
from sip2.emulator.store import Fine, Hold, Item, Loan, Patron, Store

INSTITUTION_NUMBER = 1  # the "0001" in every demo barcode
PATRON_COUNT = 50
ITEM_COUNT = 500
DEFAULT_LOAN_LIMIT = 20
SEED = 20260101


def patron_barcode(serial: int) -> str:
    """The demo patron card with this serial number."""
    return make_barcode(PATRON_TYPE, INSTITUTION_NUMBER, serial)


def item_barcode(serial: int) -> str:
    """The demo item with this serial number."""
    return make_barcode(ITEM_TYPE, INSTITUTION_NUMBER, serial)


@dataclass(frozen=True)
class DemoIds:
    """Barcodes (and the PIN) of the demo accounts and items that tests and testers need."""

    good_patron: str = patron_barcode(1)
    good_pin: str = "1234"
    blocked_patron: str = patron_barcode(2)
    fined_patron: str = patron_barcode(3)  # fines over the blocking limit
    small_fines_patron: str = patron_barcode(4)  # owes a little, may still borrow
    expired_patron: str = patron_barcode(5)
    lost_card_patron: str = patron_barcode(6)
    holds_ready_patron: str = patron_barcode(7)  # two holds waiting on the hold shelf
    overdue_patron: str = patron_barcode(8)
    limit_patron: str = patron_barcode(9)  # at the loan limit
    hold_patron: str = patron_barcode(10)  # has the holds that block other patrons
    other_patron: str = patron_barcode(11)  # has item_on_loan
    second_good_patron: str = patron_barcode(12)
    available_items: tuple[str, ...] = tuple(item_barcode(n) for n in range(1, 21))
    item_on_hold_for_other: str = item_barcode(21)  # on the hold shelf for hold_patron
    item_with_hold_queue: str = item_barcode(22)  # on the shelf, hold_patron in the queue
    item_to_staff: str = item_barcode(23)  # checkin alert, sort bin
    item_on_loan: str = item_barcode(24)  # out to other_patron
    loaned_item_with_hold: str = item_barcode(25)  # out to other_patron, held by hold_patron
    magnetic_item: str = item_barcode(26)  # video tape
    multipart_item: str = item_barcode(27)  # disc 1 of 3
    multipart_set: tuple[str, ...] = (item_barcode(27), item_barcode(28), item_barcode(29))
    reference_item: str = item_barcode(30)  # does not circulate
    lost_item: str = item_barcode(31)
    good_patron_loans: tuple[str, ...] = (item_barcode(32), item_barcode(33))
    renewal_limit_item: str = item_barcode(34)  # out to good_patron, renewed the maximum
    non_ascii_item: str = item_barcode(35)  # "Émile Zola" in the title
    unknown_patron: str = patron_barcode(9999)
    unknown_item: str = item_barcode(99999)
    staff_sort_bin: str = "STAFF-B2"
    hold_sort_bin: str = "HOLDS"


DEMO = DemoIds()

_FIRST = ["Marta", "Jonas", "Aiyana", "Thabo", "Zoë", "Łukasz", "Søren", "Priya", "Mateo", "Nour",
          "Émilie", "Kwame", "Ingrid", "Hiroshi", "Fatima", "Oisín", "Chidi", "Renée", "Tomás",
          "Ayşe", "Dmitri", "Leilani", "Björn", "Camille", "Ravi"]
_LAST = ["Quintero", "Berg", "Okafor", "Novák", "Lindqvist", "Dubois", "Haddad", "Kowalski",
         "Moreno", "Nakamura", "O'Connell", "Mensah", "Schäfer", "Petrov", "Ibáñez", "Walsh",
         "Øvergaard", "Tanaka", "Achebe", "Fontaine", "Murphy", "Rossi", "Çelik", "Ng", "Adeyemi"]
_STREETS = ["Mill Lane", "Harbour Road", "Linden Allee", "Rue des Lilas", "Station Street",
            "Orchard Way", "Canal Walk", "Church Hill"]
_AUTHORS = ["Émile Zola", "Ada Brennan", "Kofi Asante", "Mireille Laurent", "Sven Halvorsen",
            "Lucía Ferrer", "Oren Weiss", "Hana Kobayashi", "Grace Ndlovu", "Piotr Zieliński",
            "Niamh Gallagher", "Rafael Duarte", "Ingeborg Aas", "Yusuf Demir", "Clara Whitfield"]
_ADJECTIVES = ["Silent", "Northern", "Forgotten", "Little", "Burning", "Hidden", "Last", "Blue",
               "Winter", "Salt", "Glass", "Wild", "Paper", "Golden", "Crooked", "Quiet"]
_NOUNS = ["Garden", "River", "Lighthouse", "Orchard", "Kingdom", "Harbour", "Library", "Atlas",
          "Meadow", "Clockmaker", "Island", "Bridge", "Machine", "Forest", "Letters", "Kitchen"]
_TOPICS = ["A Short History of Bread", "Birds of the Wetlands", "Practical Woodworking",
           "The Night Sky Month by Month", "Cooking with Lentils", "Smörgåsbord for Beginners",
           "Ærø: An Island Year", "Über die Brücke: German Stories", "El niño y el mar",
           "Understanding Tides", "Knitting Patterns from Shetland", "The Bicycle Repair Manual",
           "Household Chemistry", "Mountains of the Andes", "Learning Python, Gently"]
# (media type, location, share of the collection) for the generated part of the collection
_MEDIA = [("001", "Adult fiction", 45), ("001", "Non-fiction", 25), ("001", "Children", 10),
          ("006", "Media", 8), ("005", "Media", 4), ("002", "Magazines", 4), ("009", "Non-fiction", 2),
          ("004", "Media", 2)]
_MAGNETIC_MEDIA = {"004", "005"}


def seed(store: Store, today: date | None = None) -> None:
    """Fill an empty database with the demo library as it stands on `today` (default: today)."""
    today = today or date.today()
    rng = random.Random(SEED)
    morning = datetime.combine(today, time(9, 0))
    with store.session() as session:
        session.add_all(_patrons(rng, today))
        session.add_all(_items(rng))
        session.flush()
        session.add_all(_loans(rng, today))
        session.add_all(_holds(today, morning))
        session.add_all(_fines(morning))


def _due(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59))


def _patrons(rng: random.Random, today: date) -> list[Patron]:
    special: dict[str, dict[str, object]] = {
        DEMO.blocked_patron: {"blocked": True, "block_message": "Account blocked: please see staff"},
        DEMO.expired_patron: {"expires": today - timedelta(days=30)},
        DEMO.lost_card_patron: {"card_lost": True},
        DEMO.limit_patron: {"loan_limit": 5},
    }
    patrons = []
    for serial in range(1, PATRON_COUNT + 1):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        rng.randrange(10000)  # keeps the seeded sequence, so names and phones stay as documented
        pin = DEMO.good_pin  # one PIN for every demo card, so each refusal can be tried at the kiosk
        barcode = patron_barcode(serial)
        if barcode == DEMO.good_patron:
            first, last = "Marta", "Quintero"
        fields = {
            "id": barcode, "name": f"{first} {last}", "pin": pin,
            "email": f"{_ascii(first)}.{_ascii(last)}{serial}@example.org".lower(),
            "phone": f"+44 20 7946 {rng.randrange(10000):04d}",
            "address": f"{rng.randint(1, 120)} {rng.choice(_STREETS)}, Springfield",
            "language": "000", "expires": today + timedelta(days=365 + serial),
            "blocked": False, "block_message": None, "card_lost": False,
            "loan_limit": DEFAULT_LOAN_LIMIT,
        }
        fields.update(special.get(barcode, {}))
        patrons.append(Patron(**fields))
    return patrons


def _ascii(name: str) -> str:
    return "".join(c for c in name if c.isascii() and c.isalpha()) or "patron"


def _items(rng: random.Random) -> list[Item]:
    items = []
    kinds = [kind for kind in _MEDIA for _ in range(kind[2])]
    for serial in range(1, ITEM_COUNT + 1):
        media, location, _ = rng.choice(kinds)
        author = rng.choice(_AUTHORS)
        if location == "Non-fiction":
            title = rng.choice(_TOPICS)
            call = f"{rng.randrange(1000):03d}.{rng.randrange(100):02d} {_ascii(author.split()[-1])[:3].upper()}"
        else:
            title = f"The {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
            call = f"F {_ascii(author.split()[-1]).upper()}"
        if media == "002":
            title = f"{rng.choice(_NOUNS)} Monthly, issue {rng.randint(1, 12)}"
        items.append(Item(id=item_barcode(serial), title=title, author=author, call_number=call,
                          media_type=media, magnetic=media in _MAGNETIC_MEDIA, location=location,
                          part=1, parts=1, properties=None, circulates=True, lost=False,
                          to_staff=False, sort_bin=None))
    by_id = {item.id: item for item in items}
    for barcode in DEMO.available_items:
        _make_book(by_id[barcode])
    _make_book(by_id[DEMO.item_on_hold_for_other], "The Clockmaker's Daughter")
    _make_book(by_id[DEMO.item_with_hold_queue], "Birds of the Wetlands")
    _make_book(by_id[DEMO.item_to_staff], "Rare Maps of the Coast (fragile)")
    by_id[DEMO.item_to_staff].to_staff = True
    by_id[DEMO.item_to_staff].sort_bin = DEMO.staff_sort_bin
    _make_book(by_id[DEMO.item_on_loan], "The Last Lighthouse")
    _make_book(by_id[DEMO.loaned_item_with_hold], "Winter Letters")
    tape = by_id[DEMO.magnetic_item]
    tape.title, tape.media_type, tape.magnetic, tape.location = "Wild Meadows (VHS)", "005", True, "Media"
    for part, barcode in enumerate(DEMO.multipart_set, start=1):
        disc = by_id[barcode]
        disc.title = f"Learning Norwegian, disc {part} of 3"
        disc.media_type, disc.magnetic, disc.location = "006", False, "Media"
        disc.part, disc.parts, disc.properties = part, 3, f"disc {part} of 3"
    reference = by_id[DEMO.reference_item]
    reference.title, reference.location, reference.circulates = "Oxford Atlas of the World", "Reference", False
    _make_book(by_id[DEMO.lost_item], "The Glass Kingdom")
    by_id[DEMO.lost_item].lost = True
    for barcode in DEMO.good_patron_loans + (DEMO.renewal_limit_item,):
        _make_book(by_id[barcode])
    _make_book(by_id[DEMO.non_ascii_item], "Émile Zola: Germinal, édition annotée")
    return items


def _make_book(item: Item, title: str | None = None) -> None:
    item.media_type, item.magnetic, item.location = "001", False, "Adult fiction"
    if title:
        item.title = title


def _loans(rng: random.Random, today: date) -> list[Loan]:
    out_on = datetime.combine(today - timedelta(days=7), time(10, 30))
    loans = [
        Loan(item_id=DEMO.item_on_loan, patron_id=DEMO.other_patron, checked_out=out_on,
             due=_due(today + timedelta(days=14)), renewals=0),
        Loan(item_id=DEMO.loaned_item_with_hold, patron_id=DEMO.other_patron, checked_out=out_on,
             due=_due(today + timedelta(days=14)), renewals=0),
        Loan(item_id=DEMO.renewal_limit_item, patron_id=DEMO.good_patron, checked_out=out_on,
             due=_due(today + timedelta(days=14)), renewals=2),
    ]
    for barcode in DEMO.good_patron_loans:
        loans.append(Loan(item_id=barcode, patron_id=DEMO.good_patron, checked_out=out_on,
                          due=_due(today + timedelta(days=14)), renewals=0))
    # Overdue loans, and a full card for the patron at the loan limit.
    for serial, patron, days_late in ((40, DEMO.overdue_patron, 10), (41, DEMO.overdue_patron, 3)):
        loans.append(Loan(item_id=item_barcode(serial), patron_id=patron,
                          checked_out=out_on - timedelta(days=21 + days_late),
                          due=_due(today - timedelta(days=days_late)), renewals=0))
    for serial in range(42, 47):
        loans.append(Loan(item_id=item_barcode(serial), patron_id=DEMO.limit_patron,
                          checked_out=out_on, due=_due(today + timedelta(days=14)), renewals=0))
    # Ordinary loans spread over the other patrons.
    serials = list(range(100, ITEM_COUNT + 1))
    rng.shuffle(serials)
    for index, serial in enumerate(serials[:60]):
        patron = patron_barcode(13 + index % (PATRON_COUNT - 12))
        start = out_on - timedelta(days=rng.randint(0, 20))  # some of these are overdue
        loans.append(Loan(item_id=item_barcode(serial), patron_id=patron, checked_out=start,
                          due=_due(start.date() + timedelta(days=21)), renewals=rng.randint(0, 1)))
    return loans


def _holds(today: date, morning: datetime) -> list[Hold]:
    pickup_by = today + timedelta(days=7)
    return [
        Hold(item_id=DEMO.item_on_hold_for_other, patron_id=DEMO.hold_patron, placed=morning,
             pickup_location="Main", ready=True, pickup_by=pickup_by),
        Hold(item_id=DEMO.item_with_hold_queue, patron_id=DEMO.hold_patron, placed=morning,
             pickup_location="Main", ready=False, pickup_by=None),
        Hold(item_id=DEMO.loaned_item_with_hold, patron_id=DEMO.hold_patron, placed=morning,
             pickup_location="Main", ready=False, pickup_by=None),
        Hold(item_id=item_barcode(47), patron_id=DEMO.holds_ready_patron, placed=morning,
             pickup_location="Main", ready=True, pickup_by=pickup_by),
        Hold(item_id=item_barcode(48), patron_id=DEMO.holds_ready_patron, placed=morning,
             pickup_location="Main", ready=True, pickup_by=pickup_by),
    ]


def _fines(morning: datetime) -> list[Fine]:
    return [
        Fine(patron_id=DEMO.fined_patron, item_id=item_barcode(49), amount_cents=800, paid_cents=0,
             description="Overdue", created=morning),
        Fine(patron_id=DEMO.fined_patron, item_id=item_barcode(50), amount_cents=450, paid_cents=0,
             description="Damaged cover", created=morning),
        Fine(patron_id=DEMO.small_fines_patron, item_id=None, amount_cents=240, paid_cents=0,
             description="Printing", created=morning),
        Fine(patron_id=DEMO.overdue_patron, item_id=item_barcode(40), amount_cents=150, paid_cents=0,
             description="Overdue", created=morning),
    ]
