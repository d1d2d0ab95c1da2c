"""Every parser that reads input from outside, what it may raise, and how to make inputs for it.

A target takes one input (bytes) and a number for its variants (character set, how the bytes
are cut into reads, keyboard layout); it returns quietly or raises one of its `allowed`
errors. Anything else is a crash, and so is a broken promise checked on the way (a PIN in
clear, a frame longer than the limit). The unit suite runs a few hundred inputs per target
through hypothesis (tests/test_fuzz.py); `python -m bench.fuzz` runs 100,000 each.
"""

from __future__ import annotations

import atexit
import json
import random
import shutil
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evdev import InputEvent, ecodes as E

from sip2.charsets import usable_encodings
from sip2.codec import decode, encode, mask_secrets
from sip2.errors import CodecError, FrameError as SIP2FrameError
from sip2.framer import Framer

from kiosk.config import load_config
from kiosk.config.table import ConfigError
from kiosk.devices.keymaps import LAYOUTS
from kiosk.devices.rfid import protocol_3m810, protocol_feig
from kiosk.devices.rfid.errors import RfidError
from kiosk.devices.serial_framing import DiscardedLine, FramedScan, LineFormat, LineFramer
from kiosk.devices.tags import TagFormatError, decode_tag, encode_tag, iso28560_2, iso28560_3, rfid501
from kiosk.devices.wedge_decoder import DecodedScan, DiscardedKeys, WedgeDecoder

from tests.sip2.vectors import VALID

ROOT = Path(__file__).resolve().parents[1]
# A PIN put into SIP2 inputs: it must never come out in clear, whatever surrounds it.
PIN = b"7391642"


@dataclass(frozen=True)
class Target:
    """One parser under fuzzing."""

    name: str
    run: Callable[[bytes, int], None]
    allowed: tuple[type[BaseException], ...]
    seeds: tuple[bytes, ...]
    generate: Callable[[random.Random], bytes] | None = field(default=None)  # instead of mutating seeds

    def make_input(self, rng: random.Random) -> bytes:
        """A new input: generated, or a seed mutated a few times (sometimes plain random bytes)."""
        if self.generate is not None and rng.random() < 0.7:
            return self.generate(rng)
        return mutate(rng, self.seeds)


class BrokenPromise(AssertionError):
    """A parser returned, but broke a promise about what it returns (counted as a crash)."""


# --- making inputs ---------------------------------------------------------------------------

_TOKENS = (b"|", b"AD", b"AC", b"CO", b"AY", b"AZ", b"\r", b"\n", b"\r\n", b"0", b"9", b" ", b"Y", b"N",
           b"\x00", b"\xff", b"\xc3", b"\xd6", b"\x55", b"=", b"[", b"]", b'"', b"'", b"\\", b"{", b"}",
           b"#", b".", b",", b"\xe9", b"\x1b")


def mutate(rng: random.Random, seeds: tuple[bytes, ...]) -> bytes:
    """Random bytes (one time in ten), else a seed with 1-6 random edits."""
    if rng.random() < 0.1 or not seeds:
        return rng.randbytes(rng.randrange(0, 200))
    data = bytearray(rng.choice(seeds))
    for _ in range(rng.randrange(1, 7)):
        where = rng.randrange(len(data) + 1)
        edit = rng.randrange(7)
        if edit == 0 and data:
            data[min(where, len(data) - 1)] = rng.randrange(256)
        elif edit == 1:
            data[where:where] = rng.choice(_TOKENS)
        elif edit == 2:
            del data[where:where + rng.randrange(1, 9)]
        elif edit == 3:
            data[where:where] = rng.randbytes(rng.randrange(1, 9))
        elif edit == 4:
            span = bytes(data[where:where + rng.randrange(1, 20)])
            data[where:where] = span * rng.randrange(1, 4)
        elif edit == 5:
            other = rng.choice(seeds)
            data = data[:where] + other[rng.randrange(len(other) + 1):]
        else:
            del data[where:]
    return bytes(data)


def chunks(data: bytes, choice: int) -> list[bytes]:
    """`data` cut into reads of random sizes (the choice seeds the cuts)."""
    rng = random.Random(choice)
    out, at = [], 0
    while at < len(data):
        size = rng.choice((1, 2, 3, 7, 64, 4096))
        out.append(data[at:at + size])
        at += size
    return out


# --- SIP2 ------------------------------------------------------------------------------------

