"""Helpers for running scripts/kiosk-install.sh for real into a scratch root: the root itself,
stand-ins for what this machine lacks (systemctl, the installed virtualenv), an old database."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

from kiosk.storage.migrations import MIGRATIONS

REPO = Path(__file__).resolve().parents[2]


def scratch_root(tmp_path: Path) -> Path:
    """A DESTDIR with the host's account files and a Raspberry Pi boot partition."""
    dest = tmp_path / "root"
    (dest / "etc").mkdir(parents=True)
    for name in ("passwd", "group", "shadow", "gshadow", "login.defs"):
        if Path("/etc", name).exists():
            shutil.copy(Path("/etc", name), dest / "etc" / name)
    (dest / "boot" / "firmware").mkdir(parents=True)
    (dest / "boot" / "firmware" / "cmdline.txt").write_text("console=tty1 root=PARTUUID=1234-02 rootwait\n")
    return dest


def install_tools(tmp_path: Path) -> tuple[Path, Path]:
    """A systemctl that records its calls, and a python whose `-m venv` makes a venv whose
    `kiosk` is this checkout's and whose pip records what it was asked to install."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.log"
    (bin_dir / "systemctl").write_text(f'#!/bin/sh\necho "systemctl $*" >> {calls}\n')
    (bin_dir / "python").write_text(f"""#!/bin/sh
[ "$1 $2" = "-m venv" ] || exec {sys.executable} "$@"
mkdir -p "$3/bin"
printf '#!/bin/sh\\necho "pip $*" >> {calls}\\n' > "$3/bin/pip"
printf '#!/bin/sh\\nexec {sys.executable} "$@"\\n' > "$3/bin/python"
printf '#!/bin/sh\\nPYTHONPATH={REPO} exec {sys.executable} -m kiosk.cli "$@"\\n' > "$3/bin/kiosk"
chmod +x "$3/bin/pip" "$3/bin/python" "$3/bin/kiosk"
""")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return bin_dir, calls


def old_database_with_a_waiting_return(path: Path) -> None:
    """A database as release 3 wrote it, with a return waiting to be replayed."""
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    for step in MIGRATIONS[:3]:
        for statement in step.statements:
            raw.execute(statement)
        raw.execute("INSERT INTO schema_version VALUES (?, '2026-01-01T00:00:00.000000')", (step.version,))
    raw.execute("INSERT INTO queue_entries (kind, item_id, transaction_date, state, attempts, created_at, "
                "updated_at) VALUES ('checkin', '31234567890126', '2026-11-29T10:00:00', 'pending', 0, "
                "'2026-11-29T10:00:01.000000', '2026-11-29T10:00:01.000000')")
    raw.commit()
    raw.close()
