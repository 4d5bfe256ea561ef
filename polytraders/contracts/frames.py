"""Frame form of the wire objects: pandera (polars) schemas generated from the published JSON Schemas.

At import, ``schemas/manifest.json`` and every committed ``<Name>.schema.json`` are read and
turned into one frame spec per wire object; there are no hand-written twin schemas. A frame
has one row per object and one column per top-level field (in the schema's property order,
i.e. alphabetical). JSON Schema -> polars dtype:

=====================================================  =========================================
JSON Schema                                            polars dtype (+ pandera checks)
=====================================================  =========================================
``string`` + ``format: decimal``                       ``Decimal(38, DECIMAL_SCALE)`` (+ decimal
                                                       bounds ``formatMinimum`` etc.)
``integer`` / ``number``                               ``Int64`` / ``Float64`` (+ ``minimum``,
                                                       ``maximum``, ``exclusive*``)
``string``                                             ``String`` (+ ``enum`` -> isin,
                                                       ``pattern`` -> regex, ``minLength``)
``boolean``                                            ``Boolean``
``object`` with properties / ``$ref`` to one           ``Struct`` of its fields, recursively
``object`` without properties (free-form, top level)   ``String`` holding canonical JSON (sorted
                                                       keys, no spaces, no NaN)
``array``                                              ``List(item dtype)`` (+ ``minItems``)
``anyOf [X, null]``                                    X, nullable
=====================================================  =========================================

Constraints inside structs and lists are checked element-wise (a field of a null struct and
the items of a null list are not checked); required nested fields must not be null. A stage
may add one ``pl.Date`` partition column (:func:`frame_schema` ``partition_column``).

Raises :class:`SchemasNotFoundError` at import when ``schemas/`` has no manifest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast

import pandera.polars as pa
import polars as pl
import pyarrow

from polytraders.contracts import WIRE_MODELS, WireModel
from polytraders.contracts.schemas import (
    SCHEMAS_DIR,
    UnknownWireObjectError,
    load_manifest,
    load_schema,
)
from polytraders.contracts.types import DECIMAL_BOUND_KEYWORDS, DECIMAL_SCALE

#: dtype of every decimal field in frame form.
DECIMAL_DTYPE = pl.Decimal(38, DECIMAL_SCALE)

_Kind = Literal["scalar", "decimal", "json", "struct", "list"]
_Predicate = Callable[[pl.Expr], pl.Expr]
_Lift = Callable[[_Predicate], pl.Expr]


class SchemasNotFoundError(FileNotFoundError):
    """Raised at import when ``schemas/manifest.json`` is missing."""


class FrameConversionError(ValueError):
    """Raised when objects cannot become a frame (or a frame objects) without loss."""


_EXAMPLE_CHARS = 160


class FrameValidationError(ValueError):
    """Raised by :func:`validate_frame`; names the object and every failing column.

    Attributes: ``object_name``; ``columns`` (failing column names, sorted); ``failure_cases``
    (pandera's failure-case frame: failure_case, schema_context, column, check, index; for a
    missing or undeclared column, ``column`` is that column rather than the schema name).
    """

    def __init__(self, object_name: str, failure_cases: pl.DataFrame) -> None:
        self.object_name = object_name
        frame_level = pl.col("schema_context") == "DataFrameSchema"
        failure_cases = failure_cases.with_columns(
            column=pl.when(frame_level).then(pl.col("failure_case")).otherwise(pl.col("column"))
        )
        self.failure_cases = failure_cases
        summary = (
            failure_cases.group_by("column", "check", maintain_order=True)
            .agg(pl.len().alias("rows"), pl.col("failure_case").first().alias("example"))
            .rows()
        )
        self.columns = sorted({str(column) for column, *_ in summary})
        lines = [
            f"  column {column!r}: {check} failed ({rows} case(s), e.g. {str(example)[:_EXAMPLE_CHARS]})"
            for column, check, rows, example in summary
        ]
        super().__init__(f"{object_name} frame failed validation:\n" + "\n".join(lines))


@dataclass(frozen=True, slots=True)
class _Constraint:
    """One value constraint: ``label`` (e.g. ``">= 0"``) and its element predicate."""

    label: str
    predicate: _Predicate


@dataclass(frozen=True, slots=True)
class _Node:
    """The frame form of one field: dtypes, nullability, constraints and children."""

    kind: _Kind
    dtype: pl.DataType
    arrow: pyarrow.DataType
    nullable: bool = False
    constraints: tuple[_Constraint, ...] = ()
    fields: tuple[tuple[str, _Node], ...] = ()
    item: _Node | None = None


_SCALARS: dict[str, tuple[pl.DataType, pyarrow.DataType]] = {
    "integer": (pl.Int64(), pyarrow.int64()),
    "number": (pl.Float64(), pyarrow.float64()),
    "string": (pl.String(), pyarrow.large_string()),
    "boolean": (pl.Boolean(), pyarrow.bool_()),
}
_NUMERIC_BOUNDS = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}
_DECIMAL_OPS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_DECIMAL_BOUNDS = {keyword: _DECIMAL_OPS[key] for key, keyword in DECIMAL_BOUND_KEYWORDS.items()}
_COMPARE: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    ">=": pl.Expr.ge,
    ">": pl.Expr.gt,
    "<=": pl.Expr.le,
    "<": pl.Expr.lt,
}


def _value_check(label: str, test: _Predicate) -> _Constraint:
    """A constraint that null values pass (nullness is checked separately)."""
    return _Constraint(label, lambda expr: test(expr).fill_null(True))


def _bound(op: str, value: Any, dtype: pl.DataType) -> _Constraint:
    literal = pl.lit(value, dtype=dtype)
    return _value_check(f"{op} {value}", lambda expr: _COMPARE[op](expr, literal))


def _constraints(schema: dict[str, Any], kind: _Kind, dtype: pl.DataType) -> tuple[_Constraint, ...]:
    found: list[_Constraint] = []
    if kind == "decimal":
        found += [_bound(op, Decimal(schema[key]), dtype) for key, op in _DECIMAL_BOUNDS.items() if key in schema]
        return tuple(found)
    found += [_bound(op, schema[key], dtype) for key, op in _NUMERIC_BOUNDS.items() if key in schema]
    if "enum" in schema:
        allowed = list(schema["enum"])
        found.append(_value_check(f"isin {allowed}", lambda expr: expr.is_in(allowed)))
    if "pattern" in schema:
        pattern = schema["pattern"]
        found.append(_value_check(f"matches {pattern}", lambda expr: expr.str.contains(pattern)))
    if "minLength" in schema:
        min_length = schema["minLength"]
        found.append(_value_check(f"length >= {min_length}", lambda expr: expr.str.len_chars() >= min_length))
    if "minItems" in schema:
        min_items = schema["minItems"]
        found.append(_value_check(f"items >= {min_items}", lambda expr: expr.list.len() >= min_items))
    return tuple(found)


def _node(schema: dict[str, Any], root: dict[str, Any], *, top_level: bool, where: str) -> _Node:
    """Translate one JSON Schema node (``where`` names it in errors) into its frame form."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return _node(root["$defs"][name], root, top_level=top_level, where=where)
    if "anyOf" in schema:
        options = [option for option in schema["anyOf"] if option.get("type") != "null"]
        if len(options) != 1 or len(schema["anyOf"]) != 2:
            raise ValueError(f"{where}: only anyOf [X, null] is supported, got {schema['anyOf']}")
        return replace(_node(options[0], root, top_level=top_level, where=where), nullable=True)
    kind = schema.get("type")
    if kind == "object" and schema.get("properties"):
        fields = tuple(
            (field, _node(sub, root, top_level=False, where=f"{where}.{field}"))
            for field, sub in schema["properties"].items()
        )
        dtype = pl.Struct({field: node.dtype for field, node in fields})
        arrow = pyarrow.struct([(field, node.arrow) for field, node in fields])
        return _Node("struct", dtype, arrow, fields=fields)
    if kind == "object":
        if not top_level:
            raise ValueError(f"{where}: free-form objects are supported only as top-level fields")
        return _Node("json", pl.String(), pyarrow.large_string())
    if kind == "array":
        item = _node(schema["items"], root, top_level=False, where=f"{where}[]")
        dtype = pl.List(item.dtype)
        constraints = _constraints(schema, "list", dtype)
        return _Node("list", dtype, pyarrow.large_list(item.arrow), constraints=constraints, item=item)
    if kind == "string" and schema.get("format") == "decimal":
        arrow = pyarrow.decimal128(38, DECIMAL_SCALE)
        return _Node("decimal", DECIMAL_DTYPE, arrow, constraints=_constraints(schema, "decimal", DECIMAL_DTYPE))
    if kind in _SCALARS:
        dtype, arrow = _SCALARS[kind]
        return _Node("scalar", dtype, arrow, constraints=_constraints(schema, "scalar", dtype))
    raise ValueError(f"{where}: unsupported JSON Schema construct {schema}")


