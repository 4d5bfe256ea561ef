"""Build the fixture pack: small normal / warning / hard / failure captures derived from 2026-09-28.

Input: the bundled real day ``fixtures/2026-09-28/`` (``capture.jsonl.gz`` + ``markets.json``; the
Resolved Markets sample session, CC BY 4.0, see ``fixtures/README.md``).

Output (``--out``, default ``fixtures/pack/``), one directory per scenario::

    <out>/<class>/<scenario>/capture.jsonl.gz   the derived capture (capture format, gzip mtime 0)
    <out>/<class>/<scenario>/markets.json       the CLOB /markets page of the scenario's markets
    <out>/<class>/<scenario>/SCENARIO.json      source lines, transformation, expected outcome

``<class>`` is ``normal``, ``warning``, ``hard`` or ``failure``. No directory is named YYYY-MM-DD, so
the fixture-day sensor never takes a scenario for a day; run one as day ``SCENARIO.json["day"]``
(``polytraders_tests/fixtures_pack/`` links its files into ``<tmp>/<day>/``).

Every scenario is a slice of the real recording (a receive-time window, restricted to a few
markets) plus one documented transformation. The expected outcome is computed here from the
transformation itself (which frames were changed and how), never by running the normaliser:
``expected`` is what S2 (``stages.registry`` + ``stages.ingest``) must give today, plus
``expected["findings"]``: the data-quality findings gov.data_quality_monitor (default config) must
make on S2's admitted books, by reason code, re-derived here from the frames by the monitor's
documented rules (:func:`monitor_findings`); for a condition not detected yet, ``detected_by`` says
``"pending: ..."`` and ``when_detected`` what it should give once it is. Book frames whose levels
or timestamp are changed get their stand-in ``hash`` recomputed with the source day's book-hash rule
(``polytraders-sha1-v1``, :mod:`polytraders.adapters.polymarket.book_hash`; so the only anomaly is
the intended one), except in the venue-hash scenario. Every SCENARIO.json names that rule
(``book_hash_rule``): a replay writes it into the day directory's MANIFEST.json, so S2 checks the
scenario's book hashes as it checks the day's.

Deterministic: two runs write the same bytes (gzip mtime 0, level 9, no file name, no build time).

Usage: ``.venv/bin/python scripts/build_fixture_pack.py [--source DIR] [--out DIR]``
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import shutil
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from polytraders.adapters.budgets import DEFAULT_BUDGETS
from polytraders.adapters.capture import CAPTURE_FILE, iter_capture
from polytraders.adapters.polymarket.book_hash import POLYTRADERS_SHA1_V1, RULES, BookHashError, declared_rule
from polytraders.bots.gov import data_quality_monitor as dq

REPO_ROOT = Path(__file__).resolve().parents[1]
SOURCE_DAY = "2026-09-28"
DEFAULT_SOURCE = REPO_ROOT / "fixtures" / SOURCE_DAY
SCRIPT_PATH = "scripts/build_fixture_pack.py"
CHANNEL = "market"
ATTRIBUTION = "Polymarket order-book data from Resolved Markets (https://resolvedmarkets.com)"
LICENSE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "copyright": "(c) 2026 Elcara LLC-FZ (Resolved Markets)",
    "attribution": ATTRIBUTION,
    "license_file": "fixtures/LICENSES/resolvedkit-DATA_LICENSE.txt",
    "derived_from": f"fixtures/{SOURCE_DAY}/ (see fixtures/README.md, 'Changes made'); "
    "further changed by this pack's transformation",
}
#: Minimum order size of every market (markets.json); a touch below it is "thin".
MIN_ORDER_SIZE = Decimal(5)
PENDING = "pending: "
#: gov.data_quality_monitor's budgets (its default config): the findings re-derived below use them.
MONITOR = dq.Config()
#: The book-hash rule of SOURCE_DAY (declared in its MANIFEST.json, asserted by Source).
HASH_RULE = POLYTRADERS_SHA1_V1


def compact(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def stand_in_hash(book: dict[str, Any]) -> str:
    """The conversion's book hash: the source day's rule (HASH_RULE, defined once in
    polytraders.adapters.polymarket.book_hash: sha1 hex of compact {market, asset_id, timestamp, bids, asks})."""
    return RULES[HASH_RULE](book)


def hash_matches(book: dict[str, Any]) -> bool:
    """S2's hash check under HASH_RULE: a book sending no ``hash`` (or ``""``) is not checked; else its
    ``hash`` must equal the rule's digest (one the rule cannot derive does not match)."""
    sent = book.get("hash")
    if not isinstance(sent, str) or not sent:
        return True
    try:
        return stand_in_hash(book) == sent
    except BookHashError:
        return False


def best(levels: list[dict[str, str]]) -> Decimal | None:
    """Best price of a side in venue order (best LAST)."""
    return Decimal(levels[-1]["price"]) if levels else None


def crossed(book: dict[str, Any]) -> bool:
    bid, ask = best(book["bids"]), best(book["asks"])
    return bid is not None and ask is not None and bid >= ask


def off_grid(book: dict[str, Any], tick: Decimal) -> bool:
    return any(Decimal(lv["price"]) % tick for side in ("bids", "asks") for lv in book[side])


