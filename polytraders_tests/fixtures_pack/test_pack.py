"""The fixture pack (fixtures/pack/<class>/<scenario>/, built by scripts/build_fixture_pack.py).

Every scenario is replayed as the P2 gate replays it (:func:`polytraders.gates.pack.replay`: S1 +
S2 + gov.data_quality_monitor) and must give exactly the ``expected`` of its SCENARIO.json, with
nothing pending. Per scenario, a second test re-derives the anomaly by hand from the raw capture
lines (so the JSON is not the only oracle) and checks the detection record by record.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from polytraders.adapters.capture import list_fixture_days
from polytraders.bots.gov import data_quality_monitor
from polytraders.bots.inputs import MarketData
from polytraders.gates.pack import replay, scenario_day
from polytraders.runtime import stages

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
PACK = FIXTURES / "pack"
SCENARIOS = sorted(str(p.parent.relative_to(PACK)) for p in PACK.glob("*/*/SCENARIO.json"))
BUDGET_MS = 2_000


class Run:
    """One scenario replayed: its SCENARIO.json, its raw lines, S1/S2 outputs and the monitor's findings."""

    def __init__(self, name: str, root: Path) -> None:
        src = PACK / name
        # The registry reads the day from the directory name: run the scenario as its day, with the
        # day's book-hash rule in a MANIFEST.json (as the P2 gate's replay does).
        self.meta, day_dir = scenario_day(PACK, name, root)
        with gzip.open(src / "capture.jsonl.gz", "rt", encoding="utf-8") as fh:
            self.raw_lines = fh.read().splitlines()
        self.instruments, self.s1_quarantine = stages.registry(day_dir)
        self.ingested = stages.ingest(day_dir, self.instruments)
        self.findings = data_quality_monitor.run(
            MarketData.of(books=self.ingested.book_snapshots, instruments=self.instruments),
            data_quality_monitor.Config(),
        )

    def lines(self) -> list[dict[str, Any]]:
        """The capture lines that are JSON (a cut line is skipped)."""
        out = []
        for raw in self.raw_lines:
            try:
                out.append(json.loads(raw))
            except ValueError:
                continue
        return out

    def books(self) -> list[tuple[int, dict[str, Any], str]]:
        """(recv_ms, book object, raw frame) of every frame that parses as one book object."""
        out = []
        for line in self.lines():
            try:
                obj = json.loads(line["frame"])
            except ValueError:
                continue
            if isinstance(obj, dict) and obj.get("event_type") == "book":
                out.append((line["recv_ms"], obj, line["frame"]))
        return out

    def codes(self) -> dict[str, int]:
        return dict(Counter(self.ingested.quarantine["reason_code"]))

    def admitted_hashes(self) -> list[str]:
        return self.ingested.book_snapshots["freshness"].struct.field("provenance_hash").to_list()


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("pack")
    cache: dict[str, Run] = {}

    def get(name: str) -> Run:
        if name not in cache:
            cache[name] = Run(name, root)
        return cache[name]

    return get


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def best(levels: list[dict[str, str]]) -> Decimal:
    return Decimal(levels[-1]["price"])


# --- the pack as a whole ---------------------------------------------------------------------------


def test_list_pack_when_built_then_four_classes_small_and_never_a_fixture_day() -> None:
    classes = Counter(name.split("/")[0] for name in SCENARIOS)
    assert set(classes) == {"normal", "warning", "hard", "failure"} and len(SCENARIOS) == 14
    total = sum(p.stat().st_size for p in PACK.rglob("*") if p.is_file())
    assert total < 500_000
    # No directory of the pack looks like a day; the sensor's lister finds nothing in it.
    assert not [p for p in PACK.rglob("*") if re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.name)]
    assert "pack" not in list_fixture_days(FIXTURES) and list_fixture_days(PACK) == []
    for name in SCENARIOS:
        meta = json.loads((PACK / name / "SCENARIO.json").read_text())
        assert meta["scenario"] == name and meta["class"] == name.split("/")[0]
        assert meta["license"]["name"] == "CC BY 4.0" and "Resolved Markets" in meta["license"]["attribution"]
        assert meta["source"]["lines"] and meta["transformation"]
        assert meta["detected_by"].startswith("pending: ") == (meta["when_detected"] is not None)