def _column_checks(node: _Node, label: str, lift: _Lift, *, check_null: bool) -> list[pa.Check]:
    """pandera checks for ``node`` and everything below it; ``lift`` turns an element predicate
    into a per-row boolean expression."""
    checks = [_check(f"{label} {constraint.label}", lift(constraint.predicate)) for constraint in node.constraints]
    if check_null and not node.nullable:
        checks.append(_check(f"{label} not null", lift(pl.Expr.is_not_null)))
    for field, child in node.fields:
        checks += _column_checks(child, f"{label}.{field}", _struct_lift(lift, field), check_null=True)
    if node.item is not None:
        checks += _column_checks(node.item, f"{label}[]", _list_lift(lift), check_null=True)
    return checks


def _struct_lift(lift: _Lift, field: str) -> _Lift:
    def lifted(predicate: _Predicate) -> pl.Expr:
        return lift(lambda expr: pl.when(expr.is_null()).then(True).otherwise(predicate(expr.struct.field(field))))

    return lifted


def _list_lift(lift: _Lift) -> _Lift:
    def lifted(predicate: _Predicate) -> pl.Expr:
        return lift(lambda expr: expr.list.eval(predicate(pl.element())).list.all().fill_null(True))

    return lifted


def _check(name: str, expr: pl.Expr) -> pa.Check:
    return pa.Check(lambda data: data.lazyframe.select(expr), name=name, error=name)


