"""Technician PINs, stored only as salted scrypt hashes (`kiosk hash-pin` makes one).

The stored form is `scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>`, so the cost can be raised
later without breaking the hashes already in configuration files.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

_N, _R, _P = 2**14, 8, 1
_LENGTH = 32


class PinHashError(ValueError):
    """A stored PIN hash that is not in the `scrypt$n$r$p$salt$hash` form."""


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """A salted scrypt hash of `pin` in the stored form."""
    if not pin:
        raise ValueError("the PIN must not be empty")
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=_LENGTH)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_form(stored: str) -> tuple[int, int, int, bytes, bytes]:
    """Split a stored hash into its parts; raise PinHashError when it is malformed."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise PinHashError("expected scrypt$n$r$p$salt$hash (made by `kiosk hash-pin`)")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt, digest = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
    except ValueError:
        raise PinHashError("the cost numbers, salt or hash are not readable") from None
    if n < 2 or n & (n - 1) or r < 1 or p < 1 or not salt or not digest:
        raise PinHashError("the cost numbers, salt or hash are out of range")
    return n, r, p, salt, digest


def verify_pin(pin: str, stored: str) -> bool:
    """True when `pin` matches the stored hash (compared in constant time); False for a bad hash."""
    try:
        n, r, p, salt, digest = check_form(stored)
        computed = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(digest),
                                  maxmem=256 * 1024 * 1024)
    except (PinHashError, ValueError):
        return False
    return hmac.compare_digest(computed, digest)