@dataclass
class Line:
    """One output capture line: ``src`` the 1-based source line (None when inserted), ``frame`` the
    raw text frame; ``raw_line`` replaces the whole JSON line (a corrupt capture line)."""

    src: int | None
    recv_ms: int
    frame: str
    raw_line: str | None = None

    @property
    def obj(self) -> Any:
        return json.loads(self.frame)

    def text(self) -> str:
        if self.raw_line is not None:
            return self.raw_line
        return compact({"recv_ms": self.recv_ms, "channel": CHANNEL, "frame": self.frame})


@dataclass
class Scenario:
    cls: str
    name: str
    title: str
    markets: list[str]  # slugs
    window_ms: tuple[int, int]
    lines: list[Line]
    transformation: list[str]
    expected: dict[str, Any]
    detected_by: str
    changes: list[dict[str, Any]] = field(default_factory=list)
    observable: dict[str, Any] = field(default_factory=dict)
    when_detected: dict[str, Any] | None = None
    feed_health: dict[str, Any] | None = None


class Source:
    """The real day: its lines (with 1-based line numbers) and its markets."""

    def __init__(self, day_dir: Path) -> None:
        self.day_dir = day_dir
        self.hash_rule = declared_rule(day_dir)
        assert self.hash_rule == HASH_RULE, f"{day_dir}: book_hash_rule {self.hash_rule!r}, expected {HASH_RULE!r}"
        self.lines = [Line(c.line_no, c.recv_ms, c.frame) for c in iter_capture(day_dir / CAPTURE_FILE)]
        self.page = json.loads((day_dir / "markets.json").read_text(encoding="utf-8"))
        self.by_slug = {m["market_slug"]: m for m in self.page["data"]}
        self.cid = {slug: m["condition_id"] for slug, m in self.by_slug.items()}
        self._market = [self._market_of(line.frame) for line in self.lines]

    @staticmethod
    def _market_of(frame: str) -> str | None:
        obj = json.loads(frame)
        return None if isinstance(obj, list) else obj["market"]

    def slice(self, slugs: list[str], t0: int, t1: int) -> list[Line]:
        """Lines of the markets ``slugs`` received in [t0, t1), in file order (copies)."""
        cids = {self.cid[s] for s in slugs}
        return [
            Line(ln.src, ln.recv_ms, ln.frame)
            for ln, cid in zip(self.lines, self._market, strict=True)
            if cid in cids and t0 <= ln.recv_ms < t1
        ]

    def line(self, src: int) -> Line:
        ln = self.lines[src - 1]
        assert ln.src == src
        return Line(ln.src, ln.recv_ms, ln.frame)

    def markets_page(self, slugs: list[str]) -> str:
        items = [m for m in self.page["data"] if m["market_slug"] in slugs]
        assert len(items) == len(slugs)
        page = {"data": items, "next_cursor": "LTE=", "limit": len(items), "count": len(items)}
        return json.dumps(page, indent=2, ensure_ascii=False) + "\n"

    def token(self, slug: str, outcome: str) -> str:
        return next(t["token_id"] for t in self.by_slug[slug]["tokens"] if t["outcome"] == outcome)


def books_of(lines: list[Line]) -> list[tuple[Line, dict[str, Any]]]:
    out = []
    for ln in lines:
        if ln.raw_line is not None:
            continue
        try:
            obj = ln.obj
        except ValueError:
            continue
        if isinstance(obj, dict) and obj.get("event_type") == "book":
            out.append((ln, obj))
    return out


def rewrite(ln: Line, obj: dict[str, Any], *, rehash: bool = True) -> None:
    """Replace ``ln``'s frame by ``obj`` in the venue's compact form (hash recomputed if asked)."""
    if rehash and "hash" in obj:
        obj["hash"] = stand_in_hash(obj)
    ln.frame = compact(obj)


def base_expected(lines: list[Line], **quarantine: int) -> dict[str, Any]:
    """``expected`` for a capture whose books all normalise except those counted in ``quarantine``."""
    n_books = len(books_of(lines))
    n_bad = sum(quarantine.values())
    return {
        "frames_in": len(lines),
        "quarantine": dict(sorted((k, v) for k, v in quarantine.items() if v)),
        "books_admitted": n_books - n_bad,
        "resolutions": sum(1 for ln in lines if '"event_type":"market_resolved"' in ln.frame),
        "freshness_warn": 0,
    }


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def admitted_books(lines: list[Line], registry_tick: Decimal = Decimal("0.01")) -> list[tuple[Line, dict[str, Any]]]:
    """The book frames S2 admits, by its documented rules, in receive order: a JSON book object of a
    token of the scenario's markets, venue and receive times in ms, every price in (0, 1) on the
    book's grid (its ``tick_size``, else the token's last ``tick_size_change``, else the registry's
    0.01), not crossed, its ``hash`` matching HASH_RULE (:func:`hash_matches`), the first copy of its
    frame, received before its market's ``market_resolved`` and not older than the token's newest
    book so far."""
    tick: dict[str, Decimal] = {}
    seen: set[tuple[str, str]] = set()
    newest: dict[str, int] = {}
    resolved_at: dict[str, int] = {}
    out = []
    for ln in lines:
        if ln.raw_line is not None:  # a corrupt capture line, or one with recv_ms in seconds
            continue
        try:
            obj = ln.obj
        except ValueError:
            continue
        kind = obj.get("event_type") if isinstance(obj, dict) else None
        if kind == "market_resolved":
            resolved_at.setdefault(obj["market"], ln.recv_ms)
        elif kind == "tick_size_change":
            tick[obj["asset_id"]] = Decimal(obj["new_tick_size"])
        if kind != "book" or int(obj["timestamp"]) < 10**12:
            continue
        token, ts = obj["asset_id"], int(obj["timestamp"])
        grid = Decimal(obj["tick_size"]) if "tick_size" in obj else tick.get(token, registry_tick)
        prices = [Decimal(lv["price"]) for side in ("bids", "asks") for lv in obj[side]]
        if not all(0 < p < 1 for p in prices) or off_grid(obj, grid) or crossed(obj) or not hash_matches(obj):
            continue
        if (token, ln.frame) in seen or ln.recv_ms >= resolved_at.get(obj["market"], ln.recv_ms + 1):
            continue
        seen.add((token, ln.frame))
        if ts < newest.get(token, ts):
            continue
        newest[token] = ts
        out.append((ln, dict(obj, tick_size=str(grid))))
    return out


