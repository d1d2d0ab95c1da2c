"""`kiosk queue ...`: the technician's view of the offline queue (list, replay, export, purge, resolve)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sip2.cli import PASSWORD_VARIABLE, positive_seconds
from sip2.errors import SIP2Error

from kiosk.config import DEFAULT_DATABASE, KioskConfig, SIP2Settings, load_config
from kiosk.config.table import ConfigError
from kiosk.core.acs_link import connected_client
from kiosk.storage import (
    EntryState,
    Journal,
    OfflineQueue,
    QueueEntry,
    QueueError,
    Replayer,
    StorageError,
    open_database,
)
from kiosk.storage.queue import LISTINGS

DEFAULT_LIST_LIMIT = 100
_OLD_PASSWORD_VARIABLE = "KIOSK_SIP2_PASSWORD"  # read until the next release, with a warning


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `kiosk queue list|replay|export|purge|resolve` to the `kiosk` command."""
    queue = subparsers.add_parser("queue", help="look at, replay, export or purge the offline queue")
    commands = queue.add_subparsers(dest="queue_command", required=True)

    def command(name: str, help_text: str, func) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=help_text, description=help_text)
        parser.add_argument("--config", help="the kiosk's configuration file: its [storage] database "
                                             "and, for replay, its [sip2] settings")
        parser.add_argument("--database", help="the kiosk's database file (default: the configuration's, "
                                               f"else $KIOSK_DATABASE, else {DEFAULT_DATABASE})")
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")
        parser.set_defaults(func=lambda args: _guarded(func, args))
        return parser

    listing = command("list", "list queue entries and counts", _list)
    listing.add_argument("--state", choices=tuple(LISTINGS), default="waiting",
                         help="which entries (default: waiting = pending and sending)")
    listing.add_argument("--limit", type=_count_of("entries"), default=DEFAULT_LIST_LIMIT,
                         help=f"list at most N entries, oldest first (default {DEFAULT_LIST_LIMIT}; 0: all)")
    listing.add_argument("--since", type=_moment,
                         help="only entries queued at or after this local date or time "
                              "(2026-03-01 or 2026-03-01T14:30)")

    replay = command("replay", "send the waiting entries to the library system now", _replay)
    replay.add_argument("--host", help="the library system's SIP2 address (or from --config)")
    replay.add_argument("--port", type=int, help="the library system's SIP2 port (or from --config)")
    replay.add_argument("--user", help="SIP2 login user (93 CN)")
    replay.add_argument("--password",
                        help=f"SIP2 login password (default ${PASSWORD_VARIABLE}, as for `sip2 client`; the "
                             f"environment keeps it out of the process list; ${_OLD_PASSWORD_VARIABLE} "
                             "is still read but deprecated)")
    replay.add_argument("--institution", help="institution id (AO)")
    replay.add_argument("--location", help="location code (93 CP)")
    replay.add_argument("--timeout", type=positive_seconds, help="seconds to wait for a reply (default 10)")

    export = command("export", "write the refused entries as CSV for staff", _export)
    export.add_argument("--output", help="file to write (default: standard output)")
    export.add_argument("--all", action="store_true", help="include refusals already resolved")

    purge = command("purge", "delete entries done more than N days ago (never waiting or refused ones)",
                    _purge)
    purge.add_argument("--days", type=_count_of("days"), required=True, help="age in days of done entries to delete")

    resolve = command("resolve", "mark a refused entry as dealt with by staff", _resolve)
    resolve.add_argument("entry", type=int, help="the entry's id")
    resolve.add_argument("--note", help="what was done (kept with the entry)")


def _password_from_environment() -> str | None:
    """The SIP2 password from the environment, from the deprecated name with a warning."""
    password = os.environ.get(PASSWORD_VARIABLE)
    if not password and os.environ.get(_OLD_PASSWORD_VARIABLE):
        print(f"kiosk queue replay: ${_OLD_PASSWORD_VARIABLE} is deprecated; "
              f"set ${PASSWORD_VARIABLE} instead", file=sys.stderr)
        password = os.environ[_OLD_PASSWORD_VARIABLE]
    return password or None


def _count_of(what: str) -> Callable[[str], int]:
    """An argument type: a whole number of `what`, not negative."""
    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of {what}: {text!r}") from None
        if number < 0:
            raise argparse.ArgumentTypeError(f"the number of {what} cannot be negative")
        return number

    return parse


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date or time: {text!r} "
                                         "(write 2026-03-01 or 2026-03-01T14:30)") from None


def _guarded(func, args: argparse.Namespace) -> int:
    """Run a sub-command; storage and input errors become one line on stderr and exit status 2."""
    try:
        return func(args)
    except (StorageError, QueueError, ConfigError, SIP2Error, OSError) as exc:
        print(f"kiosk queue {args.queue_command}: {exc}", file=sys.stderr)
        return 2


