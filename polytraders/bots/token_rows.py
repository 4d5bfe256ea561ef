"""Rows of the listed tokens, by token then time, without joining or sorting a long frame twice.

Disc bots judge each market over the snapshots of its own tokens: the rows of a long frame
(``tops``: one row per top-of-book poll; millions on a universe day) whose (``condition_id``,
``token_id``) an instrument lists, each with the listing's attributes (market index, YES flag…).
An inner join on the two String keys hashes every row; sorting the result by token and time
sorts it again. The runtime already hands frames over by token, then time (see
:class:`~polytraders.bots.inputs.MarketData`), so :func:`token_rows` finds the runs of equal keys
(one comparison per row), joins only the runs' heads (one row per token) and gathers the rows of
the listed runs. It sorts (stable) only a frame that is not in that order.

Intel bots read every token, not a listing: :func:`keyed_rows` gives each token's rows on an
integer key (its position among the sorted token ids), sorting only a frame out of that order.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

KEYS = ["condition_id", "token_id"]


def _heads(rows: pl.DataFrame) -> pl.DataFrame | None:
    """``condition_id``, ``token_id``, ``start``, ``end`` (row offsets) of each run of equal keys, in
    row order; None when a key has several runs or ``ts_ms`` decreases inside a run."""
    new = pl.col("token_id").ne_missing(pl.col("token_id").shift()) | pl.col("condition_id").ne_missing(
        pl.col("condition_id").shift()
    )
    marks = rows.select(new.alias("new"), (pl.col("ts_ms") < pl.col("ts_ms").shift()).alias("back"))
    if (marks["back"] & ~marks["new"]).any():
        return None
    heads = rows.select(*KEYS).with_row_index("start").filter(marks["new"])
    if heads.select(pl.struct(KEYS).is_duplicated().any()).item():
        return None
    return heads.with_columns(pl.col("start").shift(-1, fill_value=rows.height).alias("end"))


def token_rows(frame: pl.DataFrame, tokens: pl.DataFrame, columns: Sequence[str | pl.Expr] = ()) -> pl.DataFrame:
    """The rows of ``frame`` whose (``condition_id``, ``token_id``) is a row of ``tokens``.

    ``frame`` has ``condition_id`` / ``token_id`` String and ``ts_ms`` Int64; ``tokens`` has the two
    keys and attribute columns (e.g. a token index, a market index, a YES flag). Returns the
    attribute columns of ``tokens``, ``ts_ms`` and ``columns`` (names or expressions evaluated on
    ``frame``): a listed token's rows are consecutive, in ``ts_ms`` order (ties: frame order). The
    same rows and values as an inner join of ``frame`` with ``tokens`` on the keys followed by a
    stable sort by token, then ``ts_ms`` (a key that ``tokens`` lists twice gives its rows twice,
    once per listing, one listing after the other; rows of keys ``tokens`` does not list, or with
    a null key, are left out).

    ``frame`` in that order already (each key's rows consecutive, ``ts_ms`` non-decreasing among
    them, as the runtime hands tops over) is not sorted, and its tokens come in the order of their
    first row; otherwise its selected columns are sorted (stable) by ``token_id``,
    ``condition_id``, ``ts_ms`` first, and its tokens come in that order.
    """
    attributes = [c for c in tokens.columns if c not in KEYS]
    rows = frame.select(*KEYS, "ts_ms", *columns)
    values = [c for c in rows.columns if c not in KEYS]
    heads = _heads(rows)
    if heads is None:
        rows = rows.sort("token_id", "condition_id", "ts_ms", maintain_order=True)
        heads = _heads(rows)
        assert heads is not None  # sorted: one run per key, in time order
    picked = heads.join(tokens, on=KEYS, how="inner", maintain_order="left_right")
    index = picked.select(*attributes, pl.int_ranges("start", "end", dtype=pl.UInt32).alias("_row")).explode("_row")
    if picked.height == heads.height and picked["start"].equals(heads["start"]):
        taken = rows.select(values)  # every run listed once: the rows as they are, no gather
    else:
        taken = rows.select(pl.col(values).gather(index["_row"]))
    return pl.concat([index.drop("_row"), taken], how="horizontal")


def keyed_rows(frame: pl.DataFrame, columns: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every token's rows of ``frame`` on an integer token key (intel bots): ``(rows, tokens)`` of
    ``frame`` (``condition_id``, ``token_id`` String, ``ts_ms`` Int64, ...).

    ``rows``: ``_tok`` UInt32, ``ts_ms`` and ``columns``, sorted stably by ``token_id``, ``ts_ms``;
    ``_tok`` is the token's position in ``tokens`` (``_tok``, ``condition_id``, ``token_id``, one
    row per token in ``token_id`` order), so joins and window operations run on an integer key
    over a sorted frame and the string ids are gathered back only for the rows a bot emits. The
    runtime hands bots frames in that order already: checking it costs one pass, far less than
    sorting long string keys again, so an ordered frame is not sorted."""
    selected = frame.select("condition_id", "token_id", "ts_ms", *columns)
    tok = pl.col("token_id").rle_id().alias("_tok")
    keyed = selected.with_columns(tok) if selected["token_id"].is_sorted() else None
    in_time_order = (pl.col("ts_ms") >= pl.col("ts_ms").shift(1)) | (pl.col("_tok") != pl.col("_tok").shift(1))
    if keyed is None or not keyed.select(in_time_order.slice(1).all()).item():
        keyed = selected.sort("token_id", "ts_ms", maintain_order=True).with_columns(tok)
    tokens = keyed.filter(pl.col("_tok").ne_missing(pl.col("_tok").shift(1))).select("_tok", "condition_id", "token_id")
    return keyed.select("_tok", "ts_ms", *columns), tokens