def monitor_findings(lines: list[Line], budget_ms: int = DEFAULT_BUDGETS.ws_market_ms) -> dict[str, list[str]]:
    """Reason code -> sha256 of each admitted book (:func:`admitted_books`) gov.data_quality_monitor
    flags, by its rules in exact decimals: age over ``budget_ms``; spread over MONITOR.max_spread_ticks
    ticks; a touch size below MIN_ORDER_SIZE; a price off the book's grid or a size with more than
    MONITOR.size_decimals places; per token, a venue time below the newest so far or more than
    MONITOR.max_book_gap_ms after it."""
    found: dict[str, list[str]] = {}
    newest: dict[str, int] = {}
    step = Decimal(1).scaleb(-MONITOR.size_decimals)
    for ln, b in admitted_books(lines):
        tick, ts, token = Decimal(b["tick_size"]), int(b["timestamp"]), b["asset_id"]
        bid, ask = best(b["bids"]), best(b["asks"])
        touch = [Decimal(side[-1]["size"]) for side in (b["bids"], b["asks"]) if side]
        levels = [lv for side in ("bids", "asks") for lv in b[side]]
        gap = ts - newest[token] if token in newest else 0
        flags = {
            dq.STALE: ln.recv_ms - ts > budget_ms,
            dq.WIDE: bid is not None and ask is not None and ask - bid > MONITOR.max_spread_ticks * tick,
            dq.DUST: bool(touch) and min(touch) < MIN_ORDER_SIZE,
            dq.PRECISION: any(Decimal(lv["price"]) % tick or Decimal(lv["size"]) % step for lv in levels),
            dq.SEQUENCE: gap < 0 or gap > MONITOR.max_book_gap_ms,
        }
        newest[token] = max(ts, newest.get(token, ts))
        for code, hit in flags.items():
            if hit:
                found.setdefault(code, []).append(sha256(ln.frame))
    return found


