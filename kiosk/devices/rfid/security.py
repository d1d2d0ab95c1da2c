"""Setting an item's security (AFI or EAS) and checking by reading back that it held."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.devices.rfid.errors import RfidError
from kiosk.devices.rfid.reader import TagReader


@dataclass(frozen=True)
class SecurityPolicy:
    """How this library secures items: AFI values or the NXP EAS bit."""

    method: str = "afi"  # "afi" or "eas"
    afi_secured: int = 0x07
    afi_on_loan: int = 0xC2


@dataclass(frozen=True)
class SecurityResult:
    """What happened when the kiosk asked for a tag to be secured or released."""

    uid: str
    secured: bool  # the state asked for
    method: str
    held: bool  # the read-back shows the state asked for
    detail: str = ""  # why it did not hold, or what was read back


def secured_by_afi(afi: int, policy: SecurityPolicy) -> bool | None:
    """What an AFI value means under this policy; None when it is neither configured value."""
    if afi == policy.afi_secured:
        return True
    if afi == policy.afi_on_loan:
        return False
    return None


def read_security(reader: TagReader, uid: str, policy: SecurityPolicy) -> bool | None:
    """Whether the tag is secured now; None when its value matches neither configured state."""
    if policy.method == "eas":
        return reader.eas_check(uid)
    return secured_by_afi(reader.get_afi(uid), policy)


def set_security(reader: TagReader, uid: str, secured: bool, policy: SecurityPolicy) -> SecurityResult:
    """Write the security state, read it back, and say whether it held; never raises RfidError."""
    try:
        if policy.method == "eas":
            (reader.eas_set if secured else reader.eas_reset)(uid)
            now = reader.eas_check(uid)
            held = now == secured
            detail = f"EAS reads back {'on' if now else 'off'}"
        else:
            wanted = policy.afi_secured if secured else policy.afi_on_loan
            reader.write_afi(uid, wanted)
            now = reader.get_afi(uid)
            held = now == wanted
            detail = f"AFI reads back 0x{now:02X}" + ("" if held else f", wanted 0x{wanted:02X}")
    except RfidError as exc:
        return SecurityResult(uid, secured, policy.method, held=False, detail=str(exc))
    return SecurityResult(uid, secured, policy.method, held=held, detail=detail)
