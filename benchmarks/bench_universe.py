"""Benchmark: S1–S4 over the universe day 2026-08-12 (8.7 M best_bid_ask frames, 12,976 markets).

Ingestion = capture read (``read_capture`` of ``capture.parquet``: decode, row checks, order by seq)
+ normalise (``normalise_capture``: the vectorised best_bid_ask path) to MarketSnapshot frames
+ their validation against the generated schema (``validate_frame``), in frames per second, and
the peak RSS of the process that did it. Also printed, apart: S1 (``stages.registry``), the whole
of ``stages.ingest`` (which adds feed health and receipts) and the S2 MarketSnapshot table; then
**signals** = S3 (book state) and every intel bot (S4), every disc bot and the data-quality monitor
on those normalised frames, in input rows (top-of-book + book + trade rows) per second, with each
bot's own seconds and rows out, and the peak RSS of that process.

Each measurement runs in its own child process, so each peak RSS is its own
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``).

Usage: ``.venv/bin/python benchmarks/bench_universe.py [--day fixtures/2026-08-12] [--repeat 1]``
(``make bench``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DAY = ROOT / "fixtures" / "2026-08-12"
TARGET_FRAMES_PER_S = 300_000
TARGET_SIGNAL_ROWS_PER_S = 1_000_000


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _ingestion(day: Path) -> dict[str, object]:
    """Read + normalise + validate, timed step by step."""
    from polytraders.adapters.capture import capture_path, read_capture
    from polytraders.adapters.polymarket import normalise_capture
    from polytraders.contracts.frames import validate_frame
    from polytraders.runtime import stages

    instruments, _ = stages.registry(day)
    ticks = stages.tick_sizes_of(instruments)
    rss_before = _rss_mib()
    t0 = time.perf_counter()
    capture = read_capture(capture_path(day))
    t1 = time.perf_counter()
    normalised = normalise_capture(capture, ticks)
    t2 = time.perf_counter()
    validate_frame("MarketSnapshot", normalised.market_snapshots)
    t3 = time.perf_counter()
    return {
        "frames": capture.height,
        "snapshots": normalised.market_snapshots.height,
        "others": len(normalised.others),
        "read_s": t1 - t0,
        "normalise_s": t2 - t1,
        "validate_s": t3 - t2,
        "total_s": t3 - t0,
        "rss_before_mib": rss_before,
        "peak_rss_mib": _rss_mib(),
    }


def _stages(day: Path) -> dict[str, object]:
    """S1, the whole S2 ingest and its MarketSnapshot table, then S3–S4 (signals) bot by bot."""
    from polytraders.bots.inputs import MarketData
    from polytraders.runtime import stages
    from polytraders.runtime.profile import DISCOVERY_BOTS, SHADOW, SIGNAL_BOTS, bot_module

    t0 = time.perf_counter()
    instruments, quarantine = stages.registry(day)
    t1 = time.perf_counter()
    got = stages.ingest(day, instruments)
    t2 = time.perf_counter()
    table = stages.market_snapshots(got)
    t3 = time.perf_counter()
    books = stages.book_state(got.book_snapshots, got.book_deltas)
    data = MarketData(instruments=instruments, books=books, tops=table, trades=got.trades,
                      resolutions=got.resolutions)
    bots = {}
    for slug in (*SIGNAL_BOTS, *DISCOVERY_BOTS, "gov.data_quality_monitor"):
        started = time.perf_counter()
        out = bot_module(slug).run(data, SHADOW.config(slug))
        rows = out.candidates.height if hasattr(out, "candidates") else out.height
        bots[slug] = (time.perf_counter() - started, rows)
    t4 = time.perf_counter()
    return {
        "instruments": instruments.height,
        "s1_quarantine": quarantine.height,
        "frames": got.frames_in,
        "snapshots": table.height,
        "s2_quarantine": got.quarantine.height,
        "s1_s": t1 - t0,
        "ingest_s": t2 - t1,
        "table_s": t3 - t2,
        "signal_rows_in": table.height + books.height + got.trades.height,
        "signals_s": t4 - t3,
        "bots": bots,
        "peak_rss_mib": _rss_mib(),
    }


def _bare_read(day: Path) -> dict[str, object]:
    """The floor: polars reads the Parquet form's four columns, nothing checked, no ordering."""
    import polars as pl

    t0 = time.perf_counter()
    frame = pl.read_parquet(day / "capture.parquet")
    return {"frames": frame.height, "read_s": time.perf_counter() - t0, "peak_rss_mib": _rss_mib()}