def _ranges(numbers: list[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for n in sorted(set(numbers)):
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


# --- scenarios -------------------------------------------------------------------------------------

M0, M1, M3, M4, M15 = (
    "btc-updown-15m-1790586000",
    "btc-updown-15m-1790586900",
    "btc-updown-15m-1790588700",
    "btc-updown-15m-1790589600",
    "btc-updown-15m-1790601300",
)


def normal_clean(src: Source) -> Scenario:
    t0, t1 = 1_790_587_000_000, 1_790_587_120_000
    lines = src.slice([M1, "btc-updown-15m-1790587800"], t0, t1)
    books = books_of(lines)
    assert not any(crossed(b) for _, b in books)
    assert all(b["tick_size"] == "0.01" and not off_grid(b, Decimal("0.01")) for _, b in books)
    return Scenario(
        "normal", "clean_two_markets", "a clean slice: 2 markets x 2 minutes, as recorded",
        [M1, "btc-updown-15m-1790587800"], (t0, t1), lines,
        ["none: the lines of the two markets received in the window, unchanged"],
        base_expected(lines), "nothing to detect: every book is admitted with freshness OK",
        observable={"books_by_market": dict(sorted(Counter(b["market"] for _, b in books).items()))},
    )


def warning_stale(src: Source) -> Scenario:
    """A 20 s delivery stall: the books of the stall are received in one burst at its end."""
    budget_ms = DEFAULT_BUDGETS.ws_market_ms
    t0, t1 = 1_790_588_900_000, 1_790_588_960_000
    stall0, stall1 = t0 + 20_000, t0 + 40_000
    lines = src.slice([M3], t0, t1)
    changes = []
    for ln in lines:
        if stall0 <= ln.recv_ms < stall1:
            changes.append({"source_line": ln.src, "recv_ms": [ln.recv_ms, stall1]})
            ln.recv_ms = stall1
    # Receive order is kept: the burst sits at stall1, before the books received at >= stall1 (stable).
    lines.sort(key=lambda ln: ln.recv_ms)
    ages = [ln.recv_ms - int(b["timestamp"]) for ln, b in books_of(lines)]
    warn = sum(age > budget_ms for age in ages)
    expected = base_expected(lines)
    expected["freshness_warn"] = warn
    warn_hashes = [hashlib.sha256(ln.frame.encode()).hexdigest() for ln, b in books_of(lines)
                   if ln.recv_ms - int(b["timestamp"]) > budget_ms]
    assert monitor_findings(lines, budget_ms) == {dq.STALE: warn_hashes}
    return Scenario(
        "warning", "stale_book", "books older than their freshness budget (a 20 s delivery stall)",
        [M3], (t0, t1), lines,
        [f"the books received in [{stall0}, {stall1}) are received at {stall1} instead (recv_ms only; "
         "frames unchanged): receive time up to 20 s after the venue timestamp",
         f"freshness budget of market-channel books: FreshnessBudgets.ws_market_ms = {budget_ms} ms (default)"],
        expected,
        "gov.data_quality_monitor: a WARN DataQualityFinding GOV_DQ_STALE_BOOK per book older than its "
        "freshness budget (observed age_ms, budget budget_ms); S2 admits the books with freshness.quality = WARN; "
        "risk.stale_book acts at S7",
        changes=changes,
        observable={"books_older_than_budget": warn, "max_age_ms": max(ages), "budget_ms": budget_ms,
                    "flagged_provenance_hashes": warn_hashes},
    )


def _touch_window(src: Source, slug: str, t0: int, t1: int) -> tuple[list[Line], list[tuple[Line, dict]]]:
    lines = src.slice([slug], t0, t1)
    up = src.token(slug, "Up")
    chosen = [(ln, b) for ln, b in books_of(lines) if b["asset_id"] == up and t0 + 10_000 <= ln.recv_ms < t0 + 20_000]
    return lines, chosen


def warning_wide_spread(src: Source) -> Scenario:
    t0, t1 = 1_790_588_800_000, 1_790_588_840_000
    lines, chosen = _touch_window(src, M3, t0, t1)
    for _, b in books_of(lines):
        assert b["bids"] and b["asks"] and best(b["asks"]) - best(b["bids"]) <= Decimal("0.02")
    changes, hashes = [], []
    for ln, b in chosen:
        bid, ask = best(b["bids"]), best(b["asks"])
        before = ask - bid
        b["bids"] = [lv for lv in b["bids"] if Decimal(lv["price"]) <= bid - Decimal("0.1")]
        b["asks"] = [lv for lv in b["asks"] if Decimal(lv["price"]) >= ask + Decimal("0.1")]
        assert b["bids"] and b["asks"]
        rewrite(ln, b)
        after = best(b["asks"]) - best(b["bids"])
        changes.append({"source_line": ln.src, "spread": [str(before), str(after)]})
        hashes.append(hashlib.sha256(ln.frame.encode()).hexdigest())
    spreads = [Decimal(c["spread"][1]) for c in changes]
    expected = base_expected(lines)
    assert monitor_findings(lines) == {dq.WIDE: hashes}  # >= 21 ticks > 10; every other book <= 2
    return Scenario(
        "warning", "wide_spread", "a very wide spread: the levels within 0.10 of the touch removed",
        [M3], (t0, t1), lines,
        ["the Up token's books received in the window's 10th-20th second: every bid level above "
         "best bid - 0.10 and every ask level below best ask + 0.10 removed (spread >= 0.21 instead of "
         "<= 0.02 in the whole window); hash recomputed (conversion rule)"],
        expected,
        f"gov.data_quality_monitor: a WARN DataQualityFinding GOV_DQ_WIDE_SPREAD per book whose spread is "
        f"over max_spread_ticks = {MONITOR.max_spread_ticks} ticks (S2 admits the books; their spread is in "
        "top_of_book spread_ticks too)",
        changes=changes,
        observable={"wide_books": len(chosen), "min_wide_spread": str(min(spreads)), "max_other_spread": "0.02",
                    "flagged_provenance_hashes": hashes},
    )


def warning_thin_touch(src: Source) -> Scenario:
    t0, t1 = 1_790_589_100_000, 1_790_589_140_000
    lines, chosen = _touch_window(src, M3, t0, t1)
    for _, b in books_of(lines):
        assert b["bids"] and b["asks"]
        assert min(Decimal(b["bids"][-1]["size"]), Decimal(b["asks"][-1]["size"])) >= MIN_ORDER_SIZE
    changes, hashes = [], []
    for ln, b in chosen:
        sizes = [b["bids"][-1]["size"], b["asks"][-1]["size"]]
        b["bids"][-1]["size"] = b["asks"][-1]["size"] = "1"
        rewrite(ln, b)
        changes.append({"source_line": ln.src, "best_sizes": [sizes, ["1", "1"]]})
        hashes.append(hashlib.sha256(ln.frame.encode()).hexdigest())
    expected = base_expected(lines)
    assert monitor_findings(lines) == {dq.DUST: hashes}
    return Scenario(
        "warning", "thin_touch", "a thin touch: 1 share at the best bid and ask (minimum order size 5)",
        [M3], (t0, t1), lines,
        ["the Up token's books received in the window's 10th-20th second: the size of the best bid and of "
         "the best ask set to \"1\" (below the market's minimum_order_size 5; every other book of the window "
         "has >= 5 at both touches); hash recomputed (conversion rule)"],
        expected,
        "gov.data_quality_monitor: a WARN DataQualityFinding GOV_DQ_DUST per book whose best bid or best ask "
        "size is below the market's min_order_size (S2 admits the books as sent)",
        changes=changes,
        observable={"thin_books": len(chosen), "flagged_provenance_hashes": hashes},
    )


def hard_crossed(src: Source) -> Scenario:
    t0, t1 = 1_790_601_595_000, 1_790_601_620_000
    lines = src.slice([M15], t0, t1)
    bad = [ln.src for ln, b in books_of(lines) if crossed(b)]
    assert bad == [35121, 35122, 35123, 35124, 35125, 35126], bad
    return Scenario(
        "hard", "crossed_book", "crossed and locked books, as recorded",
        [M15], (t0, t1), lines,
        ["none: the recording's own crossed (best bid 0.51 > best ask 0.47, and its Down twin) and locked "
         "(0.48 / 0.48, twice, with their Down twins) books, in a 25 s slice of one market"],
        base_expected(lines, GOV_DQ_CROSSED_BOOK=len(bad)),
        "GOV_DQ_CROSSED_BOOK (S2 book normaliser)",
        observable={"crossed_or_locked_source_lines": bad},
    )


def hard_tick_change(src: Source) -> Scenario:
    """The real 0.01 -> 0.001 change of M0, then a synthetic change back to 0.01."""
    t_fine = 1_790_586_472_904  # the recording's tick_size_change of both M0 tokens (lines 1392, 1394)
    t0, t1 = t_fine - 10_000, t_fine + 40_000
    t_coarse = t_fine + 20_000
    lines = src.slice([M0], t0, t1)
    assert [ln.src for ln in lines if '"tick_size_change"' in ln.frame] == [1392, 1394]
    out: list[Line] = []
    changes: list[dict[str, Any]] = []
    announced: set[str] = set()
    off_old, stripped = 0, None
    for ln in lines:
        if '"event_type":"book"' not in ln.frame:
            out.append(ln)
            continue
        b = ln.obj
        tok = b["asset_id"]
        if ln.recv_ms >= t_coarse:
            if tok not in announced:
                announced.add(tok)
                msg = {"asset_id": tok, "event_type": "tick_size_change", "market": b["market"],
                       "new_tick_size": "0.01", "old_tick_size": "0.001", "timestamp": str(ln.recv_ms)}
                out.append(Line(None, ln.recv_ms, compact(msg)))
                changes.append({"inserted_before_source_line": ln.src, "frame": "tick_size_change 0.001 -> 0.01"})
            assert b["tick_size"] == "0.001"
            b["tick_size"] = "0.01"
            rewrite(ln, b, rehash=False)  # tick_size is not part of the hash
            off_old += off_grid(b, Decimal("0.01"))
            changes.append({"source_line": ln.src, "tick_size": ["0.001", "0.01"],
                            "off_the_0.01_grid": off_grid(b, Decimal("0.01"))})
        elif stripped is None and b["tick_size"] == "0.001" and off_grid(b, Decimal("0.01")):
            del b["tick_size"]
            rewrite(ln, b, rehash=False)
            stripped = ln.src
            changes.append({"source_line": ln.src, "tick_size": ["0.001", "(key removed)"]})
        out.append(ln)
    assert len(announced) == 2 and stripped is not None and off_old > 0
    fine_books = sum(1 for ln, b in books_of(out) if b.get("tick_size") == "0.001")
    expected = base_expected(out, GOV_DQ_OFF_TICK=off_old)
    return Scenario(
        "hard", "tick_size_change", "a tick-size change in mid-session, and the grid moving back",
        [M0], (t0, t1), out,
        [f"kept: the recording's tick_size_change 0.01 -> 0.001 of both tokens at {t_fine} (lines 1392, 1394) "
         "and the books after it, which carry tick_size 0.001",
         f"inserted: a tick_size_change 0.001 -> 0.01 of each token just before its first book received at or "
         f"after {t_coarse}; from there every book of the token carries tick_size \"0.01\" (levels unchanged): "
         "a book still holding 0.001-grid prices holds orders on the old grid, which the new tick makes invalid",
         f"the first book on the 0.001 grid before {t_coarse} loses its tick_size key (venue frames may omit it): "
         "its tick must then come from the last tick_size_change, 0.001"],
        expected,
        "GOV_DQ_OFF_TICK on each book holding old-grid prices after the change back (S2 book normaliser); S2 "
        "applies each token's tick_size_change to the tick map of its later books, so the book without tick_size "
        "is checked on the 0.001 grid its token moved to and admitted; the registry fold (TokenState) moves each "
        "token to the new tick at the change's time",
        changes=changes,
        observable={"tick_size_changes": 4, "books_on_fine_tick": fine_books,
                    "books_off_the_0.01_grid_after_change_back": off_old, "book_without_tick_size": stripped},
    )


def hard_resolved(src: Source) -> Scenario:
    """M1's market_resolved frame received 5 minutes before its end, books continuing after it."""
    res_src = 4727
    res = src.line(res_src)
    obj = res.obj
    assert obj["event_type"] == "market_resolved" and obj["market"] == src.cid[M1]
    t_res = 1_790_587_500_000  # end_ts - 300 s
    t0, t1 = t_res - 30_000, t_res + 30_000
    lines = src.slice([M1], t0, t1)
    obj["timestamp"] = str(t_res)
    res.recv_ms = t_res
    rewrite(res, obj)
    at = next(i for i, ln in enumerate(lines) if ln.recv_ms >= t_res)  # before the first book at/after t_res
    lines.insert(at, res)
    after = books_of(lines[at + 1 :])
    expected = base_expected(lines, GOV_DQ_MARKET_RESOLVED=len(after))
    return Scenario(
        "hard", "resolved_mid_session", "a market resolved in mid-session, its books continuing",
        [M1], (t0, t1), lines,
        [f"the market's market_resolved frame (source line {res_src}, received {src.line(res_src).recv_ms} = "
         f"end + 90 s) moved to {t_res} = end - 300 s (recv_ms and timestamp), winner unchanged; the books "
         f"of the market keep arriving after it ({len(after)} books)"],
        expected,
        "GOV_DQ_MARKET_RESOLVED (S2 admission: a book received at or after its market's market_resolved "
        "frame is set aside; the resolution itself is normalised to a MarketResolution)",
        changes=[{"source_line": res_src, "moved_to_recv_ms": t_res, "inserted_before_source_line": lines[at + 1].src}],
        observable={"resolution_ts_ms": t_res, "books_after_resolution": len(after)},
    )


def hard_venue_hash(src: Source) -> Scenario:
    t0, t1 = 1_790_589_200_000, 1_790_589_230_000
    lines = src.slice([M3], t0, t1)
    books = books_of(lines)
    chosen = books[10:15]
    changes, hashes = [], []
    for ln, b in chosen:
        old = b["bids"][-1]["size"]
        b["bids"][-1]["size"] = format(Decimal(old) + 1, "f")
        rewrite(ln, b, rehash=False)
        assert b["hash"] != stand_in_hash(b)
        changes.append({"source_line": ln.src, "best_bid_size": [old, b["bids"][-1]["size"]]})
        hashes.append(hashlib.sha256(ln.frame.encode()).hexdigest())
    expected = base_expected(lines, GOV_DQ_HASH_MISMATCH=len(chosen))
    return Scenario(
        "hard", "venue_hash_mismatch", "the venue hash does not match the book",
        [M3], (t0, t1), lines,
        ["the 11th-15th books of the window: best bid size + 1 share, the frame's hash left as it was; "
         f"the hash follows the source day's rule ({HASH_RULE}: sha1 of the compact JSON {{market, asset_id, "
         "timestamp, bids, asks}, see fixtures/README.md), declared in book_hash_rule, so S2 checks it"],
        expected,
        "GOV_DQ_HASH_MISMATCH (S2 book normaliser, with the rule the day declares: SCENARIO.json book_hash_rule, "
        "written into the replay day's MANIFEST.json; polytraders.adapters.polymarket.book_hash): a book whose "
        "sent hash differs from the rule's digest is set aside. Only a declared rule is checked: the venue's "
        "live rule is not reproducible (py-clob-client generate_orderbook_summary_hash: sha1 of the compact JSON "
        "{market, asset_id, timestamp, hash: \"\", bids, asks, min_order_size, tick_size, neg_risk, "
        "last_trade_price} needs fields a market-channel book frame lacks, and is reported not to reproduce "
        "live websocket hashes: Polymarket/py-clob-client-v2#117, Polymarket/rs-clob-client#225)",
        changes=changes,
        observable={"books_with_mismatching_hash": len(chosen), "mismatching_provenance_hashes": hashes},
    )


def dead_windows(recv: list[int], budget_ms: int, window_ms: int = 60_000) -> list[int]:
    """Starts of the windows whose longest data silence exceeds ``budget_ms`` (FeedHealth's rule,
    written out: in each window, the gaps ending in it and the silence open at its end, which is the
    window's end or the last frame, whichever is earlier)."""
    first, last = recv[0], recv[-1]
    out = []
    for start in range(first // window_ms * window_ms, last // window_ms * window_ms + 1, window_ms):
        end = min(start + window_ms, last)
        before = [t for t in recv if t < start + window_ms]
        gaps = [b - a for a, b in zip([first, *recv], recv, strict=False) if start <= b < start + window_ms]
        silence = end - (before[-1] if before else first)
        if max([*gaps, silence]) > budget_ms:
            out.append(start)
    return out


def failure_gap(src: Source) -> Scenario:
    t0, t1 = 1_790_589_300_000, 1_790_589_600_000
    g0, g1 = t0 + 60_000, t0 + 240_000
    lines = src.slice([M3], t0, t1)
    dropped = [ln.src for ln in lines if g0 <= ln.recv_ms < g1]
    lines = [ln for ln in lines if not g0 <= ln.recv_ms < g1]
    recv = [ln.recv_ms for ln in lines]
    gap = max(b - a for a, b in zip(recv, recv[1:], strict=False))
    first_after = next(ln.recv_ms for ln in lines if ln.recv_ms >= g1)
    return Scenario(
        "failure", "feed_gap", "a feed gap: 3 minutes with no frame",
        [M3], (t0, t1), lines,
        [f"every line received in [{g0}, {g1}) removed ({len(dropped)} lines, source lines "
         f"{dropped[0]}-{dropped[-1]} of this market)"],
        base_expected(lines),
        "S2's FeedHealth (market channel, 60 s windows): the windows in which the feed was silent for longer "
        f"than the liveness budget (FreshnessBudgets.feed_liveness_ms = {DEFAULT_BUDGETS.feed_liveness_ms} ms) "
        "are not live (GOV_DQ_FEED_DEAD on the stream); the window where data resumes holds the whole gap",
        changes=[{"removed_source_lines": _ranges(dropped)}],
        observable={"gap_ms": gap, "first_recv_after_gap_ms": first_after,
                    "longest_gap_in_the_recording_ms": 61_182},
        feed_health={"channel": CHANNEL, "window_ms": 60_000, "liveness_budget_ms": DEFAULT_BUDGETS.feed_liveness_ms,
                     "dead_window_starts_ms": dead_windows(recv, DEFAULT_BUDGETS.feed_liveness_ms),
                     "longest_data_gap_ms": gap, "gap_ends_at_recv_ms": first_after},
    )


def failure_truncated(src: Source) -> Scenario:
    t0, t1 = 1_790_589_700_000, 1_790_589_730_000
    lines = src.slice([M4], t0, t1)
    books = books_of(lines)
    changes = []
    for ln, _ in books[5:8]:
        ln.frame = ln.frame[: len(ln.frame) // 2]
        changes.append({"source_line": ln.src, "frame": "first half kept"})
    ln = books[12][0]
    full = ln.text()
    ln.raw_line = full[: len(full) // 3]
    changes.append({"source_line": ln.src, "capture_line": "first third kept (the JSON line itself is cut)"})
    expected = base_expected(lines, GOV_DQ_MALFORMED_JSON=4)
    expected["books_admitted"] = len(books) - 4
    return Scenario(
        "failure", "truncated_frames", "truncated frames and a truncated capture line",
        [M4], (t0, t1), lines,
        ["the 6th-8th books of the window: the frame text cut to its first half (the capture line stays "
         "valid; the frame is not JSON)",
         "the 13th book: the capture line itself cut to its first third (what a crash mid-write leaves)"],
        expected,
        "GOV_DQ_MALFORMED_JSON (3 from the market-channel normaliser, 1 from the capture reader)",
        changes=changes,
    )


def failure_duplicated(src: Source) -> Scenario:
    t0, t1 = 1_790_589_800_000, 1_790_589_830_000
    lines = src.slice([M4], t0, t1)
    books = books_of(lines)
    changes = []
    for k in (4, 9, 14):
        orig = books[k][0]
        i = lines.index(orig) + 3
        dup = Line(orig.src, lines[i - 1].recv_ms, orig.frame)
        lines.insert(i, dup)
        changes.append({"source_line": orig.src, "received_again_at_recv_ms": dup.recv_ms})
    return Scenario(
        "failure", "duplicated_frames", "the same frame received twice",
        [M4], (t0, t1), lines,
        ["the 5th, 10th and 15th books of the window received again, byte for byte, two lines later "
         "(recv_ms of the line before it)"],
        base_expected(lines, GOV_DQ_DUPLICATE_FRAME=3),
        "GOV_DQ_DUPLICATE_FRAME (S2 admission: same token, source time and provenance hash; the first copy kept)",
        changes=changes,
    )


def failure_out_of_order(src: Source) -> Scenario:
    t0, t1 = 1_790_589_900_000, 1_790_589_930_000
    lines = src.slice([M4], t0, t1)
    up = src.token(M4, "Up")
    ups = [ln for ln, b in books_of(lines) if b["asset_id"] == up]
    changes = []
    for k in (3, 10, 17):
        a, b = ups[k], ups[k + 1]
        assert int(a.obj["timestamp"]) < int(b.obj["timestamp"])
        lines.remove(a)
        lines.insert(lines.index(b) + 1, a)
        changes.append({"source_line": a.src, "received_after_source_line": b.src, "recv_ms": [a.recv_ms, b.recv_ms]})
        a.recv_ms = b.recv_ms
    late = 0
    newest: dict[str, int] = {}
    for _, bk in books_of(lines):
        ts = int(bk["timestamp"])
        late += ts < newest.get(bk["asset_id"], 0)
        newest[bk["asset_id"]] = max(ts, newest.get(bk["asset_id"], 0))
    assert late == 3
    expected = base_expected(lines, GOV_DQ_OUT_OF_ORDER=late)
    return Scenario(
        "failure", "out_of_order_frames", "frames of a token received out of source-time order",
        [M4], (t0, t1), lines,
        ["three Up-token books of the window (its 4th, 11th and 18th) received just after the token's next "
         "book instead of before it, at that book's recv_ms (about 1 s late, within the freshness budget): "
         "the newer book arrives first"],
        expected,
        "GOV_DQ_OUT_OF_ORDER (S2 admission: a book whose source time is older than the newest of its "
        "token's earlier books, in receive order, is set aside)",
        changes=changes,
        observable={"books_older_than_their_token_newest": late},
    )


def failure_ts_seconds(src: Source) -> Scenario:
    t0, t1 = 1_790_590_000_000, 1_790_590_030_000
    lines = src.slice([M4], t0, t1)
    books = books_of(lines)
    changes = []
    for ln, b in books[6:9]:
        ms = b["timestamp"]
        b["timestamp"] = str(int(ms) // 1000)
        rewrite(ln, b)
        changes.append({"source_line": ln.src, "timestamp": [ms, b["timestamp"]]})
    ln = books[15][0]
    changes.append({"source_line": ln.src, "recv_ms": [ln.recv_ms, ln.recv_ms // 1000]})
    ln.raw_line = compact({"recv_ms": ln.recv_ms // 1000, "channel": CHANNEL, "frame": ln.frame})
    expected = base_expected(lines, GOV_DQ_TS_UNITS=4)
    expected["books_admitted"] = len(books) - 4
    return Scenario(
        "failure", "timestamp_in_seconds", "a timestamp in seconds where milliseconds are due",
        [M4], (t0, t1), lines,
        ["the 7th-9th books of the window: the venue timestamp in epoch seconds (ms // 1000); hash recomputed",
         "the 16th book: the capture line's recv_ms in epoch seconds"],
        expected,
        "GOV_DQ_TS_UNITS (3 from the market-channel normaliser, 1 from the capture reader)",
        changes=changes,
    )


def failure_price_units(src: Source) -> Scenario:
    t0, t1 = 1_790_590_100_000, 1_790_590_130_000
    lines = src.slice([M4], t0, t1)
    books = books_of(lines)
    changes = []
    for ln, b in books[4:7]:
        for side in ("bids", "asks"):
            for lv in b[side]:
                lv["price"] = format((Decimal(lv["price"]) * 100).normalize(), "f")
        rewrite(ln, b)
        changes.append({"source_line": ln.src, "prices": "x 100 (e.g. 0.55 -> 55)",
                        "best": [b["bids"][-1]["price"], b["asks"][-1]["price"]]})
    return Scenario(
        "failure", "price_in_cents", "prices in cents: 55 for 0.55",
        [M4], (t0, t1), lines,
        ["the 5th-7th books of the window: every price times 100, rendered shortest (\"0.55\" -> \"55\"); "
         "hash recomputed"],
        base_expected(lines, GOV_DQ_PRICE_RANGE=3),
        "GOV_DQ_PRICE_RANGE (S2 book normaliser: a price outside (0, 1))",
        changes=changes,
    )


SCENARIOS: list[Callable[[Source], Scenario]] = [
    normal_clean,
    warning_stale, warning_wide_spread, warning_thin_touch,
    hard_crossed, hard_tick_change, hard_resolved, hard_venue_hash,
    failure_gap, failure_truncated, failure_duplicated, failure_out_of_order,
    failure_ts_seconds, failure_price_units,
]


def _gzip(text: str) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    return buf.getvalue()


def write(sc: Scenario, src: Source, out: Path) -> Path:
    d = out / sc.cls / sc.name
    d.mkdir(parents=True, exist_ok=True)
    recv = [ln.recv_ms for ln in sc.lines]
    assert recv == sorted(recv), f"{sc.name}: lines not in receive order"
    sc.expected["findings"] = {code: len(h) for code, h in sorted(monitor_findings(sc.lines).items())}
    (d / CAPTURE_FILE).write_bytes(_gzip("".join(ln.text() + "\n" for ln in sc.lines)))
    (d / "markets.json").write_text(src.markets_page(sc.markets), encoding="utf-8")
    meta = {
        "scenario": f"{sc.cls}/{sc.name}",
        "class": sc.cls,
        "title": sc.title,
        "day": SOURCE_DAY,
        "book_hash_rule": src.hash_rule,
        "source": {
            "capture": f"fixtures/{SOURCE_DAY}/{CAPTURE_FILE}",
            "markets_json": f"fixtures/{SOURCE_DAY}/markets.json",
            "markets": sc.markets,
            "recv_ms_window": list(sc.window_ms),
            "selection": "the lines of these markets received in [window[0], window[1]), in file order",
            "lines": _ranges([ln.src for ln in sc.lines if ln.src is not None]),
        },
        "transformation": sc.transformation,
        "changes": sc.changes,
        "expected": sc.expected,
        "detected_by": sc.detected_by,
        "observable_today": sc.observable,
        "when_detected": sc.when_detected,
        **({"feed_health": sc.feed_health} if sc.feed_health is not None else {}),
        "lines_out": len(sc.lines),
        "license": LICENSE,
        "built_by": SCRIPT_PATH,
    }
    assert sc.detected_by.startswith(PENDING) == (sc.when_detected is not None), sc.name
    (d / "SCENARIO.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return d


def build(source: Path, out: Path) -> list[Path]:
    src = Source(source)
    if out.exists():
        for cls in ("normal", "warning", "hard", "failure"):
            shutil.rmtree(out / cls, ignore_errors=True)
    return [write(make(src), src, out) for make in SCENARIOS]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="the real fixture day")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "fixtures" / "pack", help="pack root")
    args = parser.parse_args(argv)
    for d in build(args.source, args.out):
        print(f"wrote {d}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