_SIP2_SEEDS = tuple(VALID) + (
    b"2300120260302    101500AOMAIN|AA20001000000012|AD1234|ACterm|AY4AZ0000",
    b"6300120260302    101500Y         AOMAIN|AA20001000000012|AD4321|BP1|BQ5|",
    b"9300CNkiosk|COs3cret|CPbranch|",
    "11NN20260302    10150020260323    235959AOMAIN|AA20001000000012|AB30234000517861|AJKöln|".encode(),
    b"24              00120260302    101500AOMAIN|AA2|AEPat|BLY|CQN|",
)


def _with_pin(data: bytes, choice: int) -> bytes:
    """`data` with `AD<PIN>|` put in at a field boundary (start, or after a '|')."""
    boundaries = [0] + [i + 1 for i, byte in enumerate(data) if byte == 0x7C]
    at = boundaries[choice % len(boundaries)]
    return data[:at] + b"AD" + PIN + b"|" + data[at:]


def _no_pin(text: str, where: str) -> None:
    if PIN.decode() in text:
        raise BrokenPromise(f"{where} shows the PIN in clear: {text[:200]!r}")


def sip2_framer(data: bytes, choice: int) -> None:
    limit = (16, 64, 1024, 65536)[choice % 4]
    framer = Framer(max_length=limit)
    for piece in chunks(data, choice):
        try:
            messages = framer.messages(piece)
        except SIP2FrameError:
            continue
        for message in messages:
            if b"\r" in message or b"\n" in message or not message or len(message) > limit:
                raise BrokenPromise(f"framer gave {message[:80]!r} (limit {limit})")


def sip2_codec(data: bytes, choice: int) -> None:
    encodings = usable_encodings()
    encoding = encodings[choice % len(encodings)]
    if choice & 1:
        data = _with_pin(data, choice >> 1)
    try:
        received = decode(data, encoding=encoding)
    except CodecError as exc:
        _no_pin(str(exc), f"decode error in {encoding}")
        raise
    try:
        encode(received.message, encoding=encoding)
    except CodecError as exc:
        _no_pin(str(exc), f"encode error in {encoding}")
        raise


# Character sets the configuration refuses; the codec must still raise only CodecError with them.
REFUSED_ENCODINGS = ("idna", "punycode", "undefined", "utf-16", "utf-32", "utf-7", "utf-8-sig", "shift_jis",
                     "big5", "gbk", "iso2022_jp", "hz", "raw_unicode_escape", "unicode_escape", "rot13", "hex")


def sip2_codec_refused(data: bytes, choice: int) -> None:
    encoding = REFUSED_ENCODINGS[choice % len(REFUSED_ENCODINGS)]
    try:
        received = decode(data, encoding=encoding)
    except CodecError as exc:
        _no_pin(str(exc), f"decode error in {encoding}")
        raise
    encode(received.message, encoding=encoding)


def sip2_mask(data: bytes, choice: int) -> None:
    data = _with_pin(data, choice >> 1)
    text = mask_secrets(data if choice & 1 else data.decode("utf-8", errors="replace"))
    _no_pin(text, "mask_secrets")


# --- RFID readers and tags -------------------------------------------------------------------

_3M_SEEDS = (bytes.fromhex("D6 00 09 03 00 02 00 00 00 03 12 E6"), bytes.fromhex("D6 00 05 FE 00 05 FA 40"),
             bytes.fromhex("D6 00 07 FE 00 00 05 00 C9 7B"),
             protocol_3m810.encode_frame(0xFE, bytes([0, 1, 1]) + bytes.fromhex("E004010000000001")))
_FEIG_SEEDS = (bytes.fromhex("07 FF B0 01 00 1C 56"), bytes.fromhex("06 00 B0 01 5C 63"),
               protocol_feig.encode_frame(0, 0xB0, bytes([0, 1, 3, 0]) + bytes.fromhex("E004010000000001")))


def _deframe(module: Any, data: bytes, choice: int) -> None:
    deframer = module.deframer()
    for piece in chunks(data, choice):
        for frame in deframer.feed(piece):
            if frame.command in (0xFE, 0xB0):
                try:
                    module.parse_inventory(frame)
                except RfidError:
                    pass
    if deframer.pending() > 4096:
        raise BrokenPromise(f"deframer holds {deframer.pending()} bytes")
    module.decode_frame(data)


def rfid_3m810(data: bytes, choice: int) -> None:
    _deframe(protocol_3m810, data, choice)


