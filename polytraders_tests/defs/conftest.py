"""Fixtures of the Dagster-level tests: a slice of the real day 2026-09-28."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from polytraders.defs import environment

DAY = "2026-09-28"
SOURCE = environment.REPO_ROOT / "fixtures" / DAY


def slice_day(root: Path) -> tuple[int, set[str]]:
    """Write the slice under ``root/DAY``; returns (capture lines, condition ids kept)."""
    lines, resolved = [], 0
    with gzip.open(SOURCE / "capture.jsonl.gz", "rt") as fh:
        for line in fh:
            lines.append(line)
            if '\\"event_type\\":\\"market_resolved\\"' in line:
                resolved += 1
                if resolved == 2:
                    break
    conditions = {
        json.loads(json.loads(line)["frame"]).get("market")
        for line in lines if json.loads(line)["frame"].startswith("{")
    }
    day_dir = root / DAY
    day_dir.mkdir(parents=True)
    with gzip.open(day_dir / "capture.jsonl.gz", "wt") as fh:
        fh.writelines(lines)
    page = json.loads((SOURCE / "markets.json").read_text())
    page["data"] = [m for m in page["data"] if m["condition_id"] in conditions]
    page["count"] = page["limit"] = len(page["data"])
    (day_dir / "markets.json").write_text(json.dumps(page))
    return len(lines), conditions



@pytest.fixture(scope="session")
def day_slice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, set[str]]:
    """(fixture root, capture lines, condition ids) of the slice, written once per session."""
    root = tmp_path_factory.mktemp("fixtures")
    return (root, *slice_day(root))
