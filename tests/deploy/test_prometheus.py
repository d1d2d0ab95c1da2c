"""deploy/prometheus: the alert rules and scrape configuration pass promtool's checks and the rules'
unit tests; the rules and the Grafana dashboard ask only for series the kiosk really exports, and
every dashboard query is valid PromQL (promtool parses it)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kiosk.monitoring.metrics import render_metrics
from kiosk.monitoring.status import DeviceHealth, KioskStatus

PROMETHEUS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
RULES = PROMETHEUS / "library-kiosk.rules.yml"
DASHBOARD = PROMETHEUS / "grafana-dashboard.json"
PROMTOOL = shutil.which("promtool") or str(Path(sys.executable).parent / "promtool")

needs_promtool = pytest.mark.skipif(not Path(PROMTOOL).is_file() and not shutil.which("promtool"),
                                    reason="promtool is not installed (scripts/bootstrap.sh fetches it)")


def promtool(*args: str, cwd: Path = PROMETHEUS) -> subprocess.CompletedProcess:
    return subprocess.run([PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@needs_promtool
def test_rules_are_valid():
    done = promtool("check", "rules", RULES.name)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 8 rules found" in done.stdout


@needs_promtool
def test_rules_unit_tests_pass():
    tests = sorted(str(p.relative_to(PROMETHEUS)) for p in (PROMETHEUS / "tests").glob("*.test.yml"))
    assert tests
    done = promtool("test", "rules", *tests)
    assert done.returncode == 0, done.stdout + done.stderr


@needs_promtool
def test_scrape_config_example_is_valid():
    done = promtool("check", "config", "prometheus.example.yml")
    assert done.returncode == 0, done.stdout + done.stderr


def exported_series() -> set[str]:
    """The names of every series a kiosk exports, from its own metrics renderer."""
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    status = KioskStatus(kiosk_id="k", version="1", taken_at=now, online=True, acs_error="", queue_waiting=1,
                         queue_refused=0, queue_oldest_seconds=1.0,
                         devices=(DeviceHealth("s", "scanner", "evdev", "connected", ""),), printer="ready",
                         outbox_pending=0, outbox_failed=0, last_transaction_at=now, in_service=True,
                         transactions=(("checkout", 1),))
    text = render_metrics(status, ["queue_old"])
    return {line.split("{")[0] for line in text.splitlines() if line and not line.startswith("#")}


def dashboard_queries() -> list[str]:
    board = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    queries = [t["expr"] for panel in board["panels"] for t in panel["targets"]]
    queries += [v["definition"] for v in board["templating"]["list"] if "definition" in v]
    return queries


def test_rules_and_dashboard_ask_only_for_series_the_kiosk_exports():
    exported = exported_series()
    asked = set(re.findall(r"library_kiosk_\w+", RULES.read_text(encoding="utf-8")))
    for query in dashboard_queries():
        asked |= set(re.findall(r"library_kiosk_\w+", query))
    assert asked and asked <= exported, asked - exported
    assert {"library_kiosk_in_service", "library_kiosk_transactions_total", "library_kiosk_queue_waiting",
            "library_kiosk_queue_refused"} <= asked


@needs_promtool
def test_dashboard_queries_are_valid_promql(tmp_path):
    """Each query, with Grafana's variables filled in, as a recording rule that promtool parses."""
    queries = [q.replace("$kiosk", ".*") for q in dashboard_queries() if not q.startswith("label_values(")]
    rules = tmp_path / "dashboard.rules.yml"
    rules.write_text(json.dumps({"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query_{n}", "expr": query} for n, query in enumerate(queries)]}]}))
    done = promtool("check", "rules", str(rules), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(queries)} rules found" in done.stdout