@pytest.mark.parametrize("name", SCENARIOS)
def test_pack_when_replayed_as_the_p2_gate_does_then_the_expected_figures_and_nothing_pending(
    pack: Any, name: str
) -> None:
    replayed = replay(PACK, name)
    assert (replayed.mismatches, replayed.pending) == ((), None)
    assert replayed.observed["frames_in"] == len(pack(name).raw_lines) == replayed.meta["lines_out"]
    assert pack(name).s1_quarantine.is_empty()


def test_build_when_run_again_then_same_bytes_as_committed(tmp_path: Path) -> None:
    import runpy

    build = runpy.run_path(str(REPO / "scripts" / "build_fixture_pack.py"))["build"]
    build(FIXTURES / "2026-09-28", tmp_path)
    committed = sorted(p.relative_to(PACK) for p in PACK.rglob("*") if p.is_file())
    assert committed == sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    for rel in committed:
        assert (tmp_path / rel).read_bytes() == (PACK / rel).read_bytes(), rel
        if rel.name.endswith(".gz"):
            assert (PACK / rel).read_bytes()[4:8] == b"\0\0\0\0", f"{rel}: gzip mtime is not 0"


# --- normal ------------------------------------------------------------------------------------------


def test_ingest_when_clean_slice_then_every_book_admitted_fresh_and_nothing_quarantined(pack: Any) -> None:
    run = pack("normal/clean_two_markets")
    books = run.books()
    assert len(books) == len(run.raw_lines) == run.ingested.book_snapshots.height
    assert run.ingested.quarantine.is_empty()
    fresh = run.ingested.book_snapshots["freshness"]
    assert fresh.struct.field("age_ms").max() == 0 and set(fresh.struct.field("quality")) == {"OK"}
    tokens = {t["token_id"] for m in json.loads((PACK / "normal/clean_two_markets/markets.json").read_text())["data"]
              for t in m["tokens"]}
    assert len(tokens) == 4 and set(run.ingested.book_snapshots["token_id"]) == tokens
    assert all(best(b["bids"]) < best(b["asks"]) for _, b, _ in books if b["bids"] and b["asks"])


# --- warning -----------------------------------------------------------------------------------------


def _stale(run: Run) -> set[str]:
    return {sha256(raw) for recv, b, raw in run.books() if recv - int(b["timestamp"]) > BUDGET_MS}


def test_ingest_when_delivery_stalls_then_late_books_admitted_with_freshness_warn(pack: Any) -> None:
    run = pack("warning/stale_book")
    stale = _stale(run)
    snaps = run.ingested.book_snapshots.select(pl.col("freshness").struct.unnest())
    warned = snaps.filter(pl.col("quality") == "WARN")
    assert set(warned["provenance_hash"]) == stale and len(stale) == 36
    assert warned["age_ms"].min() > BUDGET_MS and warned["age_ms"].max() < 20_000
    assert snaps.filter(pl.col("quality") == "OK")["age_ms"].max() <= BUDGET_MS


def _warn_findings_for(run: Run, hashes: set[str], code: str) -> None:
    """Exactly the books ``hashes`` have a finding, one each, ``code`` at WARN; they stay admitted."""
    from polytraders.contracts.reason_codes import REGISTRY
    from polytraders.contracts.types import Severity

    assert REGISTRY[code].severity is Severity.WARN
    assert sorted(run.findings["provenance_hash"]) == sorted(hashes)
    assert set(run.findings["reason_code"]) == {code} and set(run.findings["severity"]) == {"WARN"}
    assert hashes <= set(run.admitted_hashes()) and run.ingested.quarantine.is_empty()
    assert hashes == set(run.meta["observable_today"]["flagged_provenance_hashes"])


def test_monitor_when_delivery_stalls_then_a_warn_finding_per_stale_book(pack: Any) -> None:
    run = pack("warning/stale_book")
    _warn_findings_for(run, _stale(run), "GOV_DQ_STALE_BOOK")
    ages = run.findings.select(pl.col("observed").cast(pl.Int64), pl.col("budget").cast(pl.Int64))
    assert ages["observed"].min() > BUDGET_MS and set(ages["budget"]) == {BUDGET_MS}


def _wide(run: Run) -> set[str]:
    return {sha256(raw) for _, b, raw in run.books() if best(b["asks"]) - best(b["bids"]) > Decimal("0.2")}


