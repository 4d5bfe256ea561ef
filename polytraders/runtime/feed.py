"""Feed liveness, separate from book age: per capture channel, when data frames arrived.

A feed is alive while data frames keep arriving: a channel silent (no data frame) for longer than
the run's ``FreshnessBudgets.feed_liveness_ms`` is dead, even if it answers every ``PING`` with a
``PONG`` — keep-alives never count as liveness of anyone's data. A book that is old because its
market is quiet, on a live feed, is not stale.

S2 produces two frames from the capture (vectorised):

- :func:`feed_health`: one FeedHealth row per channel and fixed window (``window_ms``, 60 s by
  default, aligned to the epoch), every window of the capture present: data frames, keep-alives,
  quarantined frames (the venue-error statistics later read by risk.api_degradation), the last
  data receive time, the longest data gap, ``live``.
- :func:`feed_receipts`: the distinct receive times of data frames per channel
  (:data:`RECEIPT_SCHEMA`), from which S7 takes "when did this channel last deliver data, at or
  before t" exactly, by an as-of join (the windows are too coarse for that).
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from polytraders.adapters.budgets import FreshnessBudgets
from polytraders.adapters.polymarket import market, user
from polytraders.contracts.frames import polars_schema

#: FeedHealth window length, ms.
WINDOW_MS = 60_000
#: S2's data receipts: one row per channel and distinct receive time of a data frame, sorted.
RECEIPT_SCHEMA = pl.Schema({"channel": pl.String, "receive_ts_ms": pl.Int64})
#: The channel of the market-data objects (books, deltas, trades) every token's data arrives on.
MARKET_CHANNEL = "market"
#: QuarantineRecord ``source`` -> capture channel, for the normalisers' own sources (S2 also
#: writes ``capture:<channel>`` for frames of a channel it does not replay).
_SOURCE_CHANNEL: Mapping[str, str] = {market.SOURCE: "market", user.SOURCE: "user"}
_KEEPALIVES = ("PING", "PONG")


def _is_keepalive() -> pl.Expr:
    return pl.col("frame").str.strip_chars().is_in(_KEEPALIVES)


def feed_receipts(capture: pl.DataFrame) -> pl.DataFrame:
    """Distinct (channel, receive time) of the data frames of ``capture`` (``read_capture`` form),
    sorted by channel then time (:data:`RECEIPT_SCHEMA`). Keep-alives are left out."""
    return (
        capture.filter(~_is_keepalive())
        .select("channel", receive_ts_ms="recv_ms")
        .unique()
        .sort("channel", "receive_ts_ms")
        .cast(dict(RECEIPT_SCHEMA))
    )


def _quarantine_channel(quarantine: pl.DataFrame) -> pl.DataFrame:
    """(channel, receive_ts_ms, provenance_hash) of the records that name a channel and a time."""
    source = pl.col("source")
    channel = (
        pl.when(source.str.starts_with("capture:")).then(source.str.strip_prefix("capture:"))
        .otherwise(source.replace_strict(dict(_SOURCE_CHANNEL), default=None, return_dtype=pl.String))
    )
    return (
        quarantine.select(channel.alias("channel"), "receive_ts_ms", "provenance_hash")
        .filter(pl.col("channel").is_not_null() & pl.col("receive_ts_ms").is_not_null())
        .unique()
    )


def feed_health(capture: pl.DataFrame, quarantine: pl.DataFrame, budgets: FreshnessBudgets,
                window_ms: int = WINDOW_MS) -> pl.DataFrame:
    """FeedHealth frame of ``capture`` (``read_capture`` form, every channel).

    Windows: ``[k·window_ms, (k+1)·window_ms)`` of receive time, from the window of the capture's
    first frame to that of its last (any channel), for every channel seen. Per channel and window:

    - ``data_frames`` / ``keepalive_frames``: frames received in the window that are not / are
      ``PING`` / ``PONG`` (after stripping whitespace);
    - ``quarantined_frames``: distinct (receive time, provenance hash) of ``quarantine`` records of
      the channel received in the window (``source`` ``polymarket.ws.market`` / ``.user`` or
      ``capture:<channel>``; a record without a receive time, such as a corrupt capture line, is
      not counted);
    - ``last_data_receive_ts_ms``: the last data frame received before the window's end (null
      before the channel's first);
    - ``longest_data_gap_ms``: max of the gaps ``t_i − t_(i−1)`` between consecutive data frames
      of the channel whose later frame is in the window (for the channel's first data frame, from
      the capture's first frame), and the open silence ``end − last data`` at the window's end
      (``end`` = the window's end or the capture's last frame, whichever is earlier);
    - ``live`` = ``longest_data_gap_ms <= budgets.feed_liveness_ms``.

    Integer ms arithmetic throughout. Rows by channel, then window. Raises ValueError for
    ``window_ms <= 0``.
    """
    if window_ms <= 0:
        raise ValueError(f"window_ms must be > 0, got {window_ms}")
    schema = polars_schema("FeedHealth")
    if capture.is_empty():
        return pl.DataFrame(schema=schema)
    first_ms, last_ms = int(capture["recv_ms"].min()), int(capture["recv_ms"].max())
    window = (pl.col("recv_ms") // window_ms) * window_ms
    windows = pl.int_range(first_ms // window_ms, last_ms // window_ms + 1, eager=True, dtype=pl.Int64) * window_ms
    grid = (
        capture.select(pl.col("channel").unique()).join(windows.alias("window_start_ms").to_frame(), how="cross")
        .sort("channel", "window_start_ms")
    )
    frames = capture.select("channel", "recv_ms", keepalive=_is_keepalive()).with_columns(window_start_ms=window)
    data = (
        frames.filter(~pl.col("keepalive")).sort("channel", "recv_ms")
        .with_columns(gap=pl.col("recv_ms") - pl.col("recv_ms").shift(1).over("channel").fill_null(first_ms))
    )
    counts = frames.group_by("channel", "window_start_ms").agg(
        data_frames=(~pl.col("keepalive")).sum(), keepalive_frames=pl.col("keepalive").sum(),
    )
    per_window = data.group_by("channel", "window_start_ms").agg(
        last_in_window=pl.col("recv_ms").max(), gap_in_window=pl.col("gap").max(),
    )
    errors = (
        _quarantine_channel(quarantine)
        .with_columns(window_start_ms=(pl.col("receive_ts_ms") // window_ms) * window_ms)
        .group_by("channel", "window_start_ms").agg(quarantined_frames=pl.len())
    )
    end = pl.min_horizontal(pl.col("window_start_ms") + window_ms, pl.lit(last_ms))
    last = pl.col("last_data_receive_ts_ms")
    out = (
        grid.join(counts, on=["channel", "window_start_ms"], how="left")
        .join(per_window, on=["channel", "window_start_ms"], how="left")
        .join(errors, on=["channel", "window_start_ms"], how="left")
        .sort("channel", "window_start_ms")
        .with_columns(last_data_receive_ts_ms=pl.col("last_in_window").forward_fill().over("channel"))
        .with_columns(
            longest_data_gap_ms=pl.max_horizontal(
                pl.col("gap_in_window").fill_null(0), end - last.fill_null(first_ms)
            ).clip(lower_bound=0),
        )
        .with_columns(
            window_ms=pl.lit(window_ms, dtype=pl.Int64),
            data_frames=pl.col("data_frames").fill_null(0).cast(pl.Int64),
            keepalive_frames=pl.col("keepalive_frames").fill_null(0).cast(pl.Int64),
            quarantined_frames=pl.col("quarantined_frames").fill_null(0).cast(pl.Int64),
            liveness_budget_ms=pl.lit(budgets.feed_liveness_ms, dtype=pl.Int64),
            live=pl.col("longest_data_gap_ms") <= budgets.feed_liveness_ms,
        )
    )
    return out.select(schema.names()).cast(dict(schema))
