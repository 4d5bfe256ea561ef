"""Frame form: dtypes generated from the published schemas, exact round trips, and validation
failures that name the object and column."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from polytraders.contracts import WIRE_MODELS, BookLevel, WireModel, frames
from polytraders.contracts.frames import (
    DECIMAL_DTYPE,
    FrameConversionError,
    FrameValidationError,
    SchemasNotFoundError,
    empty_frame,
    frame_schema,
    from_frame,
    polars_schema,
    to_frame,
    validate_frame,
)
from polytraders.contracts.schemas import UnknownWireObjectError

D = Decimal
LEVELS = pl.List(pl.Struct({"price": DECIMAL_DTYPE, "size": DECIMAL_DTYPE}))


@pytest.fixture
def books(make_book: Callable[..., Any]) -> pl.DataFrame:
    """A valid two-row OrderBookSnapshot frame."""
    return to_frame("OrderBookSnapshot", [make_book(), make_book(bids=(), asks=())])


@pytest.mark.parametrize("name", sorted(WIRE_MODELS))
def test_round_trip_when_samples_framed_then_validated_and_rebuilt_equal(
    name: str, samples: dict[str, list[WireModel]]
) -> None:
    df = to_frame(name, samples[name])
    assert df.height == len(samples[name])
    assert df.schema == polars_schema(name)
    validate_frame(name, df)
    assert from_frame(name, df) == samples[name]


def test_to_frame_when_book_then_nested_levels_and_freshness_are_typed(books: pl.DataFrame) -> None:
    assert books.schema["bids"] == LEVELS
    assert books.schema["asks"] == LEVELS
    assert books.schema["tick_size"] == DECIMAL_DTYPE
    assert books.schema["ts_ms"] == pl.Int64
    assert books.schema["freshness"] == pl.Struct(
        {
            "age_ms": pl.Int64,
            "budget_ms": pl.Int64,
            "provenance_hash": pl.String,
            "quality": pl.String,
            "receive_ts_ms": pl.Int64,
            "source_ts_ms": pl.Int64,
            "venue_hash": pl.String,
        }
    )
    first = books.row(0, named=True)
    assert first["asks"][0] == {"price": D("0.965"), "size": D("33.000001")}
    assert first["freshness"]["quality"] == "OK"
    assert books["bids"].list.len().to_list() == [2, 0]


def test_to_frame_when_instrument_optionals_are_none_then_null_struct_and_columns(
    make_instrument: Callable[..., Any],
) -> None:
    records = [make_instrument(), make_instrument(rewards=None, fees=None, category=None, end_ts_ms=None)]
    df = to_frame("InstrumentRecord", records)
    assert df.schema["tokens"] == pl.List(pl.Struct({"outcome": pl.String, "token_id": pl.String}))
    assert df.schema["rewards"] == pl.Struct({"max_spread_cents": DECIMAL_DTYPE, "min_size": DECIMAL_DTYPE})
    assert df.schema["neg_risk"] == pl.Boolean
    assert df["rewards"].is_null().to_list() == [False, True]
    assert df["fees"].is_null().to_list() == [False, True]
    assert df["end_ts_ms"].to_list()[1] is None
    validate_frame("InstrumentRecord", df)
    assert from_frame("InstrumentRecord", df) == records


def test_to_frame_when_vote_has_reason_codes_then_list_of_strings(
    samples: dict[str, list[WireModel]],
) -> None:
    df = to_frame("RiskVote", samples["RiskVote"])
    assert df.schema["reason_codes"] == pl.List(pl.String)
    assert df["reason_codes"].to_list() == [[], ["RISK_STALE_BOOK", "RISK_EXPOSURE"]]
    assert df["decision"].to_list() == ["APPROVE", "REJECT"]


def test_to_frame_when_envelope_payload_free_form_then_canonical_json_string(
    samples: dict[str, list[WireModel]],
) -> None:
    df = to_frame("ReportEnvelope", samples["ReportEnvelope"])
    assert df.schema["payload"] == pl.String
    assert df["payload"].to_list() == [
        '{"approved_size":"0","decision":"REJECT","nested":{"list":[1,2.5,null,true]}}',
        "{}",
    ]
    assert [envelope.payload for envelope in from_frame("ReportEnvelope", df)] == [
        json.loads(text) for text in df["payload"]
    ]


def test_to_frame_when_payload_holds_non_json_value_then_raises(samples: dict[str, list[WireModel]]) -> None:
    envelope = samples["ReportEnvelope"][0].model_copy(update={"payload": {"size": D("1.5")}})
    with pytest.raises(FrameConversionError, match=r"ReportEnvelope\.payload: free-form value is not plain JSON"):
        to_frame("ReportEnvelope", [envelope])


def test_to_frame_when_signal_value_float_then_float64(samples: dict[str, list[WireModel]]) -> None:
    df = to_frame("Signal", samples["Signal"])
    assert df.schema["value"] == pl.Float64
    assert df["value"].to_list() == [0.4213]


def test_to_frame_when_decimal_exceeds_scale_then_raises_naming_column_and_value(
    samples: dict[str, list[WireModel]], make_book: Callable[..., Any]
) -> None:
    estimate = samples["ExecutionEstimate"][0].model_copy(update={"fee_usdc": D("0.0487201")})
    with pytest.raises(FrameConversionError, match=r"ExecutionEstimate\.fee_usdc: decimal 0\.0487201 has more"):
        to_frame("ExecutionEstimate", [estimate])
    deep = make_book(asks=(BookLevel(price=D("0.99"), size=D("1.0000001")),))
    with pytest.raises(FrameConversionError, match=r"OrderBookSnapshot\.asks: decimal 1\.0000001 has more"):
        to_frame("OrderBookSnapshot", [deep])


def test_to_frame_when_extra_places_are_zeros_then_exact_and_kept(make_book: Callable[..., Any]) -> None:
    snapshot = make_book(asks=(BookLevel(price=D("0.9900000000"), size=D("1E+3")),))
    df = to_frame("OrderBookSnapshot", [snapshot])
    assert df["asks"].to_list() == [[{"price": D("0.99"), "size": D("1000")}]]
    rebuilt = from_frame("OrderBookSnapshot", df)[0]
    assert rebuilt == snapshot
    assert json.loads(rebuilt.model_dump_json())["asks"] == [{"price": "0.99", "size": "1000"}]


def test_to_frame_when_object_of_other_model_then_type_error(samples: dict[str, list[WireModel]]) -> None:
    with pytest.raises(TypeError, match=r"object 0 is a TradePrint"):
        to_frame("OrderBookSnapshot", samples["TradePrint"])


def test_frame_functions_when_name_unknown_then_raise() -> None:
    with pytest.raises(UnknownWireObjectError, match="BookLevel"):
        frame_schema("BookLevel")
    with pytest.raises(UnknownWireObjectError):
        to_frame("Nope", [])


@pytest.mark.parametrize("name", sorted(WIRE_MODELS))
def test_empty_frame_when_built_then_zero_rows_with_contract_dtypes(name: str) -> None:
    df = empty_frame(name)
    assert df.height == 0
    assert df.schema == polars_schema(name)
    assert to_frame(name, []).schema == df.schema
    validate_frame(name, df)
    assert from_frame(name, df) == []


def test_validate_when_partition_column_declared_then_date_column_accepted(books: pl.DataFrame) -> None:
    staged = books.with_columns(partition_day=pl.lit(date(2026, 9, 28)))
    validate_frame("OrderBookSnapshot", staged, partition_column="partition_day")
    assert "partition_day" in frame_schema("OrderBookSnapshot", partition_column="partition_day").columns
    assert len(from_frame("OrderBookSnapshot", staged)) == 2
    with pytest.raises(FrameValidationError) as undeclared:
        validate_frame("OrderBookSnapshot", staged)
    assert undeclared.value.columns == ["partition_day"]
    as_text = staged.with_columns(pl.col("partition_day").cast(pl.String))
    with pytest.raises(FrameValidationError, match="partition_day"):
        validate_frame("OrderBookSnapshot", as_text, partition_column="partition_day")


@pytest.mark.parametrize(
    ("column", "tamper", "check"),
    [
        ("ts_ms", pl.col("ts_ms").cast(pl.UInt64), "dtype('Int64')"),
        ("tick_size", pl.col("tick_size").cast(pl.Float64), "dtype('Decimal"),
        ("token_id", pl.lit(None, dtype=pl.String).alias("token_id"), "not_nullable"),
        ("ts_ms", pl.col("ts_ms") // 1000, "ts_ms >= 1000000000000"),
        ("ts_ms", pl.col("ts_ms") * 1000, "ts_ms < 100000000000000"),
        ("token_id", pl.lit("0xabc").alias("token_id"), "token_id matches ^[0-9]{1,78}$"),
        ("tick_size", pl.lit(D("1"), dtype=frames.DECIMAL_DTYPE).alias("tick_size"), "tick_size < 1"),
    ],
)
def test_validate_when_top_level_value_bad_then_error_names_object_and_column(
    books: pl.DataFrame, column: str, tamper: pl.Expr, check: str
) -> None:
    with pytest.raises(FrameValidationError) as caught:
        validate_frame("OrderBookSnapshot", books.with_columns(tamper))
    assert caught.value.object_name == "OrderBookSnapshot"
    assert caught.value.columns == [column]
    assert str(caught.value).startswith("OrderBookSnapshot frame failed validation:")
    assert f"column '{column}': {check}" in str(caught.value)


def _levels(price: str | None, size: str | None) -> pl.Series:
    """An ``asks`` column for the two-row ``books`` frame: one level per row."""
    level = {"price": None if price is None else D(price), "size": None if size is None else D(size)}
    return pl.Series("asks", [[level]] * 2, dtype=LEVELS)


@pytest.mark.parametrize(
    ("tamper", "check"),
    [
        (_levels("1.5", "1"), "asks[].price < 1"),
        (_levels("0.99", "-1"), "asks[].size >= 0"),
        (_levels(None, "1"), "asks[].price not null"),
    ],
)
def test_validate_when_nested_level_bad_then_error_names_column_and_path(
    books: pl.DataFrame, tamper: pl.Series, check: str
) -> None:
    with pytest.raises(FrameValidationError) as caught:
        validate_frame("OrderBookSnapshot", books.with_columns(tamper))
    assert caught.value.columns == ["asks"]
    assert f"column 'asks': {check} failed" in str(caught.value)


@pytest.mark.parametrize(
    ("field", "value", "check"),
    [
        ("quality", pl.lit("BAD"), "freshness.quality isin ['OK', 'WARN', 'HARD', 'FAIL']"),
        ("quality", pl.lit(None, dtype=pl.String), "freshness.quality not null"),
        ("source_ts_ms", pl.lit(1_727_500_000), "freshness.source_ts_ms >= 1000000000000"),
    ],
)
def test_validate_when_struct_field_bad_then_error_names_column_and_field(
    books: pl.DataFrame, field: str, value: pl.Expr, check: str
) -> None:
    tampered = books.with_columns(pl.col("freshness").struct.with_fields(value.alias(field)))
    with pytest.raises(FrameValidationError) as caught:
        validate_frame("OrderBookSnapshot", tampered)
    assert caught.value.columns == ["freshness"]
    assert f"column 'freshness': {check} failed" in str(caught.value)


def test_validate_when_nullable_struct_is_null_then_its_required_fields_are_not_checked(
    make_instrument: Callable[..., Any],
) -> None:
    df = to_frame("InstrumentRecord", [make_instrument(rewards=None, fees=None)])
    validate_frame("InstrumentRecord", df)
    too_few = df.with_columns(pl.col("tokens").list.head(1))
    with pytest.raises(FrameValidationError, match=r"column 'tokens': tokens items >= 2"):
        validate_frame("InstrumentRecord", too_few)


def test_validate_when_column_missing_then_error_names_it(books: pl.DataFrame) -> None:
    with pytest.raises(FrameValidationError) as caught:
        validate_frame("OrderBookSnapshot", books.drop("freshness"))
    assert caught.value.columns == ["freshness"]
    assert "column 'freshness': column_in_dataframe failed" in str(caught.value)


def test_from_frame_when_row_breaks_model_rule_then_raises_naming_row(books: pl.DataFrame) -> None:
    crossed = books.with_columns(pl.col("bids").list.reverse())
    validate_frame("OrderBookSnapshot", crossed)  # per-field checks pass; the model's book rule does not
    with pytest.raises(FrameConversionError, match=r"OrderBookSnapshot: row 0 is not a valid OrderBookSnapshot"):
        from_frame("OrderBookSnapshot", crossed)


def test_from_frame_when_column_missing_then_raises(books: pl.DataFrame) -> None:
    with pytest.raises(FrameConversionError, match=r"frame lacks columns \['ts_ms'\]"):
        from_frame("OrderBookSnapshot", books.drop("ts_ms"))


def test_load_specs_when_schemas_dir_has_no_manifest_then_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SchemasNotFoundError, match="run `polytraders contracts export`"):
        frames._load_specs(tmp_path)
