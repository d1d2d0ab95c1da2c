"""The rules for working while the library system is unreachable. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from kiosk.config import OfflineSettings
from kiosk.core import wording


@dataclass(frozen=True)
class Verdict:
    """Whether something is allowed offline, and if not, why (for the patron)."""

    allowed: bool
    reason: str = ""


class OfflinePolicy:
    """Decides what the kiosk may do offline: returns, checkouts, which patrons, how many items."""

    def __init__(self, settings: OfflineSettings) -> None:
        self.settings = settings
        self.denied = load_deny_list(settings.deny_list)

    def returns_allowed(self) -> Verdict:
        """Returns are stored for later in modes "returns" and "all"."""
        if self.settings.mode == "off":
            return Verdict(False, wording.NO_RETURNS_OFFLINE)
        return Verdict(True)

    def patron_allowed(self, patron_id: str, seen_recently: bool | None) -> Verdict:
        """May this card (already known to be a patron card) check out offline? The deny list, and
        the cache of patrons seen valid online (`seen_recently` None when that cache is switched off)."""
        if self.settings.mode != "all":
            return Verdict(False, wording.NO_CHECKOUT_OFFLINE)
        if patron_id in self.denied:
            return Verdict(False, wording.CARD_DENIED)
        if seen_recently is False:
            return Verdict(False, wording.CARD_NOT_SEEN_OFFLINE)
        return Verdict(True)

    def checkout_allowed(self, offline_items_so_far: int) -> Verdict:
        """The cap on items per patron while offline."""
        if offline_items_so_far >= self.settings.max_items:
            return Verdict(False, wording.OFFLINE_LIMIT.format(count=self.settings.max_items))
        return Verdict(True)

    def due_date(self, when: datetime, media_type: str | None = None) -> datetime:
        """The due date given offline: the loan period for the media type, at the end of that day."""
        days = self.settings.loan_days_by_media.get(media_type or "", self.settings.loan_days)
        return datetime.combine((when + timedelta(days=days)).date(), time(23, 59, 59))


def load_deny_list(path: str | None) -> frozenset[str]:
    """Card numbers refused offline, one per line ('#' starts a comment); missing file = none."""
    if not path:
        return frozenset()
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip())
