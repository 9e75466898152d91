"""The benchmarks still run: each script of `make bench`, shrunk to a few users, ends with one
JSON object carrying its figures, and the correctness part of its targets holds.

Nothing here is timed: speed is for `make bench` on a quiet machine (docs/performance.md).
This only keeps the scripts from rotting when the code they drive changes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_bench(script: str, *args: str, timeout: float = 180) -> dict[str, Any]:
    """Run bench/<script> with `args`; its last stdout line parsed as JSON."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{script} exited {done.returncode}:\n{done.stderr[-3000:]}"
    lines = done.stdout.strip().splitlines()
    assert lines, f"{script} printed nothing:\n{done.stderr[-3000:]}"
    summary = json.loads(lines[-1])
    assert isinstance(summary, dict)
    return summary


def test_herd() -> None:
    s = run_bench("herd.py", "--participants", "40", "--capacity", "5", "--warmup", "3")
    for key in ("participants", "capacity", "confirmed", "waiting", "unanswered", "p50_ms",
                "p99_ms", "updates_per_s", "echo_updates_per_s", "ratio"):  # fmt: skip
        assert key in s, key
    assert (s["participants"], s["capacity"], s["confirmed"], s["waiting"]) == (40, 5, 5, 35)
    assert s["unanswered"] == 0 and s["spec_violations"] == 0


def test_broadcast() -> None:
    s = run_bench("broadcast.py", "--recipients", "40")
    for key in ("recipients", "delivered", "duplicates", "lost", "throttled_429", "seconds",
                "rate_per_s", "configured_rate_per_s"):  # fmt: skip
        assert key in s, key
    assert (s["recipients"], s["delivered"], s["duplicates"], s["lost"]) == (40, 40, 0, 0)
    assert s["report_finished"] and s["spec_violations"] == 0


def test_start_throughput() -> None:
    s = run_bench("start_throughput.py", "--users", "30", "--warmup", "3")
    assert s["users"] == 30 and s["kisbot_updates_per_s"] > 0 and s["echo_updates_per_s"] > 0
    assert s["unanswered"] == 0 and s["spec_violations"] == 0


def test_memory() -> None:
    s = run_bench("memory.py", "--idle", "0.5")
    assert s["rss_mb"] > 0 and s["get_updates_calls"] > 0 and s["exit_code"] == 0


def test_staff_queries() -> None:
    s = run_bench("staff_queries.py", "--participants", "100", "--bookings", "500", "--runs", "1")
    assert s["bench"] == "staff_queries" and s["card_ms"] >= 0 and s["report_ms"] >= 0