def _config(args: argparse.Namespace) -> KioskConfig | None:
    return load_config(args.config) if args.config else None


def _queue(args: argparse.Namespace, config: KioskConfig | None = None) -> OfflineQueue:
    config = config or _config(args)
    path = Path(args.database or (config.storage.database if config else None)
                or os.environ.get("KIOSK_DATABASE") or DEFAULT_DATABASE)
    if not path.is_file():
        raise StorageError(f"there is no kiosk database at {path} "
                           "(use --database, --config or $KIOSK_DATABASE)")
    return OfflineQueue(open_database(path))


def _sip2_settings(args: argparse.Namespace, config: KioskConfig | None) -> SIP2Settings:
    """The configuration's [sip2], overridden by the command line."""
    given = {"host": args.host, "port": args.port, "username": args.user,
             "password": args.password or _password_from_environment(), "institution": args.institution,
             "location": args.location, "timeout": args.timeout}
    given = {key: value for key, value in given.items() if value is not None}
    if config is not None:
        return replace(config.sip2, **given)
    if "host" not in given or "port" not in given:
        raise ConfigError("replay needs the library system's address: --host and --port, or --config")
    return SIP2Settings(**given)


def _list(args: argparse.Namespace) -> int:
    queue = _queue(args)
    limit = args.limit or None  # 0: every entry
    page = queue.listing(args.state, since=args.since, limit=None if limit is None else limit + 1)
    entries = page[:limit]
    more = len(page) > len(entries)
    counts = queue.counts()
    age = queue.oldest_pending_age()
    if args.json:
        _print_json({"counts": asdict(counts), "oldest_waiting_seconds": age and age.total_seconds(),
                     "entries": [_entry_json(e) for e in entries]})
        return 0
    print(f"waiting {counts.waiting} (pending {counts.pending}, sending {counts.sending}), "
          f"done {counts.done}, refused {counts.refused} ({counts.unresolved} not resolved)")
    if age is not None:
        print(f"oldest waiting entry queued {_duration(age)} ago")
    for e in entries:
        who = f" patron {e.patron_id}" if e.patron_id else ""
        line = (f"{e.id:>6}  {e.state:<8} {e.kind:<8} item {e.item_id}{who}  "
                f"{e.transaction_date:%Y-%m-%d %H:%M:%S}  attempts {e.attempts}")
        print(line + (f"\n        {e.reason}" if e.reason else "")
              + (f"\n        last error: {e.last_error}" if e.last_error and e.state != EntryState.DONE else ""))
    if more:
        print(f"(more entries not shown: --limit {limit} reached; --limit 0 lists all, --since narrows)")
    return 0


def _replay(args: argparse.Namespace) -> int:
    config = _config(args)
    settings = _sip2_settings(args, config)
    queue = _queue(args, config)
    report = Replayer(queue, partial(connected_client, settings), journal=Journal(queue.db)).replay_once()
    counts = queue.counts()
    if args.json:
        _print_json({**asdict(report), "completed": report.completed, "counts": asdict(counts)})
    else:
        print(f"sent {report.sent}: {report.done} done, {report.refused} refused, "
              f"{report.reconciled} settled from the item's status; {counts.waiting} still waiting")
        if report.stopped_by:
            print(f"stopped: {report.stopped_by}")
    return 0 if report.completed else 1


def _export(args: argparse.Namespace) -> int:
    queue = _queue(args)
    if args.output:
        with open(args.output, "w", newline="", encoding="utf-8") as stream:
            rows = queue.export_refused_csv(stream, include_resolved=args.all)
        _summary(args, {"exported": rows, "output": args.output},
                 f"{rows} refused entries written to {args.output}")
    else:
        queue.export_refused_csv(sys.stdout, include_resolved=args.all)
    return 0


def _purge(args: argparse.Namespace) -> int:
    removed = _queue(args).purge(timedelta(days=args.days))
    _summary(args, {"purged": removed}, f"{removed} done entries older than {args.days} days deleted")
    return 0


def _resolve(args: argparse.Namespace) -> int:
    entry = _queue(args).mark_refused_resolved(args.entry, args.note)
    _summary(args, _entry_json(entry), f"entry {entry.id} marked resolved")
    return 0


def _summary(args: argparse.Namespace, data: dict, text: str) -> None:
    if args.json:
        _print_json(data)
    else:
        print(text)


def _entry_json(entry: QueueEntry) -> dict[str, Any]:
    return {key: (value.isoformat() if isinstance(value, datetime) else
                  list(value) if isinstance(value, tuple) else value)
            for key, value in asdict(entry).items()}


def _duration(age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))
