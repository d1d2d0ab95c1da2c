"""Read `.po` catalogues and write `.mo` files, with no tool beyond Python itself.

Only what the kiosk's catalogues use: msgctxt-free singular entries, multi-line strings and
the usual C escapes. Fuzzy entries are left out, as msgfmt does.
"""

from __future__ import annotations

import ast
import re
import struct
import sys
from collections.abc import Iterable
from pathlib import Path

from kiosk.core.wording import ALL as CORE_WORDING

# tr("...") / app.tr('...') / self.tr("...") with a literal first argument, in .py and .kv files.
_TR_CALL = re.compile(r"""\btr\(\s*(?P<q>["'])(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)""")


class CatalogueError(ValueError):
    """A `.po` file this reader cannot understand; the message names the line."""


def parse_po(text: str, *, name: str = "<po>") -> dict[str, str]:
    """Every translated entry of a `.po` file as {msgid: msgstr}; the header has msgid ""."""
    entries: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None
    fuzzy = False

    def flush() -> None:
        nonlocal msgid, msgstr, fuzzy
        if msgid is not None and msgstr is not None and not fuzzy:
            key, value = "".join(msgid), "".join(msgstr)
            if value or key == "":
                entries[key] = value
        msgid = msgstr = None
        fuzzy = False

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                flush()
                fuzzy = True
            continue
        if line.startswith("msgid "):
            if msgid is not None:
                keep_fuzzy = fuzzy
                flush()
                fuzzy = keep_fuzzy
            msgid, current = [_string(line[6:], name, number)], None
            current = msgid
        elif line.startswith("msgstr "):
            if msgid is None:
                raise CatalogueError(f"{name}:{number}: msgstr without msgid")
            msgstr = [_string(line[7:], name, number)]
            current = msgstr
        elif line.startswith('"'):
            if current is None:
                raise CatalogueError(f"{name}:{number}: a string outside an entry")
            current.append(_string(line, name, number))
        else:
            raise CatalogueError(f"{name}:{number}: not understood: {line[:40]!r}")
    flush()
    return entries


def _string(token: str, name: str, number: int) -> str:
    token = token.strip()
    if len(token) < 2 or not (token.startswith('"') and token.endswith('"')):
        raise CatalogueError(f"{name}:{number}: expected a quoted string")
    try:
        return ast.literal_eval(token)
    except (ValueError, SyntaxError):
        raise CatalogueError(f"{name}:{number}: bad escape in {token[:40]!r}") from None


def build_mo(entries: dict[str, str]) -> bytes:
    """The GNU `.mo` bytes (little-endian, no hash table) for {msgid: msgstr}."""
    keys = sorted(entries)
    ids = [k.encode("utf-8") for k in keys]
    strs = [entries[k].encode("utf-8") for k in keys]
    count = len(keys)
    header_size = 7 * 4
    ids_table = header_size
    strs_table = ids_table + count * 8
    data_start = strs_table + count * 8
    offsets: list[tuple[int, int]] = []
    data = b""
    for blob in ids + strs:
        offsets.append((len(blob), data_start + len(data)))
        data += blob + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, count, ids_table, strs_table, 0, 0)
    table = b"".join(struct.pack("<2I", length, offset) for length, offset in offsets)
    return header + table + data


def compile_all(root: Path) -> list[Path]:
    """Write every `<lang>/LC_MESSAGES/*.mo` under `root` from its `.po`; return the files written."""
    written = []
    for po in sorted(root.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        mo.write_bytes(build_mo(parse_po(po.read_text(encoding="utf-8"), name=str(po))))
        written.append(mo)
    return written


def extract_messages(files: Iterable[Path], extra: Iterable[str] = ()) -> list[str]:
    """Every literal passed to `tr(...)` in these files, plus `extra`, sorted and unique."""
    found = set(extra)
    for path in files:
        for match in _TR_CALL.finditer(path.read_text(encoding="utf-8")):
            found.add(ast.literal_eval(match.group("q") + match.group("text") + match.group("q")))
    return sorted(found)


def source_messages() -> list[str]:
    """The messages of the patron app (screens, app, presentation) and of the core's wording."""
    # Here, not at the top: importing kiosk.screens starts Kivy, which parsing and compiling
    # catalogues need none of.
    from kiosk.screens.present import ALERT_TEXT

    package = Path(__file__).resolve().parent.parent
    files = [package / "app.py", *sorted((package / "screens").glob("*.py")),
             *sorted((package / "screens").glob("*.kv"))]
    return extract_messages(files, [*ALERT_TEXT.values(), *CORE_WORDING])


if __name__ == "__main__":
    for path in compile_all(Path(__file__).resolve().parent):
        print(path, file=sys.stderr)
