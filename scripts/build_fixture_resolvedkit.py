"""Build the fixture day 2026-09-28 from the resolvedkit sample session (CC BY 4.0).

Input (``--source``): resolvedkit's ``sample_data/`` directory, ``markets.parquet`` (18 settled BTC
15-minute up/down markets) and ``books.parquet`` (38,333 one-per-second top-20 L2 snapshots for
both outcome tokens, best level first, float prices and sizes), plus resolvedkit's
``DATA_LICENSE`` two directories above it.

Output (``--out``, default ``fixtures/``)::

    <out>/<YYYY-MM-DD>/capture.jsonl.gz   market-channel frames in the capture format
    <out>/<YYYY-MM-DD>/markets.json       the markets as a CLOB GET /markets page
    <out>/<YYYY-MM-DD>/MANIFEST.json      source, counts, checksums, data checks, the book-hash rule
    <out>/LICENSES/resolvedkit-DATA_LICENSE.txt

The format and every derived field are documented in ``fixtures/README.md``. The build is
deterministic: two runs write the same bytes (gzip mtime 0, no build time anywhere). It fails
(AssertionError / ValueError) when the source breaks an assumption the conversion relies on.

Usage: ``.venv/bin/python scripts/build_fixture_resolvedkit.py [--source DIR] [--out DIR]``
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import shutil
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl

from polytraders.adapters.capture import CAPTURE_FILE, derive_token_id, read_capture
from polytraders.adapters.polymarket.book_hash import MANIFEST_KEY, POLYTRADERS_SHA1_V1, RULES

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO_ROOT / "../shared/reference/polymarket/resolvedkit/src/resolvedkit/sample_data"
SCRIPT_PATH = "scripts/build_fixture_resolvedkit.py"

SOURCE_REPO = "https://github.com/resolvedmarkets/resolvedkit"
SOURCE_COMMIT = "4c6efb24af29993a288bc84abff2b1d83e785710"
SOURCE_WHEEL = "resolvedkit-0.1.0-py3-none-any.whl"
SOURCE_WHEEL_SHA256 = "af162cdbcbfd8a3b5284718c26924ae7f1fe15467205cd10dbaa03781056db40"
ATTRIBUTION = "Polymarket order-book data from Resolved Markets (https://resolvedmarkets.com)"
LICENSE_NAME = "CC BY 4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
COPYRIGHT = "(c) 2026 Elcara LLC-FZ (Resolved Markets)"

#: recv_ms of a market's ``market_resolved`` frame = end_ts + this. Larger than the longest tail of
#: book snapshots after end_ts in the recording (73.9 s), so no book of a market follows its
#: resolution; asserted below.
RESOLUTION_DELAY_MS = 90_000
#: Tick sizes: 0.01 (the grid every pre-start book is on) and 0.001 (the venue's fine tick near 0/1).
TICK_COARSE, TICK_FINE = "0.01", "0.001"
#: CLOB /markets conversion defaults (not in the recording).
MINIMUM_ORDER_SIZE = 5
CHANNEL = "market"
GRID_EPS = 1e-6
#: The book-hash rule of the derived ``hash`` (polytraders.adapters.polymarket.book_hash), declared in
#: MANIFEST.json so that S2 checks every book against it.
BOOK_HASH_RULE = POLYTRADERS_SHA1_V1


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _render_price(milli: pl.Expr) -> pl.Expr:
    """Price in thousandths (1..999) -> shortest decimal string: 490 -> "0.49", 5 -> "0.005"."""
    return pl.concat_str(pl.lit("0."), milli.cast(pl.String).str.zfill(3).str.strip_chars_end("0"))


def _render_size(cents: pl.Expr) -> pl.Expr:
    """Size in hundredths (> 0) -> shortest decimal string: 20500 -> "205", 51499 -> "514.99"."""
    whole = (cents // 100).cast(pl.String)
    frac = (cents % 100).cast(pl.String).str.zfill(2).str.strip_chars_end("0")
    return pl.when(cents % 100 == 0).then(whole).otherwise(pl.concat_str(whole, pl.lit("."), frac))


def _levels(books: pl.DataFrame, px: str, sz: str, name: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Render one side's levels to venue JSON, worst level first (best last).

    Returns (per-book frame ``src_row, <name>_json, <name>_off``, the exploded level table).
    """
    lv = (
        books.select("src_row", pl.col(px).alias("px"), pl.col(sz).alias("sz"))
        .with_columns(idx=pl.int_ranges(pl.col("px").list.len()))
        .explode("px", "sz", "idx")
        .drop_nulls("px")
        .with_columns(
            milli=(pl.col("px") * 1000).round(0).cast(pl.Int64),
            cents=(pl.col("sz") * 100).round(0).cast(pl.Int64),
        )
        .with_columns(p_str=_render_price(pl.col("milli")), s_str=_render_size(pl.col("cents")))
    )
    # Exactness: every price is on the 0.001 grid in (0, 1), every size on the 0.01 grid and > 0,
    # and the rendered strings parse back to the very same float.
    assert (lv["px"] * 1000 - lv["milli"]).abs().max() < GRID_EPS, f"{name}: price off the 0.001 grid"
    assert (lv["sz"] * 100 - lv["cents"]).abs().max() < GRID_EPS, f"{name}: size with > 2 decimals"
    assert lv["milli"].min() >= 1 and lv["milli"].max() <= 999, f"{name}: price outside (0, 1)"
    assert lv["cents"].min() >= 1, f"{name}: non-positive size"
    # A few source sizes carry a float artefact (1.9300000000000002): the string is the value
    # rounded to 6 decimals, and must parse back to exactly round(x, 6).
    assert (lv["p_str"].cast(pl.Float64) == lv["px"].round(6)).all(), f"{name}: price string round trip"
    assert (lv["s_str"].cast(pl.Float64) == lv["sz"].round(6)).all(), f"{name}: size string round trip"
    lv = lv.with_columns(
        artefact=(lv["p_str"].cast(pl.Float64) != lv["px"]) | (lv["s_str"].cast(pl.Float64) != lv["sz"])
    )
    per_book = (
        lv.with_columns(
            lvl=pl.concat_str(pl.lit('{"price":"'), "p_str", pl.lit('","size":"'), "s_str", pl.lit('"}'))
        )
        .group_by("src_row")
        .agg(
            pl.col("lvl").sort_by("idx", descending=True).str.join(",").alias(f"{name}_json"),
            (pl.col("milli") % 10 != 0).any().alias(f"{name}_off"),
        )
    )
    out = (
        books.select("src_row")
        .join(per_book, on="src_row", how="left")
        .with_columns(pl.col(f"{name}_json").fill_null(""), pl.col(f"{name}_off").fill_null(False))
    )
    return out, lv


