"""polytraders.bots.inputs: the multi-reading Signal builder."""

from __future__ import annotations

import math

import polars as pl

from polytraders.bots.inputs import SIGNAL_SCHEMA, changed, signal_readings

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


def test_changed_when_readings_repeat_then_first_row_of_each_token_and_changes_only() -> None:
    frame = pl.DataFrame({
        "token_id": ["1", "1", "1", "1", "2", "2"],
        "a": [1.0, 1.0, None, None, None, None],
        "b": [0.0, 0.0, 0.0, 0.0, 0.0, 5.0],
    })
    # row 1 repeats row 0; row 2: a 1 -> null; row 3 repeats row 2 (null = null); row 4: new token; row 5: b changes
    assert frame.filter(changed(["a", "b"])).rows() == [
        ("1", 1.0, 0.0), ("1", None, 0.0), ("2", None, 0.0), ("2", None, 5.0),
    ]