def rfid_feig(data: bytes, choice: int) -> None:
    _deframe(protocol_feig, data, choice)


def _tag_seeds() -> tuple[bytes, ...]:
    seeds = []
    for model in ("iso28560-3", "iso28560-2", "3m-rfid501"):
        for item, parts, isil in (("30234000517861", 1, "DK-710100"), ("0042", 3, "DE-Heu1"), ("A-1.B", 2, "")):
            try:
                seeds.append(encode_tag(model, item, parts=parts, part=1, isil=isil)[0])
            except (ValueError, TagFormatError):
                pass
    return tuple(seeds)


def tag_iso28560_3(data: bytes, choice: int) -> None:
    try:
        iso28560_3.decode(data)
    finally:
        decode_tag("E004010000000001", data, None if choice & 1 else 0x06, partial=bool(choice & 2))


def tag_iso28560_2(data: bytes, choice: int) -> None:
    iso28560_2.decode(data, bool(choice & 1))


def tag_rfid501(data: bytes, choice: int) -> None:
    rfid501.decode(data)


# --- scanners --------------------------------------------------------------------------------

_LINE_SEEDS = (b"]C030234000517861\r\n", b"]E05012345678900\r", b"20001000000012\n", b"\r\n\n\r", b"]Q1x\r")


def scanner_lines(data: bytes, choice: int) -> None:
    line_format = LineFormat(aim=bool(choice & 1), strip_prefix="*" if choice & 2 else "",
                             strip_suffix="#" if choice & 4 else "")
    framer = LineFramer(line_format, max_length=(1, 14, 256)[choice % 3])
    for piece in chunks(data, choice):
        for outcome in framer.feed(piece):
            if not isinstance(outcome, (FramedScan, DiscardedLine)):
                raise BrokenPromise(f"line framer gave {outcome!r}")


_KEYS = (E.KEY_A, E.KEY_1, E.KEY_MINUS, E.KEY_LEFTSHIFT, E.KEY_RIGHTSHIFT, E.KEY_RIGHTALT, E.KEY_CAPSLOCK,
         E.KEY_ENTER, E.KEY_KPENTER, E.KEY_TAB, E.KEY_102ND, E.KEY_Z, E.KEY_NUMLOCK, E.KEY_LEFTCTRL, E.KEY_SPACE)