@dataclass(frozen=True, slots=True)
class _Spec:
    """The frame form of one wire object: its model and ``(column, node)`` pairs."""

    model: type[WireModel]
    columns: tuple[tuple[str, _Node], ...]


def _load_specs(schema_dir: Path) -> dict[str, _Spec]:
    try:
        manifest = load_manifest(schema_dir)
    except FileNotFoundError as exc:
        raise SchemasNotFoundError(f"cannot build frame schemas: {exc}") from exc
    specs = {}
    for entry in manifest["objects"]:
        name = entry["name"]
        root = load_schema(name, schema_dir)
        columns = tuple(
            (field, _node(sub, root, top_level=True, where=f"{name}.{field}"))
            for field, sub in root["properties"].items()
        )
        specs[name] = _Spec(WIRE_MODELS[name], columns)
    return specs


_SPECS: dict[str, _Spec] = _load_specs(SCHEMAS_DIR)


def _spec(name: str) -> _Spec:
    try:
        return _SPECS[name]
    except KeyError:
        raise UnknownWireObjectError(f"{name!r} is not a published wire object") from None


@cache
def frame_schema(name: str, *, partition_column: str | None = None) -> pa.DataFrameSchema:
    """The pandera schema of wire object ``name`` in frame form.

    Strict: exactly the contract columns (one per top-level field) with their dtypes, plus,
    when ``partition_column`` is given, that column with dtype ``pl.Date`` (non-null).
    Raises :class:`UnknownWireObjectError` for an unknown name.
    """
    columns = {
        column: pa.Column(
            node.dtype,
            nullable=node.nullable,
            checks=_column_checks(node, column, lambda predicate, c=column: predicate(pl.col(c)), check_null=False),
        )
        for column, node in _spec(name).columns
    }
    if partition_column is not None:
        columns[partition_column] = pa.Column(pl.Date, nullable=False)
    return pa.DataFrameSchema(columns, strict=True, name=name)


def polars_schema(name: str) -> pl.Schema:
    """Column name -> polars dtype of the frame form of ``name`` (contract columns only)."""
    return pl.Schema({column: node.dtype for column, node in _spec(name).columns})


def empty_frame(name: str) -> pl.DataFrame:
    """A 0-row frame of ``name`` with the contract columns and dtypes."""
    return pl.DataFrame(schema=polars_schema(name))


def to_frame(name: str, objects: Sequence[WireModel]) -> pl.DataFrame:
    """Build the typed frame of ``objects`` (all instances of wire object ``name``): one row each.

    Objects are dumped in python mode and columns built in one pass through Arrow. Decimals
    stay exact: each becomes ``Decimal(38, DECIMAL_SCALE)``; a value with more significant
    decimal places raises :class:`FrameConversionError` naming the column and value (quantize
    it first). Free-form objects become canonical JSON strings; a value JSON cannot hold exactly
    (a Decimal, NaN, an object) raises :class:`FrameConversionError`. Raises ``TypeError`` for
    an object of another model.
    """
    spec = _spec(name)
    for index, obj in enumerate(objects):
        if not isinstance(obj, spec.model):
            raise TypeError(f"to_frame({name!r}): object {index} is a {type(obj).__name__}")
    rows = [obj.model_dump() for obj in objects]
    arrays = [_arrow_column(name, column, node, [row[column] for row in rows]) for column, node in spec.columns]
    table = pyarrow.table(arrays, names=[column for column, _ in spec.columns])
    return cast(pl.DataFrame, pl.from_arrow(table))