CHILDREN = {"ingestion": _ingestion, "stages": _stages, "bare_read": _bare_read}


def _machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def _run_child(name: str, day: Path) -> dict[str, object]:
    command = [sys.executable, __file__, "--child", name, "--day", str(day)]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--day", type=Path, default=DEFAULT_DAY, help="fixture day directory")
    parser.add_argument("--repeat", type=int, default=1, help="ingestion runs (best is reported)")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        _out(json.dumps(CHILDREN[args.child](args.day)))
        return
    import polars as pl

    _out(f"universe day {args.day.name}: {_machine()}, polars {pl.__version__}, "
         f"{pl.thread_pool_size()} polars threads")
    bare = _run_child("bare_read", args.day)
    _out(f"  bare pl.read_parquet of the capture: {bare['read_s']:6.2f} s "
         f"({bare['frames'] / bare['read_s']:,.0f} frames/s), peak RSS {bare['peak_rss_mib']:,.0f} MiB")
    runs = [_run_child("ingestion", args.day) for _ in range(max(args.repeat, 1))]
    best = min(runs, key=lambda r: r["total_s"])
    rate = best["frames"] / best["total_s"]
    verdict = "meets" if rate >= TARGET_FRAMES_PER_S else "BELOW"
    _out(f"  ingestion (read + normalise + validate), best of {len(runs)}: {best['total_s']:6.2f} s = "
         f"{rate:,.0f} frames/s ({verdict} the {TARGET_FRAMES_PER_S:,} target), "
         f"peak RSS {best['peak_rss_mib']:,.0f} MiB")
    _out(f"    read_capture {best['read_s']:6.2f} s | normalise_capture {best['normalise_s']:6.2f} s | "
         f"validate_frame {best['validate_s']:6.2f} s   ({best['frames']:,} frames -> "
         f"{best['snapshots']:,} MarketSnapshots, {best['others']} other objects)")
    if len(runs) > 1:
        _out("    runs (s): " + " ".join(f"{r['total_s']:.2f}" for r in runs))
    st = _run_child("stages", args.day)
    _out(f"  S1 registry: {st['s1_s']:6.2f} s ({st['instruments']:,} instruments, "
         f"{st['s1_quarantine']} quarantined source findings)")
    _out(f"  S2 stages.ingest (adds feed health, receipts): {st['ingest_s']:6.2f} s = "
         f"{st['frames'] / st['ingest_s']:,.0f} frames/s; MarketSnapshot table (sort by token, ts) "
         f"{st['table_s']:5.2f} s")
    rate = st["signal_rows_in"] / st["signals_s"]
    s1_s4 = st["s1_s"] + st["ingest_s"] + st["table_s"] + st["signals_s"]
    verdict = "meets" if rate >= TARGET_SIGNAL_ROWS_PER_S else "BELOW"
    _out(f"  signals (S3 + {len(st['bots'])} bots): {st['signals_s']:6.2f} s = {rate:,.0f} rows/s ({verdict} the "
         f"{TARGET_SIGNAL_ROWS_PER_S:,} target); S1-S4 {s1_s4:.1f} s; peak RSS {st['peak_rss_mib']:,.0f} MiB")
    for slug, (seconds, rows) in sorted(st["bots"].items(), key=lambda kv: -kv[1][0]):
        _out(f"    {slug:<32} {seconds:6.2f} s {rows:>12,} rows out")


if __name__ == "__main__":
    main()
