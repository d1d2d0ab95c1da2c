"""The emulated library's circulation policy: loan periods, limits, fines, reply formats."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

# Loan period in days by SIP2 media type (CK); anything else gets `default_loan_days`.
LOAN_DAYS: dict[str, int] = {"001": 21, "008": 21, "009": 21, "010": 21, "002": 7, "005": 7,
                             "004": 14, "006": 14}
DUE_DATE_FORMATS = ("iso", "sip2")


@dataclass(frozen=True)
class Policy:
    """Rules of the emulated library; every amount is in cents of `currency`."""

    institution_id: str = "DEMO"
    library_name: str = "Springfield Public Library"
    currency: str = "USD"
    loan_days: Mapping[str, int] = field(default_factory=lambda: dict(LOAN_DAYS))
    default_loan_days: int = 21
    renewal_limit: int = 2
    fine_limit_cents: int = 1000  # owing more than this blocks borrowing
    late_fine_per_day_cents: int = 25  # 0 turns fines for late returns off
    late_fine_max_cents: int = 1000
    hold_limit: int = 10
    overdue_limit: int = 5
    hold_shelf_days: int = 7
    due_date_format: str = "iso"  # "iso": 2026-12-21 23:59:59; "sip2": 20261221    235959
    item_info_patron: bool = True  # add the borrower (AA) to 18 replies, an extension field
    timeout_period: int = 30  # 98 reply, tenths of seconds as the specification counts them
    retries_allowed: int = 3
    offline_ok: bool = True
    honour_no_block: bool = True  # False: judge no-block requests like any other, as some ACSs do

    def __post_init__(self) -> None:
        if self.due_date_format not in DUE_DATE_FORMATS:
            raise ValueError(f"due_date_format must be one of {DUE_DATE_FORMATS}, "
                             f"got {self.due_date_format!r}")

    def loan_period(self, media_type: str) -> int:
        """Days an item of this media type is lent for."""
        return self.loan_days.get(media_type, self.default_loan_days)

    def format_due(self, due: datetime) -> str:
        """A due date as it goes in AH."""
        if self.due_date_format == "sip2":
            return due.strftime("%Y%m%d    %H%M%S")
        return due.strftime("%Y-%m-%d %H:%M:%S")

    def money(self, cents: int) -> str:
        """An amount as it goes in BV or CC: 12.50."""
        return f"{cents // 100}.{cents % 100:02d}"