def _arrow_column(name: str, column: str, node: _Node, values: list[Any]) -> pyarrow.Array:
    if node.kind == "json":
        values = [None if value is None else _canonical_json(name, column, value) for value in values]
    try:
        return pyarrow.array(values, type=node.arrow)
    except (pyarrow.ArrowInvalid, pyarrow.ArrowTypeError, OverflowError) as exc:
        inexact = _first_inexact(values)
        if inexact is not None:
            raise FrameConversionError(
                f"{name}.{column}: decimal {inexact} has more than {DECIMAL_SCALE} decimal places "
                f"and would lose precision in the frame; quantize it first"
            ) from exc
        raise FrameConversionError(f"{name}.{column}: cannot convert to {node.dtype}: {exc}") from exc


def _canonical_json(name: str, column: str, value: Any) -> str:
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise FrameConversionError(f"{name}.{column}: free-form value is not plain JSON: {exc}") from exc


_QUANTUM = Decimal(1).scaleb(-DECIMAL_SCALE)


def _first_inexact(values: Any) -> Decimal | None:
    """The first Decimal in (nested) ``values`` that does not fit DECIMAL_SCALE, if any."""
    if isinstance(values, Decimal):
        return values if values.is_finite() and values != values.quantize(_QUANTUM) else None
    children = values.values() if isinstance(values, dict) else values if isinstance(values, list | tuple) else ()
    return next((found for child in children if (found := _first_inexact(child)) is not None), None)


def validate_frame(name: str, df: pl.DataFrame, *, partition_column: str | None = None) -> pl.DataFrame:
    """Validate ``df`` against :func:`frame_schema` (all checks, not just the first).

    Returns ``df`` unchanged; raises :class:`FrameValidationError` naming the object and each
    failing column (wrong or missing column, dtype, null, out-of-range or malformed value).
    """
    try:
        return frame_schema(name, partition_column=partition_column).validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise FrameValidationError(name, pl.DataFrame(exc.failure_cases)) from None


def from_frame(name: str, df: pl.DataFrame) -> list[WireModel]:
    """Rebuild the wire objects of a frame of ``name`` (other columns, e.g. a partition, ignored).

    Decimals come back in canonical form (no trailing zeros: ``0.500000`` -> ``0.5``), equal to
    the originals; free-form JSON columns are parsed. Raises :class:`FrameConversionError`
    naming a missing column or the first row that is not a valid object.
    """
    spec = _spec(name)
    missing = [column for column, _ in spec.columns if column not in df.columns]
    if missing:
        raise FrameConversionError(f"{name}: frame lacks columns {missing}")
    wire = df.select(_wire_expr(node, pl.col(column)).alias(column) for column, node in spec.columns)
    rows = wire.to_arrow().to_pylist()
    json_columns = [column for column, node in spec.columns if node.kind == "json"]
    objects = []
    for index, row in enumerate(rows):
        for column in json_columns:
            row[column] = None if row[column] is None else json.loads(row[column])
        try:
            objects.append(spec.model.model_validate(row))
        except ValueError as exc:
            raise FrameConversionError(f"{name}: row {index} is not a valid {name}: {exc}") from exc
    return objects


def _wire_expr(node: _Node, expr: pl.Expr) -> pl.Expr:
    """``expr`` with every decimal leaf as its canonical decimal string (others unchanged)."""
    if node.kind == "decimal":
        return expr.cast(pl.String).str.replace(r"(\.[0-9]*?)0+$", "${1}").str.strip_suffix(".")
    if node.kind == "list" and node.item is not None and _has_decimal(node.item):
        return expr.list.eval(_wire_expr(node.item, pl.element()))
    if node.kind == "struct" and _has_decimal(node):
        rebuilt = pl.struct([_wire_expr(child, expr.struct.field(field)).alias(field) for field, child in node.fields])
        return pl.when(expr.is_null()).then(None).otherwise(rebuilt)
    return expr


def _has_decimal(node: _Node) -> bool:
    children = [child for _, child in node.fields] + ([node.item] if node.item is not None else [])
    return node.kind == "decimal" or any(_has_decimal(child) for child in children)