def build(source: Path, out: Path) -> Path:
    """Convert ``source`` into ``out/<day>/``; return the day directory."""
    markets_path, books_path = source / "markets.parquet", source / "books.parquet"
    license_path = source.parents[2] / "DATA_LICENSE"
    markets = pl.read_parquet(markets_path).sort("start_ts")
    books = pl.read_parquet(books_path).with_row_index("src_row")

    # ---- markets and derived token ids ---------------------------------------------------------
    assert markets["market_id"].is_unique().all()
    assert markets["market_id"].str.contains(r"^0x[0-9a-f]{64}$").all()
    assert ((markets["payout_up"] + markets["payout_down"]) == 1.0).all()
    assert markets["payout_up"].is_in([0.0, 1.0]).all()
    assert (markets["end_ts"] % 1000 == 0).all() and (markets["start_ts"] % 1000 == 0).all()
    tokens = pl.concat(
        [
            markets.select("market_id", pl.lit("UP").alias("side"), pl.col("outcome_up").alias("outcome")),
            markets.select(
                "market_id", pl.lit("DOWN").alias("side"), pl.col("outcome_down").alias("outcome")
            ),
        ]
    )
    tokens = tokens.with_columns(
        token_id=pl.Series([derive_token_id(c, o) for c, o in tokens.select("market_id", "outcome").rows()])
    )
    assert tokens["token_id"].is_unique().all()
    token_of = {(c, s): t for c, s, t in tokens.select("market_id", "side", "token_id").rows()}

    # ---- books: join ids, render levels ---------------------------------------------------------
    assert set(books["market_id"].unique()) <= set(markets["market_id"])
    assert books["side"].is_in(["UP", "DOWN"]).all()
    assert books.select("market_id", "ts", "side").is_unique().all()
    books = books.join(tokens.select("market_id", "side", "token_id"), on=["market_id", "side"], how="left")
    bids, bid_lv = _levels(books, "bid_px", "bid_sz", "bids")
    asks, ask_lv = _levels(books, "ask_px", "ask_sz", "asks")
    books = books.join(bids, on="src_row").join(asks, on="src_row")
    # Receive order: by snapshot time, ties in source row order.
    books = books.sort("ts", "src_row")
    # Tick size per token: 0.01 until the first book with a price off the 0.01 grid, 0.001 after.
    books = books.with_columns(
        fine=(pl.col("bids_off") | pl.col("asks_off")).cum_max().over("token_id"),
    ).with_columns(
        tick=pl.when("fine").then(pl.lit(TICK_FINE)).otherwise(pl.lit(TICK_COARSE)),
        tick_change=pl.col("fine") & ~pl.col("fine").shift(1, fill_value=False).over("token_id"),
        ts_str=pl.col("ts").cast(pl.String),
    )
    body = pl.concat_str(
        pl.lit('{"market":"'),
        "market_id",
        pl.lit('","asset_id":"'),
        "token_id",
        pl.lit('","timestamp":"'),
        "ts_str",
        pl.lit('","bids":['),
        "bids_json",
        pl.lit('],"asks":['),
        "asks_json",
        pl.lit("]}"),
    )
    books = books.with_columns(body=body)
    # The stand-in hash: the rule's digest of the book (the rule is defined once, in
    # polytraders.adapters.polymarket.book_hash; _verify checks it against every written frame).
    rule = RULES[BOOK_HASH_RULE]
    books = books.with_columns(
        hash=pl.Series([rule(json.loads(b)) for b in books["body"]], dtype=pl.String)
    )
    books = books.with_columns(
        frame=pl.concat_str(
            pl.lit('{"market":"'),
            "market_id",
            pl.lit('","asset_id":"'),
            "token_id",
            pl.lit('","timestamp":"'),
            "ts_str",
            pl.lit('","hash":"'),
            "hash",
            pl.lit('","bids":['),
            "bids_json",
            pl.lit('],"asks":['),
            "asks_json",
            pl.lit('],"tick_size":"'),
            "tick",
            pl.lit('","event_type":"book","last_trade_price":""}'),
        )
    )

    # ---- events in receive order ----------------------------------------------------------------
    # Sort key (recv_ms, rank): a tick_size_change sits just before the book that shows the new
    # grid; resolutions come after every book of the same millisecond.
    n = books.height
    events: list[tuple[int, int, str, str]] = []  # (recv_ms, rank, kind, frame)
    for i, (ts, frame) in enumerate(books.select("ts", "frame").rows()):
        events.append((ts, 2 * i + 1, "book", frame))
    changes = books.with_row_index("pos").filter("tick_change")
    for pos, ts, cid, tok in changes.select("pos", "ts", "market_id", "token_id").rows():
        msg = {
            "asset_id": tok,
            "event_type": "tick_size_change",
            "market": cid,
            "new_tick_size": TICK_FINE,
            "old_tick_size": TICK_COARSE,
            "timestamp": str(ts),
        }
        events.append((ts, 2 * pos, "tick_size_change", json.dumps(msg, separators=(",", ":"))))
    last_book = dict(books.group_by("market_id").agg(pl.col("ts").max()).rows())
    resolutions = []
    for j, m in enumerate(markets.iter_rows(named=True)):
        cid = m["market_id"]
        up, down = token_of[(cid, "UP")], token_of[(cid, "DOWN")]
        won_up = m["payout_up"] == 1.0
        recv = m["end_ts"] + RESOLUTION_DELAY_MS
        assert last_book[cid] < recv, f"book of {cid} after its resolution"
        msg = {
            "event_type": "market_resolved",
            "market": cid,
            "assets_ids": [up, down],
            "winning_asset_id": up if won_up else down,
            "winning_outcome": m["outcome_up"] if won_up else m["outcome_down"],
            "timestamp": str(recv),
            "tags": [m["category"]],
        }
        events.append((recv, 2 * n + j, "market_resolved", json.dumps(msg, separators=(",", ":"))))
        resolutions.append((cid, recv, msg["winning_asset_id"], msg["winning_outcome"]))
    events.sort(key=lambda e: (e[0], e[1]))

    # First frame "after subscribing": the books at the first timestamp, as one JSON array.
    t0 = events[0][0]
    head = 0
    while head < len(events) and events[head][0] == t0 and events[head][2] == "book":
        head += 1
    assert head >= 1 and all(e[2] == "book" for e in events[:head])
    first = (t0, "book_array", "[" + ",".join(e[3] for e in events[:head]) + "]")
    lines = [first] + [(e[0], e[2], e[3]) for e in events[head:]]

    # ---- day, write -----------------------------------------------------------------------------
    days = {datetime.fromtimestamp(r / 1000, UTC).date().isoformat() for r, _, _ in (lines[0], lines[-1])}
    assert len(days) == 1, f"session spans several UTC days: {days}"
    day = days.pop()
    day_dir = out / day
    day_dir.mkdir(parents=True, exist_ok=True)
    capture_path = day_dir / CAPTURE_FILE
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        for recv_ms, _, frame in lines:
            rec = {"recv_ms": recv_ms, "channel": CHANNEL, "frame": frame}
            gz.write((json.dumps(rec, separators=(",", ":"), ensure_ascii=False) + "\n").encode())
    capture_path.write_bytes(buf.getvalue())

    # ---- verify what was written against the source ---------------------------------------------
    _verify(capture_path, books, len(lines), head)

    # ---- markets.json ---------------------------------------------------------------------------
    first_books = books.group_by("token_id").agg(pl.all().sort_by("ts").first())
    mid_of = {}
    for tok, bpx, apx in first_books.select("token_id", "bid_px", "ask_px").rows():
        assert bpx and apx, "first book of a token is one-sided"
        mid_of[tok] = round((bpx[0] + apx[0]) / 2, 4)
    items = []
    for m in markets.iter_rows(named=True):
        cid = m["market_id"]
        items.append(
            {
                "enable_order_book": True,
                "active": True,
                "closed": False,
                "archived": False,
                "accepting_orders": True,
                "accepting_order_timestamp": None,
                "minimum_order_size": MINIMUM_ORDER_SIZE,
                "minimum_tick_size": float(TICK_COARSE),
                "condition_id": cid,
                "question": m["question"],
                "description": "",
                "market_slug": m["slug"],
                "end_date_iso": datetime.fromtimestamp(m["end_ts"] / 1000, UTC).strftime(
                    "%Y-%m-%dT%H:%M:%SZ"
                ),
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
                    {
                        "token_id": token_of[(cid, side)],
                        "outcome": m[label],
                        "price": mid_of[token_of[(cid, side)]],
                        "winner": False,
                    }
                    for side, label in (("UP", "outcome_up"), ("DOWN", "outcome_down"))
                ],
                "tags": [m["category"]],
            }
        )
    page = {"data": items, "next_cursor": "LTE=", "limit": len(items), "count": len(items)}
    markets_json = day_dir / "markets.json"
    markets_json.write_text(json.dumps(page, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    # ---- licence --------------------------------------------------------------------------------
    lic_dir = out / "LICENSES"
    lic_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(license_path, lic_dir / "resolvedkit-DATA_LICENSE.txt")

    # ---- data checks (reported, not repaired) ---------------------------------------------------
    bb, ba = pl.col("bid_px").list.first(), pl.col("ask_px").list.first()
    extreme = pl.concat_list(bb, ba).list.eval((pl.element() >= 0.96) | (pl.element() <= 0.04)).list.any()
    assert changes.select(extreme.all()).item(), "a tick change away from the 0.96 / 0.04 extremes"
    crossed = books.filter(bb > ba + GRID_EPS)
    locked = books.filter((bb - ba).abs() < GRID_EPS)
    ends = markets.select("market_id", "start_ts", "end_ts")
    phased = books.join(ends, on="market_id").with_columns(
        phase=pl.when(pl.col("ts") < pl.col("start_ts"))
        .then(pl.lit("before_start"))
        .when(pl.col("ts") < pl.col("end_ts"))
        .then(pl.lit("open"))
        .otherwise(pl.lit("after_end"))
    )
    gaps = (
        books.select(pl.col("ts").unique().sort())
        .with_columns(gap=pl.col("ts").diff())
        .filter(pl.col("gap") > 10_000)
    )
    slots = markets["start_ts"].diff().drop_nulls()
    missing_slots = [
        datetime.fromtimestamp((s - 900_000) / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for s, d in zip(markets["start_ts"][1:], slots, strict=True)
        if d != 900_000
    ]
    n_one_sided_ts = (
        books.group_by("market_id", "ts").agg(pl.len().alias("k")).filter(pl.col("k") == 1).height
    )
    post_tail = (
        phased.filter(pl.col("phase") == "after_end")
        .group_by("market_id")
        .agg((pl.col("ts").max() - pl.col("end_ts").first()).alias("tail"))
    )
    checks = {
        "price_grid": (
            "every price is on the 0.001 grid; "
            f"{books.filter('fine').height} book snapshots on {changes.height} tokens hold prices off "
            "the 0.01 grid, each token from its first such book to its last book (never back); at that first "
            "book the token's best bid or ask is >= 0.96 or <= 0.04 (asserted): read as the venue's "
            "automatic 0.01 -> 0.001 tick change"
        ),
        "price_levels_total": bid_lv.height + ask_lv.height,
        "price_levels_off_0.01_grid": int(
            ((bid_lv["milli"] % 10) != 0).sum() + ((ask_lv["milli"] % 10) != 0).sum()
        ),
        "sizes": "every size > 0 with at most 2 decimals",
        "values_with_float_artefacts": int(bid_lv["artefact"].sum() + ask_lv["artefact"].sum()),
        "levels_best_first_strict": True,
        "crossed_books": crossed.height,
        "locked_books": locked.height,
        "crossed_or_locked_at_ts": sorted({int(t) for t in pl.concat([crossed["ts"], locked["ts"]])}),
        "books_without_bids": int((books["bid_px"].list.len() == 0).sum()),
        "books_without_asks": int((books["ask_px"].list.len() == 0).sum()),
        "books_by_phase": dict(sorted(phased.group_by("phase").len().rows())),
        "max_book_tail_after_end_ms": int(post_tail["tail"].max()),
        "timestamps_with_one_token_only": n_one_sided_ts,
        "recording_gaps": {
            "note": "times with no snapshot of any token; the source keeps at most one snapshot per token "
            "per second, and quiet books (mostly before a market's start) go longer without one",
            "over_10s": gaps.height,
            "over_30s": int((gaps["gap"] > 30_000).sum()),
            "longest": [
                {"after_ts": int(t - g), "gap_ms": int(g)}
                for t, g in gaps.sort("gap", descending=True).head(5).select("ts", "gap").rows()
            ],
        },
        "missing_15m_slots": missing_slots,
    }

    # ---- manifest -------------------------------------------------------------------------------
    kinds: dict[str, int] = {}
    for _, kind, _ in lines:
        kinds[kind] = kinds.get(kind, 0) + 1
    manifest = {
        "day": day,
        "source": {
            "name": "resolvedkit sample session",
            "repository": SOURCE_REPO,
            "commit": SOURCE_COMMIT,
            "wheel": SOURCE_WHEEL,
            "wheel_sha256": SOURCE_WHEEL_SHA256,
            "files": {
                "markets.parquet": _sha256(markets_path),
                "books.parquet": _sha256(books_path),
                "DATA_LICENSE": _sha256(license_path),
            },
        },
        "license": {
            "name": LICENSE_NAME,
            "url": LICENSE_URL,
            "copyright": COPYRIGHT,
            "attribution": ATTRIBUTION,
            "license_file": "fixtures/LICENSES/resolvedkit-DATA_LICENSE.txt",
            "changes": [
                "converted from parquet snapshots to market-channel websocket frames (capture format)",
                "float prices/sizes rendered as exact decimal strings; level order reversed to the venue's "
                "(bids ascending, asks descending, best last)",
                "token ids derived (sha256 of condition id and outcome), not the venue's",
                "book hash derived (sha1 of the canonical book JSON), not the venue's",
                "tick_size / tick_size_change derived from the price grid",
                "market_resolved frames derived from the settlements, received end_ts + "
                f"{RESOLUTION_DELAY_MS} ms",
                "markets.json built from the recorded metadata plus documented conversion defaults",
            ],
        },
        "conversion": {
            "script": SCRIPT_PATH,
            "resolution_delay_ms": RESOLUTION_DELAY_MS,
            "recv_ms": "= the snapshot's ts (the recording has one time per snapshot)",
            "token_id_rule": (
                'str(int(sha256(f"{condition_id}:{outcome}".encode()).hexdigest(), 16) % 2**256)'
            ),
            "hash_rule": (
                "sha1 hex of the compact JSON {market, asset_id, timestamp, bids, asks} as in the frame"
            ),
        },
        MANIFEST_KEY: BOOK_HASH_RULE,
        "counts": {
            "lines": len(lines),
            "lines_by_kind": dict(sorted(kinds.items())),
            "events_by_type": {
                "book": books.height,
                "market_resolved": len(resolutions),
                "tick_size_change": changes.height,
            },
            "books_in_first_array_frame": head,
            "markets": markets.height,
            "tokens": tokens.height,
        },
        "first_recv_ms": lines[0][0],
        "last_recv_ms": lines[-1][0],
        "files": {
            CAPTURE_FILE: {"bytes": capture_path.stat().st_size, "sha256": _sha256(capture_path)},
            "markets.json": {"bytes": markets_json.stat().st_size, "sha256": _sha256(markets_json)},
        },
        "markets": [
            {
                "condition_id": m["market_id"],
                "slug": m["slug"],
                "start_ts_ms": m["start_ts"],
                "end_ts_ms": m["end_ts"],
                "tokens": {
                    m["outcome_up"]: token_of[(m["market_id"], "UP")],
                    m["outcome_down"]: token_of[(m["market_id"], "DOWN")],
                },
                "winning_outcome": m["outcome_up"] if m["payout_up"] == 1.0 else m["outcome_down"],
                "books": int((books["market_id"] == m["market_id"]).sum()),
            }
            for m in markets.iter_rows(named=True)
        ],
        "data_checks": checks,
    }
    (day_dir / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return day_dir


def _canon(text: str) -> str:
    """Canonical decimal string: Decimal normalisation, fixed-point, no exponent."""
    return format(Decimal(text).normalize(), "f")


def _verify(capture_path: Path, books: pl.DataFrame, n_lines: int, head: int) -> None:
    """Re-read the written capture and check every book against the source floats, and its hash
    against the declared rule."""
    frames = read_capture(capture_path)
    assert frames.height == n_lines
    by_key = {
        (cid, tok, ts): (bp, bs, ap, asz)
        for cid, tok, ts, bp, bs, ap, asz in books.select(
            "market_id", "token_id", "ts", "bid_px", "bid_sz", "ask_px", "ask_sz"
        ).rows()
    }
    seen = 0
    for i, frame in enumerate(frames["frame"]):
        obj = json.loads(frame)
        objs = obj if isinstance(obj, list) else [obj]
        assert (i == 0) == isinstance(obj, list) and (i > 0 or len(objs) == head)
        for o in objs:
            if o["event_type"] != "book":
                continue
            seen += 1
            assert RULES[BOOK_HASH_RULE](o) == o["hash"], f"hash of {o['asset_id']} at {o['timestamp']}"
            bp, bs, ap, asz = by_key[(o["market"], o["asset_id"], int(o["timestamp"]))]
            for got, want in ((o["bids"], (bp, bs)), (o["asks"], (ap, asz))):
                assert [float(x["price"]) for x in got] == [round(v, 6) for v in want[0][::-1]]
                assert [float(x["size"]) for x in got] == [round(v, 6) for v in want[1][::-1]]
                assert all(x["price"] == _canon(x["price"]) and x["size"] == _canon(x["size"]) for x in got)
    assert seen == books.height


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="resolvedkit sample_data dir")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "fixtures", help="fixtures root")
    args = parser.parse_args(argv)
    day_dir = build(args.source.resolve(), args.out)
    print(f"wrote {day_dir}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
