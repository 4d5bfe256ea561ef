"""Build the fixture day 2026-08-12 from the Polymarket Order Book Dataset (CC BY 4.0).

Input (``--source``): the dataset directory (``../shared/reference/polymarket/polymarket-orderbook-dataset``)
with ``quotes/dt=<day>/data_0.parquet`` (best bid / ask of every listed market, polled about every
2 minutes: ts, slug, category, bid, ask, mid, spread, volume24hr, segment), ``markets.parquet``
(slug, question, category, ...), ``labels.parquet`` (settlement labels), ``data_quality.parquet``
(the dataset's own known issues), ``LICENSE``, ``NOTICE`` and ``PROVENANCE.md``.

Output (``--out``, default ``fixtures/``)::

    <out>/<day>/capture.parquet     one market-channel ``best_bid_ask`` frame per quote row (capture format,
                                    Parquet form: seq, recv_ms, channel, frame)
    <out>/<day>/markets.json        the day's markets as a CLOB GET /markets page
    <out>/<day>/data_quality.json   the dataset's known issues + what this conversion finds (S1 quarantines each)
    <out>/<day>/labels.parquet      settlement labels of the day's markets (future knowledge: evaluation only)
    <out>/<day>/MANIFEST.json       source, licence, rules, counts, checksums, data checks
    <out>/LICENSES/polymarket-orderbook-dataset-LICENSE.txt, -NOTICE.txt

Every derived field and rule is documented in ``fixtures/README.md``. The build is deterministic: two
runs write the same bytes (no build time anywhere; fixed Parquet writer settings). It fails
(AssertionError / ValueError) when the source breaks an assumption the conversion relies on.

Usage: ``.venv/bin/python scripts/build_fixture_orderbook_dataset.py [--source DIR] [--out DIR] [--day D]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from polytraders.adapters.capture import CAPTURE_PARQUET, derive_token_id, read_capture

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO_ROOT / "../shared/reference/polymarket/polymarket-orderbook-dataset"
DEFAULT_DAY = "2026-08-12"
SCRIPT_PATH = "scripts/build_fixture_orderbook_dataset.py"

SOURCE_NAME = "Polymarket Order Book Dataset"
SOURCE_REPO = "https://github.com/DineshKumar8399/polymarket-orderbook-dataset"
SOURCE_COMMIT = "af08a1fad0e48039fdab3230d1d9cac3f2047443"
LICENSE_NAME = "CC BY 4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
#: The credit line exactly as the dataset's NOTICE asks for it (checked against NOTICE below).
ATTRIBUTION = (
    "Polymarket Order Book Dataset (2026), Dinesh Gopalakrishnan.\n"
    "Licensed under CC BY 4.0.\n"
    "https://github.com/DineshKumar8399/polymarket-orderbook-dataset"
)
LICENSE_FILE = "polymarket-orderbook-dataset-LICENSE.txt"
NOTICE_FILE = "polymarket-orderbook-dataset-NOTICE.txt"

CHANNEL = "market"
#: Outcome labels of the two derived tokens: the dataset's labels say ``y = 1`` means YES.
YES, NO = "Yes", "No"
TICK_COARSE, TICK_FINE = "0.01", "0.001"
#: CLOB /markets conversion default (not in the recording): the venue's usual minimum order size.
MINIMUM_ORDER_SIZE = 5
#: Float tolerance for "this float is that scaled integer" (prices are multiples of 0.001).
GRID_EPS = 1e-6
#: Parquet writer settings of capture.parquet: chosen for size at a fast read (see fixtures/README.md).
PARQUET = {
    "compression": "zstd",
    "compression_level": 15,
    "row_group_size": 1_048_576,
    "use_dictionary": ["recv_ms", "channel"],
    "column_encoding": {"seq": "DELTA_BINARY_PACKED", "frame": "DELTA_BYTE_ARRAY"},
}
CAPTURE_ARROW_SCHEMA = pa.schema(
    [("seq", pa.int64()), ("recv_ms", pa.int64()), ("channel", pa.string()), ("frame", pa.string())]
)
_DATE = r"(\d{4}-\d{2}-\d{2})"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def condition_id_of(slug: str) -> str:
    """Stand-in condition id of a market: ``"0x" + sha256(slug UTF-8).hexdigest()``."""
    return "0x" + hashlib.sha256(slug.encode("utf-8")).hexdigest()


def _render_price(milli: pl.Expr) -> pl.Expr:
    """Price in thousandths (1..999) -> shortest decimal string (490 -> "0.49", 5 -> "0.005"); null -> ""."""
    text = pl.concat_str(pl.lit("0."), milli.cast(pl.String).str.zfill(3).str.strip_chars_end("0"))
    return pl.when(milli.is_null()).then(pl.lit("")).otherwise(text)


def _milli(column: str) -> pl.Expr:
    return (pl.col(column) * 1000).round(0).cast(pl.Int64)


def _slug_end_date(slug: str) -> str | None:
    """``end_date_iso`` from the first valid ``YYYY-MM-DD`` in the slug (midnight UTC), else None."""
    for found in re.findall(_DATE, slug):
        try:
            return date.fromisoformat(found).strftime("%Y-%m-%dT00:00:00Z")
        except ValueError:
            continue
    return None


def _write_json(path: Path, obj: object, *, indent: int | None = 2) -> None:
    text = json.dumps(obj, indent=indent, ensure_ascii=False, separators=None if indent else (",", ":"))
    path.write_text(text + "\n", encoding="utf-8")


def _write_markets_page(path: Path, page: dict) -> None:
    """The page as JSON with one compact market per line (12,976 markets: 3x smaller than indented)."""
    compact = {"separators": (",", ":"), "ensure_ascii": False}
    lines = ",\n".join(json.dumps(item, **compact) for item in page["data"])
    rest = json.dumps({k: v for k, v in page.items() if k != "data"}, **compact)[1:]
    path.write_text('{"data":[\n' + lines + "\n]," + rest + "\n", encoding="utf-8")


def _write_capture(stored: pl.DataFrame, path: Path) -> None:
    """capture.parquet with the PARQUET settings, one row group per ``row_group_size`` rows (each slice
    converted on its own: one Arrow string array of the whole day would pass 2 GiB)."""
    settings = {k: v for k, v in PARQUET.items() if k != "row_group_size"}
    step = PARQUET["row_group_size"]
    with pq.ParquetWriter(path, CAPTURE_ARROW_SCHEMA, **settings) as writer:
        for start in range(0, stored.height, step):
            part = stored.slice(start, step).to_arrow().cast(CAPTURE_ARROW_SCHEMA)
            writer.write_table(part, row_group_size=step)


def _load_quotes(source: Path, day: str) -> pl.DataFrame:
    path = source / "quotes" / f"dt={day}" / "data_0.parquet"
    quotes = pl.read_parquet(path).with_row_index("src_row")
    expected = {"ts", "slug", "category", "bid", "ask", "mid", "spread", "volume24hr", "segment"}
    assert expected <= set(quotes.columns), f"quotes lack {expected - set(quotes.columns)}"
    assert quotes.schema["ts"] == pl.Datetime("us"), f"ts is {quotes.schema['ts']}, expected naive UTC us"
    days = quotes.select(pl.col("ts").dt.date().unique())["ts"].to_list()
    assert days == [date.fromisoformat(day)], f"quotes span {days}, expected {day} only"
    assert quotes["slug"].null_count() == 0 and quotes["ts"].null_count() == 0
    assert not quotes.select("slug", "ts").is_duplicated().any(), "two quotes of one market at one time"
    assert (quotes["ts"].dt.microsecond() % 1000 == 0).all(), "sub-millisecond quote times"
    return quotes


def build(source: Path, out: Path, day: str = DEFAULT_DAY) -> Path:
    """Convert ``source`` (the dataset directory) into ``out/<day>/``; return the day directory."""
    quotes = _load_quotes(source, day)
    markets_src = pl.read_parquet(source / "markets.parquet")
    labels_src = pl.read_parquet(source / "labels.parquet")
    dq_src = pl.read_parquet(source / "data_quality.parquet")
    license_path, notice_path = source / "LICENSE", source / "NOTICE"
    notice = notice_path.read_text(encoding="utf-8")
    assert all(line.strip() in notice for line in ATTRIBUTION.splitlines()), "NOTICE's credit line changed"

    # ---- prices: exact thousandths, shortest decimal strings -----------------------------------
    quotes = quotes.with_columns(bid_m=_milli("bid"), ask_m=_milli("ask"))
    for side in ("bid", "ask"):
        values = quotes.select(side, f"{side}_m").filter(pl.col(side).is_not_null())
        assert ((values[side] * 1000 - values[f"{side}_m"]).abs() < GRID_EPS).all(), f"{side} off the 0.001 grid"
        assert values[f"{side}_m"].is_between(1, 999).all(), f"{side} outside (0, 1)"
    quotes = quotes.with_columns(
        bid_s=_render_price(pl.col("bid_m")),
        ask_s=_render_price(pl.col("ask_m")),
        spread_s=_render_price(pl.col("ask_m") - pl.col("bid_m")),
    )
    for side in ("bid", "ask"):  # the string is the float: parse it back, exactly
        values = quotes.select(side, f"{side}_s").filter(pl.col(side).is_not_null())
        assert (values[f"{side}_s"].cast(pl.Float64) == values[side]).all(), f"{side} string round trip"
    both = quotes.select("bid", "ask", "mid", "spread", "bid_m", "ask_m").filter(
        pl.col("bid_m").is_not_null() & pl.col("ask_m").is_not_null()
    )
    crossed = int((both["bid_m"] > both["ask_m"]).sum())
    locked = int((both["bid_m"] == both["ask_m"]).sum())
    assert crossed == 0 and locked == 0, "crossed or locked quotes: the adapter would quarantine them (decide first)"
    # the recorded spread / mid are ask - bid and their mean, null when a side is empty
    assert ((both["spread"] - (both["ask"] - both["bid"])).abs() < GRID_EPS).all(), "spread != ask - bid"
    assert ((both["mid"] - (both["ask"] + both["bid"]) / 2).abs() < GRID_EPS).all(), "mid != (bid + ask) / 2"
    one_sided = quotes.filter(pl.col("bid_m").is_null() | pl.col("ask_m").is_null())
    assert one_sided["spread"].null_count() == one_sided.height and one_sided["mid"].null_count() == one_sided.height

    # ---- markets: ids, tick, metadata ----------------------------------------------------------
    per_market = (
        quotes.group_by("slug")
        .agg(
            pl.col("category").unique().alias("categories"),
            pl.len().alias("polls"),
            pl.col("ts").min().alias("first_ts"),
            pl.col("ts").max().alias("last_ts"),
            ((pl.col("bid_m") % 10 != 0) | (pl.col("ask_m") % 10 != 0)).fill_null(False).any().alias("fine"),
            pl.col("mid").sort_by("ts").drop_nulls().first().alias("first_mid"),
        )
        .sort("slug")
    )
    assert (per_market["categories"].list.len() == 1).all(), "a market with several categories in the quotes"
    slugs = per_market["slug"].to_list()
    cids = [condition_id_of(s) for s in slugs]
    yes_ids = [derive_token_id(c, YES) for c in cids]
    no_ids = [derive_token_id(c, NO) for c in cids]
    assert len(set(cids)) == len(cids) and len(set(yes_ids) | set(no_ids)) == 2 * len(cids), "id collision"
    per_market = per_market.with_columns(
        condition_id=pl.Series(cids), yes_token=pl.Series(yes_ids), no_token=pl.Series(no_ids),
        tick=pl.when("fine").then(pl.lit(TICK_FINE)).otherwise(pl.lit(TICK_COARSE)),
    )
    # markets.parquet: deterministic dedupe (most polls, then latest last_ts, then question, category)
    in_day = markets_src.filter(pl.col("slug").is_in(per_market["slug"].implode()))
    duplicate_slug_rows = in_day.height - in_day["slug"].n_unique()
    duplicate_slugs_all = markets_src.height - markets_src["slug"].n_unique()
    meta = in_day.sort(
        ["slug", "n_snaps", "last_ts", "question", "category"], descending=[False, True, True, False, False]
    ).unique("slug", keep="first", maintain_order=True)
    per_market = per_market.join(
        meta.select("slug", "question", pl.col("category").alias("meta_category")), on="slug", how="left"
    )
    no_meta = per_market.filter(pl.col("question").is_null())["slug"].to_list()
    assert not no_meta, f"{len(no_meta)} quoted markets missing from markets.parquet, e.g. {no_meta[:3]}"
    category_mismatch = per_market.filter(pl.col("categories").list.first() != pl.col("meta_category")).height
    assert category_mismatch == 0, "quotes and markets.parquet disagree on a category"
    shared_question = per_market.filter(pl.col("question").is_duplicated())
    tick_of = dict(per_market.select("yes_token", "tick").rows())

    # ---- frames, in receive order ----------------------------------------------------------------
    # Receive order: by poll time, then source row order (the source is sorted by slug, then ts).
    frames = (
        quotes.select("src_row", "slug", "ts", "bid", "ask", "bid_s", "ask_s", "spread_s")
        .join(per_market.select("slug", "condition_id", "yes_token"), on="slug", how="left")
        .with_columns(ts_ms=pl.col("ts").dt.epoch("ms"))
        .sort("ts_ms", "src_row")
        .with_row_index("seq")
    )
    quotes = quotes.drop("bid_s", "ask_s", "spread_s")
    frames = frames.with_columns(
        seq=pl.col("seq").cast(pl.Int64),
        frame=pl.concat_str(
            pl.lit('{"event_type":"best_bid_ask","market":"'), "condition_id",
            pl.lit('","asset_id":"'), "yes_token",
            pl.lit('","best_bid":"'), "bid_s",
            pl.lit('","best_ask":"'), "ask_s",
            pl.lit('","spread":"'), "spread_s",
            pl.lit('","timestamp":"'), pl.col("ts_ms").cast(pl.String),
            pl.lit('"}'),
        ),
    )
    n_frames = frames.height
    first_recv, last_recv = int(frames["ts_ms"].min()), int(frames["ts_ms"].max())
    stored = frames.select(
        "seq", recv_ms="ts_ms", channel=pl.lit(CHANNEL), frame="frame", _token="yes_token"
    ).sort("_token", "seq").drop("_token")  # by token: consecutive frames share their ids

    day_dir = out / day
    day_dir.mkdir(parents=True, exist_ok=True)
    capture_path = day_dir / CAPTURE_PARQUET
    _write_capture(stored, capture_path)
    del stored
    # what the verification needs, and no more: the whole frame text is not kept twice
    step = max(n_frames // 2_000, 1)
    sample = frames.gather_every(step).select("seq", "yes_token", "condition_id", "ts_ms", "bid", "ask")
    expected = frames.select("ts_ms", digest=pl.col("frame").hash())
    del frames
    _verify(capture_path, expected, sample)

    # ---- markets.json ----------------------------------------------------------------------------
    items = []
    for m in per_market.iter_rows(named=True):
        # tokens[].price: the first two-sided mid of the day (YES) and its complement (NO); null when the
        # market never had both sides. Informational only: S1 does not read it.
        yes_price = round(m["first_mid"], 4) if m["first_mid"] is not None else None
        no_price = round(1 - m["first_mid"], 4) if m["first_mid"] is not None else None
        items.append(
            {
                "enable_order_book": True,
                "active": True,
                "closed": False,
                "archived": False,
                "accepting_orders": True,
                "accepting_order_timestamp": None,
                "minimum_order_size": MINIMUM_ORDER_SIZE,
                "minimum_tick_size": float(m["tick"]),
                "condition_id": m["condition_id"],
                "question": m["question"],
                "description": "",
                "market_slug": m["slug"],
                "end_date_iso": _slug_end_date(m["slug"]),
                "game_start_time": None,
                "seconds_delay": 0,
                "fpmm": "",
                "maker_base_fee": 0,
                "taker_base_fee": 0,
                "notifications_enabled": False,
                "neg_risk": False,
                "neg_risk_market_id": "",
                "neg_risk_request_id": "",
                "icon": "",
                "image": "",
                "rewards": {"rates": None, "min_size": 0, "max_spread": 0},
                "is_50_50_outcome": False,
                "tokens": [
                    {"token_id": m["yes_token"], "outcome": YES, "price": yes_price, "winner": False},
                    {"token_id": m["no_token"], "outcome": NO, "price": no_price, "winner": False},
                ],
                "tags": [m["meta_category"]],
            }
        )
    page = {"data": items, "next_cursor": "LTE=", "limit": len(items), "count": len(items)}
    markets_json = day_dir / "markets.json"
    _write_markets_page(markets_json, page)

    # ---- labels (future knowledge: not an input of any stage) --------------------------------------
    labels = (
        labels_src.join(per_market.select("slug", "condition_id"), on="slug", how="inner")
        .select("slug", "condition_id", pl.col("y").cast(pl.Int32), pl.col("source").cast(pl.String))
        .sort("slug")
    )
    assert labels["slug"].is_unique().all(), "a market with several labels"
    labels_path = day_dir / "labels.parquet"
    pq.write_table(labels.to_arrow(), labels_path, compression="zstd", compression_level=15)

    # ---- data-quality findings: the dataset's own, then this conversion's ----------------------------
    polls = quotes.group_by("ts").len().sort("ts")
    poll_gaps = polls["ts"].diff().drop_nulls().dt.total_seconds()
    n_polls, n_markets = polls.height, per_market.height
    absent_pairs = n_polls * n_markets - quotes.height
    partial = per_market.filter(pl.col("polls") < n_polls)
    poll_no = polls.select("ts", poll=pl.int_range(pl.len()))
    spans = (
        quotes.select("slug", "ts").join(poll_no, on="ts")
        .group_by("slug").agg(pl.col("poll").min().alias("a"), pl.col("poll").max().alias("b"), pl.len().alias("n"))
    )
    late, early = int((spans["a"] > 0).sum()), int((spans["b"] < polls.height - 1).sum())
    inside = spans["b"] - spans["a"] + 1 - spans["n"]
    gapped, gap_polls = int((inside > 0).sum()), int(inside.sum())
    day_start = date.fromisoformat(day).strftime("%Y-%m-%dT00:00:00Z")
    past = [(m["market_slug"], m["end_date_iso"]) for m in items if m["end_date_iso"] and m["end_date_iso"] < day_start]
    single = per_market.filter(pl.col("polls") == 1)
    bid_null, ask_null = quotes["bid"].null_count(), quotes["ask"].null_count()
    both_null = int((quotes["bid"].is_null() & quotes["ask"].is_null()).sum())
    vol_null = quotes["volume24hr"].null_count()
    findings = [{k: row[k] for k in ("issue", "table_name", "detail")} for row in dq_src.iter_rows(named=True)]
    conv = f"Conversion check ({day}): "
    if vol_null:
        findings.append({
            "issue": "day_volume24hr_null", "table_name": "quotes",
            "detail": conv + f"volume24hr is NULL in {vol_null:,} of {quotes.height:,} quote rows "
            f"({vol_null / quotes.height:.1%}); the frames carry no volume.",
        })
    if absent_pairs:
        found = polls["len"]
        findings.append({
            "issue": "day_polls_missing_markets", "table_name": "quotes",
            "detail": conv + f"{n_polls} polls and {n_markets:,} markets, but each poll holds {found.min():,}-"
            f"{found.max():,} quotes: {partial.height:,} markets are missing from at least one poll "
            f"({absent_pairs:,} market-poll pairs). {late:,} first appear after the first poll and {early:,} "
            f"last appear before the last one (the quoted set turns over under a cap of about "
            f"{found.max():,}); {gapped:,} have polls missing inside their span ({gap_polls:,} polls).",
        })
    if single.height:
        findings.append({
            "issue": "day_single_poll_markets", "table_name": "quotes",
            "detail": conv + f"{single.height} markets appear in a single poll: "
            + ", ".join(single["slug"].to_list()[:20]) + ("" if single.height <= 20 else ", ..."),
        })
    if bid_null or ask_null:
        findings.append({
            "issue": "day_empty_sides", "table_name": "quotes",
            "detail": conv + f"{bid_null:,} quotes without a bid, {ask_null:,} without an ask, {both_null:,} "
            "with neither (an empty book); the frames send \"\" for an empty side.",
        })
    if past:
        findings.append({
            "issue": "day_slug_date_before_day", "table_name": "markets",
            "detail": conv + f"{len(past)} quoted markets carry a date before {day} in their slug, which "
            f"markets.json takes as end_date_iso (e.g. {past[0][0]}): still quoted on the day, so the slug's "
            "date is not always the end date.",
        })
    findings.append({
        "issue": "day_yes_side_only", "table_name": "quotes",
        "detail": conv + "one quote per market and poll, for the market's first outcome (YES) only: the NO "
        "token (markets.json) has no frame. Quotes of a poll share one time: recv_ms = timestamp = the poll "
        "time, so every age is 0 by construction (the real receive latency is unknown).",
    })
    if duplicate_slug_rows:
        findings.append({
            "issue": "day_markets_duplicate_slugs", "table_name": "markets",
            "detail": conv + f"{duplicate_slug_rows} extra markets.parquet rows for the day's slugs, deduplicated "
            "keeping the row with the most snapshots, then the latest last_ts.",
        })
    if shared_question.height:
        example = shared_question.group_by("question").len().sort("len", "question", descending=[True, False]).row(0)
        findings.append({
            "issue": "day_question_not_unique", "table_name": "markets",
            "detail": conv + f"markets.parquet's question is the event's title: {shared_question.height:,} of the "
            f"day's {n_markets:,} markets share theirs with another market (e.g. {example[0]!r} x {example[1]}); "
            "the slug tells them apart.",
        })
    dq_path = day_dir / "data_quality.json"
    _write_json(dq_path, findings)

    # ---- licence files ----------------------------------------------------------------------------
    lic_dir = out / "LICENSES"
    lic_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(license_path, lic_dir / LICENSE_FILE)
    shutil.copyfile(notice_path, lic_dir / NOTICE_FILE)

    # ---- manifest ---------------------------------------------------------------------------------
    fine = per_market.filter("fine")
    fine_frames = int(fine["polls"].sum())
    source_files = {
        f"quotes/dt={day}/data_0.parquet": source / "quotes" / f"dt={day}" / "data_0.parquet",
        "markets.parquet": source / "markets.parquet",
        "labels.parquet": source / "labels.parquet",
        "data_quality.parquet": source / "data_quality.parquet",
        "LICENSE": license_path,
        "NOTICE": notice_path,
    }
    if (source / "PROVENANCE.md").is_file():
        source_files["PROVENANCE.md"] = source / "PROVENANCE.md"
    manifest = {
        "day": day,
        "source": {
            "name": SOURCE_NAME,
            "repository": SOURCE_REPO,
            "commit": SOURCE_COMMIT,
            "files": {name: _sha256(path) for name, path in source_files.items()},
        },
        "license": {
            "name": LICENSE_NAME,
            "url": LICENSE_URL,
            "attribution": ATTRIBUTION,
            "license_file": f"fixtures/LICENSES/{LICENSE_FILE}",
            "notice_file": f"fixtures/LICENSES/{NOTICE_FILE}",
            "changes": [
                "converted from a parquet table of polled quotes to market-channel best_bid_ask websocket frames "
                "(capture format, Parquet form)",
                "float prices rendered as exact decimal strings; spread = best_ask - best_bid in exact thousandths",
                "condition ids and outcome token ids derived from the slug (sha256), not the venue's",
                "tick sizes derived from the day's prices; NO tokens listed but never quoted",
                "markets.json built from markets.parquet plus documented conversion defaults",
                "mid, volume24hr and segment columns not carried; labels kept apart (labels.parquet)",
                "data-quality findings of the conversion added to the dataset's own (data_quality.json)",
            ],
        },
        "conversion": {
            "script": SCRIPT_PATH,
            "condition_id_rule": '"0x" + sha256(slug.encode("utf-8")).hexdigest()',
            "token_id_rule": (
                'derive_token_id(condition_id, "Yes") / (condition_id, "No"): '
                'str(int(sha256(f"{condition_id}:{outcome}".encode()).hexdigest(), 16) % 2**256)'
            ),
            "tick_rule": f"{TICK_FINE} if any bid or ask of the market that day has a third decimal, "
            f"else {TICK_COARSE}",
            "recv_ms": "= the frame's timestamp = the poll time ts in epoch ms (one time per poll)",
            "receive_order": "seq = 0-based receive order: by poll time, then source row order (slug)",
            "storage_order": "rows stored by (asset_id, seq): consecutive rows share their ids (compression)",
            "parquet_writer": {"library": f"pyarrow {pa.__version__}", **PARQUET},
            "end_date_iso": "the first valid YYYY-MM-DD in the slug at 00:00Z, else null",
        },
        "counts": {
            "frames": n_frames,
            "quote_rows": quotes.height,
            "dropped_rows": quotes.height - n_frames,
            "frames_by_tick": {TICK_COARSE: n_frames - fine_frames, TICK_FINE: fine_frames},
            "markets": n_markets,
            "markets_by_tick": {TICK_COARSE: n_markets - fine.height, TICK_FINE: fine.height},
            "markets_by_category": dict(sorted(per_market.group_by("meta_category").len().rows())),
            "markets_with_end_date": sum(1 for it in items if it["end_date_iso"] is not None),
            "tokens_listed": 2 * n_markets,
            "tokens_quoted": n_markets,
            "polls": n_polls,
            "labels": labels.height,
            "labels_by_source": dict(sorted(labels.group_by("source").len().rows())),
            "data_quality_findings": len(findings),
        },
        "first_recv_ms": first_recv,
        "last_recv_ms": last_recv,
        "files": {
            name: {"bytes": path.stat().st_size, "sha256": _sha256(path)}
            for name, path in (
                (CAPTURE_PARQUET, capture_path),
                ("markets.json", markets_json),
                ("data_quality.json", dq_path),
                ("labels.parquet", labels_path),
            )
        },
        "data_checks": {
            "prices": "every bid and ask is a multiple of 0.001 in (0, 1); each rendered string parses back to "
            "exactly the source float",
            "crossed_quotes": crossed,
            "locked_quotes": locked,
            "quotes_without_bid": bid_null,
            "quotes_without_ask": ask_null,
            "quotes_without_either": both_null,
            "spread_and_mid": "recorded spread = ask - bid and mid = (bid + ask) / 2 (within 1e-6), null when a "
            "side is empty",
            "volume24hr_null": vol_null,
            "duplicate_slug_ts": 0,
            "poll_quotes_min_max": [int(polls["len"].min()), int(polls["len"].max())],
            "poll_gap_seconds_min_max": [float(poll_gaps.min()), float(poll_gaps.max())],
            "markets_in_every_poll": n_markets - partial.height,
            "markets_missing_from_some_poll": partial.height,
            "market_poll_pairs_absent": absent_pairs,
            "markets_first_seen_after_first_poll": late,
            "markets_last_seen_before_last_poll": early,
            "markets_with_polls_missing_inside_their_span": gapped,
            "polls_missing_inside_spans": gap_polls,
            "markets_with_slug_date_before_day": len(past),
            "markets_in_one_poll": single["slug"].to_list(),
            "markets_parquet_rows": markets_src.height,
            "markets_parquet_duplicate_slugs": duplicate_slugs_all,
            "markets_parquet_duplicate_slugs_of_day": duplicate_slug_rows,
            "markets_sharing_their_question": shared_question.height,
            "category_mismatch_quotes_vs_markets": category_mismatch,
            "labels_of_day": labels.height,
            "labels_y1": int((labels["y"] == 1).sum()),
            "segments": sorted(quotes["segment"].unique().to_list()),
            "first_and_last_poll_utc": [
                datetime.fromtimestamp(first_recv / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                datetime.fromtimestamp(last_recv / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            ],
        },
    }
    _write_json(day_dir / "MANIFEST.json", manifest)
    assert len(tick_of) == n_markets
    return day_dir


def _verify(capture_path: Path, expected: pl.DataFrame, sample: pl.DataFrame) -> None:
    """Re-read the written capture with the project's reader: in receive order, every frame is the one
    built from its source row (same receive time, same text: compared by polars' 64-bit hash of each
    frame, computed in this process), and a sample of the frames, parsed as JSON, holds the ids and
    exactly the source floats of its row."""
    got = read_capture(capture_path)
    assert got.height == expected.height
    assert got["recv_ms"].equals(expected["ts_ms"])
    assert got["frame"].hash().equals(expected["digest"]), "a frame differs from the one built"
    for row in sample.iter_rows(named=True):
        obj = json.loads(got["frame"][row["seq"]])
        assert obj["asset_id"] == row["yes_token"] and obj["market"] == row["condition_id"]
        assert obj["timestamp"] == str(row["ts_ms"]) and list(obj)[0] == "event_type"
        for key, side in (("best_bid", "bid"), ("best_ask", "ask")):
            assert (obj[key] == "") == (row[side] is None)
            assert obj[key] == "" or float(obj[key]) == row[side]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="dataset directory")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "fixtures", help="fixtures root")
    parser.add_argument("--day", default=DEFAULT_DAY, help="the quotes partition dt=<day> to convert")
    args = parser.parse_args(argv)
    day_dir = build(args.source.resolve(), args.out, args.day)
    print(f"wrote {day_dir}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