def _events(data: bytes) -> list[InputEvent]:
    """Key events from bytes, four per event: kind, key, value, milliseconds since the last."""
    events, clock = [], 1_700_000_000_000
    for at in range(0, len(data) - 3, 4):
        kind, key, value, gap = data[at:at + 4]
        etype = (E.EV_KEY, E.EV_KEY, E.EV_KEY, E.EV_SYN, E.EV_MSC, kind)[kind % 6]
        code = _KEYS[key % len(_KEYS)] if key < 200 else key * 3
        clock += gap * 7
        events.append(InputEvent(clock // 1000, clock % 1000 * 1000, etype, code, (0, 1, 2, value)[value % 4]))
    return events


def scanner_wedge(data: bytes, choice: int) -> None:
    layouts = sorted(LAYOUTS)
    decoder = WedgeDecoder(layouts[choice % len(layouts)], max_length=(1, 14, 256)[choice % 3])
    for outcome in decoder.feed_all(_events(data)):
        if not isinstance(outcome, (DecodedScan, DiscardedKeys)):
            raise BrokenPromise(f"wedge decoder gave {outcome!r}")


# --- configuration ---------------------------------------------------------------------------

_EXAMPLE = (ROOT / "config" / "kiosk.example.toml").read_bytes()
_KNOWN = tomllib.loads(_EXAMPLE.decode())
_SCRATCH: list[Path] = []


def _scratch() -> Path:
    if not _SCRATCH:
        memory = Path("/dev/shm")  # rewriting one file 100,000 times: much faster in memory
        folder = Path(tempfile.mkdtemp(prefix="kiosk-fuzz-", dir=memory if memory.is_dir() else None))
        atexit.register(shutil.rmtree, folder, True)
        _SCRATCH.append(folder)
    return _SCRATCH[0]


def _value(rng: random.Random, like: Any, depth: int = 0) -> Any:
    """A random TOML value, often of the type the key expects."""
    kind = rng.randrange(10)
    if kind < 3 and like is not None and not isinstance(like, dict):
        if isinstance(like, bool):
            return rng.random() < 0.5
        if isinstance(like, int):
            return rng.choice((0, -1, 1, like, like * 1000, 2**63 - 1, -(2**63), rng.randrange(-10**6, 10**6)))
        if isinstance(like, float):
            return rng.choice((0.0, -0.5, like, like * 1e6, 1e308, -1e308, float("inf"), float("nan")))
        if isinstance(like, str):
            return rng.choice(("", like, like * 3, like.upper(), "\x00" + like, "/dev/null", "é", "..", like[:1]))
        if isinstance(like, list):
            return [_value(rng, like[0] if like else "x", depth + 1) for _ in range(rng.randrange(4))]
    choices: list[Callable[[], Any]] = [
        lambda: rng.random() < 0.5, lambda: rng.randrange(-10**20, 10**20), lambda: rng.uniform(-1e9, 1e9),
        lambda: "".join(rng.choice("abc \x00\t\\\"'é|/.:-_0123456789") for _ in range(rng.randrange(12))),
        lambda: [], lambda: ["x", "y"]]
    if depth < 2:
        choices.append(lambda: {"k": _value(rng, None, depth + 1)})
    return rng.choice(choices)()


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if value != value else ("inf" if value == float("inf") else
                                              "-inf" if value == float("-inf") else repr(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"


def random_document(rng: random.Random) -> bytes:
    """A TOML document of the kiosk's tables and keys (some misspelt) with random values."""
    lines = []
    tables = list(_KNOWN) + ["scanner", "rfid", "technician", "bogus"]
    for table in rng.sample(tables, rng.randrange(1, len(tables))):
        keys = dict(_KNOWN.get(table, {}))
        header = f"[[{table}]]" if table == "scanner" else f"[{table}]"
        if table == "scanner":
            keys = {"driver": rng.choice(("serial", "keyboard", "evdev", "sim", "x")), "name": "s", "port": "loop://"}
        elif table == "rfid":
            keys = {"driver": rng.choice(("3m810", "feig", "sim", "x")), "port": "loop://", "poll_interval": 0.1}
        elif table == "technician":
            keys = {"pattern": "TECH-[0-9]{4}", "pin_hash": "x", "timeout": 300.0}
        lines.append(header)
        for key, like in keys.items():
            if rng.random() < 0.2:
                continue
            name = key if rng.random() < 0.9 else key[:-1] + rng.choice("sxe")
            value = like if rng.random() < 0.5 and not isinstance(like, dict) else _value(rng, like)
            lines.append(f"{name} = {_toml(value)}")
    return "\n".join(lines).encode("utf-8", errors="surrogatepass") + b"\n"


def config_loader(data: bytes, choice: int) -> None:
    path = _scratch() / "kiosk.toml"
    path.write_bytes(data)
    load_config(path)


# --- the list --------------------------------------------------------------------------------

TARGETS: tuple[Target, ...] = (
    Target("sip2 framer", sip2_framer, (), _SIP2_SEEDS + (b"\r".join(_SIP2_SEEDS),)),
    Target("sip2 codec (every accepted encoding)", sip2_codec, (CodecError,), _SIP2_SEEDS),
    Target("sip2 codec (refused encodings)", sip2_codec_refused, (CodecError,), _SIP2_SEEDS),
    Target("sip2 mask_secrets", sip2_mask, (), _SIP2_SEEDS),
    Target("rfid 3m810 deframer", rfid_3m810, (RfidError,), _3M_SEEDS),
    Target("rfid feig deframer", rfid_feig, (RfidError,), _FEIG_SEEDS),
    Target("tag iso28560-3", tag_iso28560_3, (TagFormatError,), _tag_seeds()),
    Target("tag iso28560-2", tag_iso28560_2, (TagFormatError,), _tag_seeds()),
    Target("tag 3m-rfid501", tag_rfid501, (TagFormatError,), _tag_seeds()),
    Target("scanner serial lines", scanner_lines, (), _LINE_SEEDS),
    Target("scanner wedge keys", scanner_wedge, (), (bytes(range(256)),)),
    Target("config (TOML documents)", config_loader, (ConfigError,), (_EXAMPLE,), random_document),
    Target("config (byte soup)", config_loader, (ConfigError,), (_EXAMPLE, b'[sip2]\nhost = "x"\n')),
)


def run_one(target: Target, data: bytes, choice: int) -> BaseException | None:
    """Feed one input; the crash (an exception not allowed) or None."""
    try:
        target.run(data, choice)
    except target.allowed:
        return None
    except Exception as exc:  # the very thing a fuzzer looks for
        return exc
    return None