def test_ingest_when_touch_levels_removed_then_wide_spread_visible_in_top_of_book(pack: Any) -> None:
    run = pack("warning/wide_spread")
    wide = _wide(run)
    assert wide == set(run.meta["observable_today"]["flagged_provenance_hashes"]) and len(wide) == 10
    top = stages.top_of_book(run.ingested.book_snapshots).with_columns(
        h=pl.col("freshness").struct.field("provenance_hash")
    )
    assert top.filter(pl.col("h").is_in(list(wide)))["spread_ticks"].min() >= 21
    assert top.filter(~pl.col("h").is_in(list(wide)))["spread_ticks"].max() <= 2
    assert run.ingested.quarantine.is_empty()


def test_monitor_when_spread_very_wide_then_a_warn_finding_per_book(pack: Any) -> None:
    run = pack("warning/wide_spread")
    _warn_findings_for(run, _wide(run), "GOV_DQ_WIDE_SPREAD")
    assert run.findings["observed"].min() >= 21 and set(run.findings["budget"]) == {Decimal(10)}  # 0.21 / 0.01


def _thin(run: Run) -> set[str]:
    return {sha256(raw) for _, b, raw in run.books() if min(Decimal(b[s][-1]["size"]) for s in ("bids", "asks")) < 5}


def test_ingest_when_touch_is_one_share_then_thin_books_admitted_as_sent(pack: Any) -> None:
    run = pack("warning/thin_touch")
    thin = _thin(run)
    assert len(thin) == 10 and thin == set(run.meta["observable_today"]["flagged_provenance_hashes"])
    snaps = run.ingested.book_snapshots.with_columns(h=pl.col("freshness").struct.field("provenance_hash"))
    touch = snaps.filter(pl.col("h").is_in(list(thin))).select(
        bid=pl.col("bids").list.first().struct.field("size"), ask=pl.col("asks").list.first().struct.field("size")
    )
    assert touch.height == 10 and set(touch["bid"]) == set(touch["ask"]) == {Decimal(1)}


def test_monitor_when_touch_is_thin_then_a_warn_finding_per_book(pack: Any) -> None:
    run = pack("warning/thin_touch")
    _warn_findings_for(run, _thin(run), "GOV_DQ_DUST")
    assert set(run.findings.select("observed", "budget").rows()) == {(Decimal(1), Decimal(5))}


# --- hard --------------------------------------------------------------------------------------------


def test_ingest_when_books_crossed_or_locked_then_each_quarantined_crossed(pack: Any) -> None:
    run = pack("hard/crossed_book")
    by_hand = {
        sha256(raw) for _, b, raw in run.books() if b["bids"] and b["asks"] and best(b["bids"]) >= best(b["asks"])
    }
    assert len(by_hand) == 6
    q = run.ingested.quarantine
    assert set(q["reason_code"]) == {"GOV_DQ_CROSSED_BOOK"} and set(q["provenance_hash"]) == by_hand
    assert not by_hand & set(run.admitted_hashes())


def _tick_frames(run: Run) -> tuple[list[dict[str, Any]], list[tuple[int, dict[str, Any], str]]]:
    changes, books = [], []
    for line in run.lines():
        obj = json.loads(line["frame"])
        if obj["event_type"] == "tick_size_change":
            changes.append(obj)
        else:
            books.append((line["recv_ms"], obj, line["frame"]))
    return changes, books


def test_ingest_when_grid_moves_back_to_0_01_then_books_on_the_old_grid_quarantined_off_tick(pack: Any) -> None:
    run = pack("hard/tick_size_change")
    changes, books = _tick_frames(run)
    assert [(c["old_tick_size"], c["new_tick_size"]) for c in changes] == [("0.01", "0.001")] * 2 + [
        ("0.001", "0.01")
    ] * 2
    coarse_from = {c["asset_id"]: int(c["timestamp"]) for c in changes if c["new_tick_size"] == "0.01"}
    cent = Decimal("0.01")
    old_grid = {
        sha256(raw) for recv, b, raw in books
        if recv >= coarse_from[b["asset_id"]]
        and any(Decimal(lv["price"]) % cent for s in ("bids", "asks") for lv in b[s])
    }
    no_tick = [sha256(raw) for _, b, raw in books if "tick_size" not in b]
    assert len(old_grid) == 42 and len(no_tick) == 1
    q = run.ingested.quarantine
    assert set(q["reason_code"]) == {"GOV_DQ_OFF_TICK"}
    # The book without tick_size is checked on its token's grid after the 0.01 -> 0.001 change: admitted.
    assert set(q["provenance_hash"]) == old_grid and q.height == 42
    # Near 0 / 1 every book after the change back still holds 0.001-grid levels: none is admitted.
    assert len([1 for recv, b, _ in books if recv >= coarse_from[b["asset_id"]]]) == len(old_grid)
    admitted = run.ingested.book_snapshots
    assert admitted.filter(pl.col("ts_ms") >= min(coarse_from.values())).is_empty()
    assert admitted.filter(pl.col("tick_size") == Decimal("0.001")).height == 40  # 39 with the key + 1 without


