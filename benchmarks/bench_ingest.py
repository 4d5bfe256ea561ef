"""Benchmark S2 ingestion of a fixture day: vectorised ``normalise_capture`` vs per-frame path.

Usage::

    .venv/bin/python benchmarks/bench_ingest.py [--day fixtures/2026-09-28] [--repeat 3]

Each path runs in its own child process (so each peak RSS is its own): read the capture once, then
normalise it ``--repeat`` times; prints frames/s (best run), wall times and peak RSS
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``, after reading and at the end). The per-frame path is
``normalise_market_frame`` on every row, snapshots collected into the frame form with ``to_frame``
(what S2 did before the fast path); ``--check`` also asserts both give identical results.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DAY = ROOT / "fixtures" / "2026-09-28"


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _per_frame(capture: Any, tick_sizes: dict[str, Any]) -> tuple[Any, list[Any]]:
    from polytraders.adapters.polymarket import normalise_market_frame
    from polytraders.contracts import OrderBookSnapshot
    from polytraders.contracts.frames import to_frame

    books, others = [], []
    for recv_ms, _channel, raw in capture.iter_rows():
        for obj in normalise_market_frame(raw, recv_ms, tick_sizes):
            (books if isinstance(obj, OrderBookSnapshot) else others).append(obj)
    return to_frame("OrderBookSnapshot", books), others


def _child(path: str, day: Path, repeat: int) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from polytraders.adapters.capture import capture_path, read_capture
    from polytraders.adapters.polymarket import normalise_capture

    start = time.perf_counter()
    capture = read_capture(capture_path(day))
    read_s = time.perf_counter() - start
    rss_read = _rss_mib()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        if path == "fast":
            result = normalise_capture(capture, {})
            books, others = result.book_snapshots, result.others
        else:
            books, others = _per_frame(capture, {})
        runs.append(time.perf_counter() - start)
    return {
        "path": path,
        "frames": capture.height,
        "books": books.height,
        "others": len(others),
        "read_s": read_s,
        "runs_s": runs,
        "rss_after_read_mib": rss_read,
        "peak_rss_mib": _rss_mib(),
    }


def _check(day: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from polars.testing import assert_frame_equal

    from polytraders.adapters.capture import capture_path, read_capture
    from polytraders.adapters.polymarket import normalise_capture

    capture = read_capture(capture_path(day))
    result = normalise_capture(capture, {})
    books, others = _per_frame(capture, {})
    assert_frame_equal(result.book_snapshots, books)
    assert result.others == others
    _out(f"check: identical ({books.height} snapshots, {len(others)} other objects)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--day", type=Path, default=DEFAULT_DAY, help="fixture day directory")
    parser.add_argument("--repeat", type=int, default=3, help="normalisation runs per path")
    parser.add_argument("--paths", default="fast,per-frame", help="comma-separated: fast, per-frame")
    parser.add_argument("--check", action="store_true", help="also assert both paths are identical")
    parser.add_argument("--child", choices=["fast", "per-frame"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _out(json.dumps(_child(args.child, args.day, args.repeat)))
        return
    results = []
    for path in args.paths.split(","):
        command = [sys.executable, __file__, "--child", path, "--day", str(args.day), "--repeat", str(args.repeat)]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        results.append(json.loads(done.stdout.splitlines()[-1]))
    _out(f"day {args.day} ({results[0]['frames']:,} frames), best of {args.repeat} run(s)")
    header = f"{'path':<10} {'frames/s':>10} {'best s':>8} {'runs s':<22} {'read s':>7} {'RSS read':>9} {'peak RSS':>9}"
    _out(header)
    for row in results:
        best = min(row["runs_s"])
        runs = " ".join(f"{run:.2f}" for run in row["runs_s"])
        _out(
            f"{row['path']:<10} {row['frames'] / best:>10,.0f} {best:>8.2f} {runs:<22} {row['read_s']:>7.2f} "
            f"{row['rss_after_read_mib']:>6.0f}MiB {row['peak_rss_mib']:>6.0f}MiB"
        )
    if len(results) == 2:
        fast, slow = (min(row["runs_s"]) for row in results)
        _out(f"speed-up {slow / fast:.1f}x; outputs: {[(row['books'], row['others']) for row in results]}")
    if args.check:
        _check(args.day)


if __name__ == "__main__":
    main()
