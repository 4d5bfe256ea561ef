"""polytraders.bots.token_rows: the listed tokens' rows, by token then time, equal to join + stable sort."""

from __future__ import annotations

import random

import polars as pl
import pytest

from polytraders.bots.token_rows import token_rows

A, B = "0x" + "aa" * 32, "0x" + "bb" * 32
TOKENS = pl.DataFrame({"condition_id": [A, A, B], "token_id": ["1", "2", "3"], "tok": [0, 1, 2],
                       "yes": [True, False, True]})


def frame(rows: list[tuple[str, str, int, int]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"condition_id": pl.String, "token_id": pl.String, "ts_ms": pl.Int64,
                                      "v": pl.Int64}, orient="row")  # fmt: skip


def reference(frame: pl.DataFrame, tokens: pl.DataFrame) -> pl.DataFrame:
    """Inner join, then stable sort by the listing (``tok``), then ts_ms."""
    joined = frame.join(tokens, on=["condition_id", "token_id"], how="inner", maintain_order="left_right")
    return joined.sort("tok", "ts_ms", maintain_order=True).select("tok", "yes", "ts_ms", "v")


def test_token_rows_when_sorted_then_rows_as_they_are_with_attributes() -> None:
    # token 1: ts 1, 2 (v 10, 11); token 3: ts 5 (v 30); token 9 is not listed → left out
    rows = frame([(A, "1", 1, 10), (A, "1", 2, 11), (B, "3", 5, 30), (B, "9", 6, 90)])
    out = token_rows(rows, TOKENS, ["v"])
    assert out.rows() == [(0, True, 1, 10), (0, True, 2, 11), (2, True, 5, 30)]
    assert out.columns == ["tok", "yes", "ts_ms", "v"]


def test_token_rows_when_interleaved_or_time_reversed_then_sorted_by_token_then_time() -> None:
    # token 2's rows are not consecutive, token 1's time goes back: the frame is sorted (stable)
    rows = frame([(A, "2", 3, 20), (A, "1", 2, 11), (A, "2", 3, 21), (A, "1", 1, 10), (A, "2", 1, 22)])
    out = token_rows(rows, TOKENS, ["v"])
    assert out.select("tok", "ts_ms", "v").rows() == [(0, 1, 10), (0, 2, 11), (1, 1, 22), (1, 3, 20), (1, 3, 21)]


def test_token_rows_when_key_listed_twice_or_condition_differs_then_as_the_join() -> None:
    # token "1" listed twice (tok 0 and 5) → its rows twice; token "3" under condition A is not (B, "3")
    tokens = pl.concat([TOKENS, pl.DataFrame({"condition_id": [A], "token_id": ["1"], "tok": [5], "yes": [False]})])
    rows = frame([(A, "1", 1, 10), (A, "1", 2, 11), (A, "3", 2, 99), (B, "3", 4, 30)])
    out = token_rows(rows, tokens, ["v"])
    assert out.select("tok", "ts_ms", "v").rows() == [(0, 1, 10), (0, 2, 11), (5, 1, 10), (5, 2, 11), (2, 4, 30)]


def test_token_rows_when_expression_columns_then_evaluated_on_the_frame() -> None:
    out = token_rows(frame([(A, "1", 1, 10)]), TOKENS, [(pl.col("v") * 2).alias("twice")])
    assert out.rows() == [(0, True, 1, 20)]


def test_token_rows_when_empty_then_typed_empty() -> None:
    out = token_rows(frame([]), TOKENS, ["v"])
    assert out.height == 0
    assert out.schema == pl.Schema({"tok": pl.Int64, "yes": pl.Boolean, "ts_ms": pl.Int64, "v": pl.Int64})


@pytest.mark.parametrize("seed", range(5))
def test_token_rows_when_random_frames_then_equal_to_join_and_stable_sort(seed: int) -> None:
    rng = random.Random(seed)
    keys = [(A, "1"), (A, "2"), (B, "3"), (B, "4"), (A, "3")]
    rows = frame([(*rng.choice(keys), rng.randrange(5), i) for i in range(60)])
    if seed % 2:  # sorted frames take the no-sort path
        rows = rows.sort("token_id", "condition_id", "ts_ms", maintain_order=True)
    out = token_rows(rows, TOKENS, ["v"])
    assert out["tok"].rle_id().max() + 1 == out["tok"].n_unique()  # each token's rows consecutive
    assert out.sort("tok", maintain_order=True).equals(reference(rows, TOKENS))