def test_ingest_when_book_omits_tick_size_after_a_change_then_checked_on_the_new_grid_and_admitted(pack: Any) -> None:
    run = pack("hard/tick_size_change")
    changes, books = _tick_frames(run)
    ((recv, book, raw),) = [(recv, b, raw) for recv, b, raw in books if "tick_size" not in b]
    # Its token's 0.01 -> 0.001 change was received before it; 0.001-grid prices, not on 0.01.
    fine = [c for c in changes if c["asset_id"] == book["asset_id"] and c["new_tick_size"] == "0.001"]
    assert len(fine) == 1 and int(fine[0]["timestamp"]) <= recv
    assert any(Decimal(lv["price"]) % Decimal("0.01") for s in ("bids", "asks") for lv in book[s])
    assert sha256(raw) in run.admitted_hashes()
    snap = run.ingested.book_snapshots.filter(pl.col("freshness").struct.field("provenance_hash") == sha256(raw))
    assert snap["tick_size"].to_list() == [Decimal("0.001")]
    # S2 now keeps the TickSizeChange objects (for the registry fold): the 4 of the capture.
    assert run.ingested.tick_changes.height == 4


def _after_resolution(run: Run) -> tuple[dict[str, Any], list[str]]:
    lines = run.lines()
    at = next(i for i, ln in enumerate(lines) if '"market_resolved"' in ln["frame"])
    resolved = json.loads(lines[at]["frame"])
    after = [sha256(ln["frame"]) for ln in lines[at + 1 :] if json.loads(ln["frame"])["market"] == resolved["market"]]
    return resolved, after


def test_ingest_when_market_resolves_mid_session_then_resolution_normalised(pack: Any) -> None:
    run = pack("hard/resolved_mid_session")
    resolved, after = _after_resolution(run)
    res = run.ingested.resolutions
    assert res["ts_ms"].to_list() == [int(resolved["timestamp"])] == [1_790_587_500_000]
    assert res["winning_token_id"].to_list() == [resolved["winning_asset_id"]]
    end = json.loads((PACK / "hard/resolved_mid_session/markets.json").read_text())["data"][0]["end_date_iso"]
    assert end == "2026-09-28T09:30:00Z"  # 1_790_587_800_000: the resolution is 300 s before the end
    assert len(after) == 60


def test_ingest_when_market_resolved_then_its_later_books_quarantined_market_resolved(pack: Any) -> None:
    run = pack("hard/resolved_mid_session")
    resolved, after = _after_resolution(run)
    assert not set(after) & set(run.admitted_hashes())
    q = run.ingested.quarantine
    assert set(q["reason_code"]) == {"GOV_DQ_MARKET_RESOLVED"} and sorted(q["provenance_hash"]) == sorted(after)
    assert q["receive_ts_ms"].min() >= 1_790_587_500_000  # received at or after the resolution
    assert run.admitted_hashes() and run.ingested.book_snapshots["ts_ms"].max() < int(resolved["timestamp"])


def _hash_mismatch(run: Run) -> set[str]:
    """By hand, the documented stand-in rule (fixtures/README.md): sha1 hex of the compact JSON of
    {market, asset_id, timestamp, bids, asks} exactly as sent."""
    out = set()
    for _, b, raw in run.books():
        body = {k: b[k] for k in ("market", "asset_id", "timestamp", "bids", "asks")}
        if hashlib.sha1(json.dumps(body, separators=(",", ":")).encode()).hexdigest() != b["hash"]:
            out.add(sha256(raw))
    return out


def test_pack_when_replayed_then_each_day_dir_declares_the_source_days_hash_rule(pack: Any) -> None:
    day_rule = json.loads((FIXTURES / "2026-09-28" / "MANIFEST.json").read_text())["book_hash_rule"]
    assert day_rule == "polytraders-sha1-v1"
    for name in SCENARIOS:
        assert json.loads((PACK / name / "SCENARIO.json").read_text())["book_hash_rule"] == day_rule, name
    assert pack("hard/venue_hash_mismatch").ingested.book_hash_rule == day_rule


