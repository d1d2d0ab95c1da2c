"""The marks an item row can show; `kiosk.screens.present.outcome_mark` picks one for an outcome.

Only names here: the row's picture (`kiosk.screens.pictures`) lists them before the first frame,
which then needs none of the core's outcome classes.
"""

DONE = "done"  # it went through
ATTENTION = "attention"  # it went through, and the note says what to do (a hold, give it to staff)
SAVED = "saved"  # stored while offline, sent when the library system is back
REFUSED = "refused"  # it did not go through; the note says why
UNCONFIRMED = "unconfirmed"  # sent, but the library system never said how it went
MARKS = (DONE, ATTENTION, SAVED, REFUSED, UNCONFIRMED)
