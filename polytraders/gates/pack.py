"""P2 evidence: the fixture pack replayed through S1 + S2 and the data-quality monitor.

A scenario (``fixtures/pack/<class>/<name>/``: ``capture.jsonl.gz``, ``markets.json``,
``SCENARIO.json``) is run as its fixture day (:func:`link_day`: its two files linked into
``<tmp>/<day>/``, plus a MANIFEST.json declaring the scenario's ``book_hash_rule``): S1
(:func:`~polytraders.runtime.stages.registry`), S2 (:func:`~polytraders.runtime.stages.ingest`), then
gov.data_quality_monitor over S2's books.
The observed figures are compared with the scenario's ``expected`` (only the keys it names); a
scenario whose ``detected_by`` starts with "pending" names a condition nothing detects yet.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from polytraders.adapters.polymarket import book_hash
from polytraders.bots.inputs import MarketData
from polytraders.runtime import stages
from polytraders.runtime.profile import SHADOW, bot_module

DATA_QUALITY_MONITOR = "gov.data_quality_monitor"
SCENARIO_FILE = "SCENARIO.json"
_DAY_FILES = ("capture.jsonl.gz", "markets.json")


@dataclass(frozen=True, slots=True)
class Replayed:
    """One scenario replayed: its name, SCENARIO.json, the observed figures and the differences.

    ``observed``: frames_in, quarantine ({reason code: count}), books_admitted, resolutions,
    freshness_warn (books whose freshness quality is WARN), findings ({reason code: count} of the
    data-quality monitor). ``mismatches``: ``key: expected X, observed Y`` for each expected key
    that differs. ``pending``: the scenario's ``detected_by`` when it starts with "pending".
    """

    name: str
    meta: dict[str, Any]
    observed: dict[str, Any]
    mismatches: tuple[str, ...]
    pending: str | None


def scenarios(pack_root: Path) -> list[str]:
    """Scenario names (``<class>/<name>``) under ``pack_root``, sorted."""
    return sorted(str(p.parent.relative_to(pack_root)) for p in pack_root.glob(f"*/*/{SCENARIO_FILE}"))


def observe(day_dir: Path) -> dict[str, Any]:
    """The figures of S1 + S2 + the data-quality monitor over one day directory."""
    instruments, _ = stages.registry(day_dir)
    got = stages.ingest(day_dir, instruments)
    books = got.book_snapshots
    monitor = bot_module(DATA_QUALITY_MONITOR)
    data = MarketData.of(instruments=instruments, books=books, tops=stages.top_of_book(books))
    findings = monitor.run(data, SHADOW.config(DATA_QUALITY_MONITOR))
    return {
        "frames_in": got.frames_in,
        "quarantine": dict(Counter(got.quarantine["reason_code"].to_list())),
        "books_admitted": books.height,
        "resolutions": got.resolutions.height,
        "freshness_warn": books.filter(pl.col("freshness").struct.field("quality") == "WARN").height,
        "findings": dict(Counter(findings["reason_code"].to_list())),
    }


def link_day(src: Path, meta: dict[str, Any], day_dir: Path) -> None:
    """Make ``day_dir`` (an existing empty directory named ``meta["day"]``) the day of scenario
    directory ``src``: its capture and markets.json symlinked, and, when SCENARIO.json names a
    ``book_hash_rule`` (the rule of the day it was cut from), a minimal MANIFEST.json
    ``{"day", "book_hash_rule"}`` so that S2 checks the book hashes as on that day."""
    for file in _DAY_FILES:
        (day_dir / file).symlink_to(src.resolve() / file)
    rule = meta.get(book_hash.MANIFEST_KEY)
    if rule is not None:
        manifest = {"day": meta["day"], book_hash.MANIFEST_KEY: rule}
        (day_dir / book_hash.MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def scenario_day(pack_root: Path, name: str, root: Path) -> tuple[dict[str, Any], Path]:
    """Scenario ``name`` of ``pack_root`` as a fixture day under ``root``: its SCENARIO.json and
    the day directory ``root/<name, / as __>/<its day>`` made by :func:`link_day`."""
    src = pack_root / name
    meta = json.loads((src / SCENARIO_FILE).read_text())
    day_dir = root / name.replace("/", "__") / meta["day"]
    day_dir.mkdir(parents=True)
    link_day(src, meta, day_dir)
    return meta, day_dir


def replay(pack_root: Path, name: str) -> Replayed:
    """Replay scenario ``name`` of ``pack_root`` (in a temporary day directory named after its day)."""
    with tempfile.TemporaryDirectory() as tmp:
        meta, day_dir = scenario_day(pack_root, name, Path(tmp))
        observed = observe(day_dir)
    mismatches = tuple(
        f"{key}: expected {want!r}, observed {observed.get(key)!r}"
        for key, want in meta["expected"].items() if observed.get(key) != want
    )
    detected_by = str(meta.get("detected_by", ""))
    return Replayed(name, meta, observed, mismatches, detected_by if detected_by.startswith("pending") else None)