def test_ingest_when_venue_hash_mismatches_book_then_admitted_books_keep_the_sent_hash(pack: Any) -> None:
    run = pack("hard/venue_hash_mismatch")
    bad = _hash_mismatch(run)
    assert len(bad) == 5 and bad == set(run.meta["observable_today"]["mismatching_provenance_hashes"])
    sent = {sha256(raw): b["hash"] for _, b, raw in run.books()}
    fresh = run.ingested.book_snapshots.select(pl.col("freshness").struct.unnest())
    assert fresh.height == len(sent) - 5 == 55
    assert all(sent[h] == v for h, v in fresh.select("provenance_hash", "venue_hash").iter_rows())


def test_ingest_when_venue_hash_mismatches_book_then_book_set_aside(pack: Any) -> None:
    run = pack("hard/venue_hash_mismatch")
    bad = _hash_mismatch(run)
    q = run.ingested.quarantine
    assert q["reason_code"].to_list() == ["GOV_DQ_HASH_MISMATCH"] * 5
    assert set(q["provenance_hash"]) == bad
    assert not bad & set(run.admitted_hashes())
    # Each record names the sent hash and the rule's digest of the book as received.
    by_hash = {sha256(raw): b for _, b, raw in run.books()}
    for digest, detail in q.select("provenance_hash", "detail").iter_rows():
        b = by_hash[digest]
        body = {k: b[k] for k in ("market", "asset_id", "timestamp", "bids", "asks")}
        derived = hashlib.sha1(json.dumps(body, separators=(",", ":")).encode()).hexdigest()
        assert detail == f"hash={b['hash']!r} but rule polytraders-sha1-v1 gives {derived!r} for this book"


def test_ingest_when_every_other_scenario_replayed_then_no_hash_mismatch(pack: Any) -> None:
    """The pack's other books keep (or were given, after a change) their rule's hash."""
    for name in SCENARIOS:
        if name != "hard/venue_hash_mismatch":
            run = pack(name)
            assert "GOV_DQ_HASH_MISMATCH" not in run.codes(), name
            assert not _hash_mismatch(run), name


# --- failure -----------------------------------------------------------------------------------------


def test_ingest_when_feed_silent_three_minutes_then_gap_measured_from_recv_times(pack: Any) -> None:
    run = pack("failure/feed_gap")
    recv = [ln["recv_ms"] for ln in run.lines()]
    gaps = [b - a for a, b in zip(recv, recv[1:], strict=False)]
    assert max(gaps) >= 180_000 > 61_182  # longer than any gap of the recording
    assert sorted(gaps)[-2] < 10_000  # the only one
    assert run.ingested.quarantine.is_empty() and run.ingested.book_snapshots.height == len(recv)


