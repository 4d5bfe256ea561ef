"""polytraders.bots.inputs: the multi-reading Signal builder."""

from __future__ import annotations

import math

import polars as pl

from polytraders.bots.inputs import SIGNAL_SCHEMA, drop_repeats, signal_readings

COND = "0x" + "ab" * 32


def test_signal_readings_when_wide_rows_then_one_row_per_reading_in_row_then_reading_order() -> None:
    wide = pl.DataFrame({
        "condition_id": [COND, COND], "token_id": ["2", "1"], "ts_ms": [2_000, 1_000],
        "b": [1, 2], "a": [0.5, None], "other": ["x", "y"],
    })
    out = signal_readings(wide, "intel.x", {"a": "shares", "b": "ticks"})
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    assert out.rows() == [
        ("intel.x", COND, "2", 2_000, "a", 0.5, "shares"),
        ("intel.x", COND, "2", 2_000, "b", 1.0, "ticks"),
        ("intel.x", COND, "1", 1_000, "b", 2.0, "ticks"),  # a is null: no row
    ]


def test_signal_readings_when_values_not_finite_or_frame_empty_then_no_rows() -> None:
    wide = pl.DataFrame({"condition_id": [COND] * 2, "token_id": ["1"] * 2, "ts_ms": [1, 2],
                         "a": [math.nan, math.inf]})
    assert signal_readings(wide, "intel.x", {"a": "shares"}).height == 0
    empty = signal_readings(wide.clear(), "intel.x", {"a": "shares"})
    assert empty.height == 0
    assert empty.schema == pl.Schema(SIGNAL_SCHEMA)


def test_drop_repeats_when_readings_repeat_then_null_except_first_of_each_token_and_changes() -> None:
    frame = pl.DataFrame({
        "token_id": ["1", "1", "1", "1", "2", "2"],
        "a": [1.0, 1.0, None, 1.0, 1.0, 1.0],
        "b": [0.0, 0.0, 0.0, 3.0, 3.0, 3.0],
    })
    # a: row 1 repeats; row 2 null; row 3 1.0 after a null is new; row 4 first of token 2; row 5 repeats
    # b: rows 1, 2 repeat; row 3 changes; row 4 first of token 2; row 5 repeats
    assert frame.with_columns(drop_repeats(["a", "b"])).rows() == [
        ("1", 1.0, 0.0), ("1", None, None), ("1", None, None), ("1", 1.0, 3.0), ("2", 1.0, 3.0), ("2", None, None),
    ]