def test_ingest_when_feed_silent_three_minutes_then_gap_recorded(pack: Any) -> None:
    # By hand: the silence runs from the last frame before the gap, b, to a = the first after it
    # (180,276 ms). Windows of 60 s: the window of b ends 0.27 s after it (live); the next one ends
    # 60.27 s after b (live: <= 120 s); the next two end 120.27 s and 180.27 s after b (dead); the
    # window of a holds the gap a − b itself (dead). Everything after a is live again.
    run = pack("failure/feed_gap")
    recv = [ln["recv_ms"] for ln in run.lines()]
    before, after = max(zip(recv, recv[1:], strict=False), key=lambda ab: ab[1] - ab[0])
    expect = run.meta["feed_health"]
    assert (after - before, after) == (expect["longest_data_gap_ms"], expect["gap_ends_at_recv_ms"]) == (
        180_276, 1_790_589_540_002)
    window = 60_000
    health = run.ingested.feed_health.filter(pl.col("channel") == "market")
    assert health["window_start_ms"].to_list() == list(range(recv[0] // window * window,
                                                            recv[-1] // window * window + 1, window))
    dead = health.filter(~pl.col("live"))
    assert dead["window_start_ms"].to_list() == expect["dead_window_starts_ms"] == [
        (before // window + k) * window for k in (2, 3, 4)]
    assert dead["longest_data_gap_ms"].to_list() == [
        (before // window + 3) * window - before, (before // window + 4) * window - before, after - before]
    assert dead["last_data_receive_ts_ms"].to_list() == [before, before, recv[-1]]
    assert dead["data_frames"].to_list() == [0, 0, 110]
    assert health["keepalive_frames"].sum() == 0 and health["quarantined_frames"].sum() == 0
    # The bundled recording itself never goes dead: its longest silence is 61,182 ms.
    assert run.meta["observable_today"]["longest_gap_in_the_recording_ms"] < expect["liveness_budget_ms"]


def test_ingest_when_frames_or_lines_truncated_then_each_quarantined_malformed_json(pack: Any) -> None:
    run = pack("failure/truncated_frames")
    cut_lines, cut_frames = [], []
    for n, raw in enumerate(run.raw_lines, 1):
        try:
            line = json.loads(raw)
        except ValueError:
            cut_lines.append(n)
            continue
        try:
            json.loads(line["frame"])
        except ValueError:
            cut_frames.append(sha256(line["frame"]))
    assert len(cut_lines) == 1 and len(cut_frames) == 3
    q = run.ingested.quarantine
    assert set(q["reason_code"]) == {"GOV_DQ_MALFORMED_JSON"}
    assert sorted(s for s in q["source"] if s.startswith("capture")) == [f"capture.jsonl.gz:{cut_lines[0]}"]
    assert set(cut_frames) <= set(q["provenance_hash"])
    assert run.ingested.book_snapshots.height == len(run.raw_lines) - 4


def test_ingest_when_frames_received_twice_then_second_copies_quarantined_duplicate(pack: Any) -> None:
    run = pack("failure/duplicated_frames")
    seen: set[str] = set()
    again = []
    for line in run.lines():
        (again if line["frame"] in seen else []).append(sha256(line["frame"]))
        seen.add(line["frame"])
    assert len(again) == 3
    q = run.ingested.quarantine
    assert q["reason_code"].to_list() == ["GOV_DQ_DUPLICATE_FRAME"] * 3
    assert sorted(q["provenance_hash"]) == sorted(again)
    assert run.ingested.book_snapshots.height == len(seen)
    assert set(run.admitted_hashes()) == {sha256(f) for f in seen}


def _late(run: Run) -> list[str]:
    newest: dict[str, int] = {}
    late = []
    for _, b, raw in run.books():
        ts = int(b["timestamp"])
        if ts < newest.get(b["asset_id"], 0):
            late.append(sha256(raw))
        newest[b["asset_id"]] = max(ts, newest.get(b["asset_id"], 0))
    return late


def test_ingest_when_token_books_arrive_out_of_order_then_admitted_books_in_ts_order_per_token(pack: Any) -> None:
    run = pack("failure/out_of_order_frames")
    late = _late(run)
    assert len(late) == 3
    snaps = run.ingested.book_snapshots.with_columns(
        back=pl.col("ts_ms") < pl.col("ts_ms").cum_max().over("token_id")
    )
    assert snaps["back"].sum() == 0
    recv = [ln["recv_ms"] for ln in run.lines()]
    assert recv == sorted(recv)  # receive order itself is intact
    assert run.ingested.book_snapshots["freshness"].struct.field("age_ms").max() <= BUDGET_MS


def test_ingest_when_book_older_than_token_newest_then_quarantined_out_of_order(pack: Any) -> None:
    run = pack("failure/out_of_order_frames")
    late = _late(run)
    assert not set(late) & set(run.admitted_hashes())
    q = run.ingested.quarantine
    assert q["reason_code"].to_list() == ["GOV_DQ_OUT_OF_ORDER"] * 3 and q["provenance_hash"].to_list() == late


def test_ingest_when_timestamps_in_seconds_then_quarantined_ts_units(pack: Any) -> None:
    run = pack("failure/timestamp_in_seconds")
    lines = run.lines()
    recv_s = [ln for ln in lines if ln["recv_ms"] < 10**12]
    ts_s = [sha256(raw) for _, b, raw in run.books() if int(b["timestamp"]) < 10**12]
    assert len(recv_s) == 1 and len(ts_s) == 3
    q = run.ingested.quarantine
    assert q["reason_code"].to_list() == ["GOV_DQ_TS_UNITS"] * 4
    assert set(ts_s) < set(q["provenance_hash"])
    assert run.ingested.book_snapshots["ts_ms"].min() > 10**12


def test_ingest_when_prices_in_cents_then_quarantined_price_range(pack: Any) -> None:
    run = pack("failure/price_in_cents")
    cents = {sha256(raw) for _, b, raw in run.books() if any(Decimal(lv["price"]) >= 1 for s in ("bids", "asks")
                                                            for lv in b[s])}
    assert len(cents) == 3
    q = run.ingested.quarantine
    assert set(q["reason_code"]) == {"GOV_DQ_PRICE_RANGE"} and set(q["provenance_hash"]) == cents
    assert run.ingested.book_snapshots.height == len(run.raw_lines) - 3
