"""Published JSON Schemas of the wire objects: export, verify, and validate payloads.

``schemas/`` (next to the ``polytraders`` package) holds one Draft 2020-12 schema per wire
object, ``<Name>.schema.json``, exported from the pydantic model in serialization mode (the wire
form: decimals as strings), plus ``manifest.json``, the single source of truth::

    {"manifest_version": "1.0.0",
     "objects": [{"name", "version", "file", "$id", "sha256"}, ...]}   # sorted by name

Files are rendered deterministically (sorted keys, 2-space indent, trailing newline), so a
re-export of unchanged models is byte-identical and :func:`verify` can compare bytes.

Decimal strings carry their bounds as ``formatMinimum`` / ``formatExclusiveMinimum`` /
``formatMaximum`` / ``formatExclusiveMaximum`` (see
:data:`polytraders.contracts.types.DECIMAL_BOUND_KEYWORDS`); :func:`validate_payload` enforces
them on top of Draft 2020-12.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, SchemaError, ValidationError, validators

from polytraders.contracts import WIRE_MODELS, WireModel
from polytraders.contracts.reason_codes import REASON_CODE_PATTERN, invalid_codes
from polytraders.contracts.types import DECIMAL_BOUND_KEYWORDS

#: ``schemas/`` at the repository root (``polytraders/../schemas``).
SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"
MANIFEST_FILE = "manifest.json"
MANIFEST_VERSION = "1.0.0"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
_ID_TEMPLATE = "https://polytraders.dev/schemas/{name}-{version}.schema.json"
_REQUIRED_KEYS = ("$id", "title", "description")
_ENTRY_KEYS = ("name", "version", "file", "$id", "sha256")


class UnknownWireObjectError(LookupError):
    """Raised when a name is not a wire object (not in ``WIRE_MODELS`` / the manifest)."""


def schema_file(name: str) -> str:
    """File name of the schema of wire object ``name``: ``<name>.schema.json``."""
    return f"{name}.schema.json"


def schema_id(name: str, version: str) -> str:
    """The ``$id`` of version ``version`` of wire object ``name``."""
    return _ID_TEMPLATE.format(name=name, version=version)


def render(document: dict[str, Any]) -> str:
    """Deterministic JSON text: sorted keys, 2-space indent, trailing newline."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def export_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of wire object ``name`` as its model exports it now.

    Serialization mode (the wire form), with ``$schema``, ``$id``, ``title`` and ``description``
    (the model docstring). Raises :class:`UnknownWireObjectError` for an unknown name.
    """
    model = _model(name)
    schema = model.model_json_schema(mode="serialization")
    schema["$schema"] = DRAFT_2020_12
    schema["$id"] = schema_id(name, model.SCHEMA_VERSION)
    schema["title"] = name
    schema["description"] = (model.__doc__ or "").strip()
    return schema


def _rendered_exports() -> dict[str, str]:
    return {name: render(export_schema(name)) for name in sorted(WIRE_MODELS)}


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_manifest(rendered: dict[str, str]) -> dict[str, Any]:
    """The manifest for rendered schema texts ``{name: text}`` (entries sorted by name)."""
    return {
        "manifest_version": MANIFEST_VERSION,
        "objects": [
            {
                "name": name,
                "version": WIRE_MODELS[name].SCHEMA_VERSION,
                "file": schema_file(name),
                "$id": schema_id(name, WIRE_MODELS[name].SCHEMA_VERSION),
                "sha256": _sha256(text),
            }
            for name, text in sorted(rendered.items())
        ],
    }


def export(schema_dir: Path = SCHEMAS_DIR) -> list[Path]:
    """Rewrite ``schema_dir`` from the models: every schema, the manifest; stale schemas removed.

    Returns the paths written (schemas sorted by name, then the manifest).
    """
    schema_dir.mkdir(parents=True, exist_ok=True)
    rendered = _rendered_exports()
    expected = {schema_file(name) for name in rendered}
    for stale in schema_dir.glob("*.schema.json"):
        if stale.name not in expected:
            stale.unlink()
    written = []
    for name, text in rendered.items():
        path = schema_dir / schema_file(name)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    manifest_path = schema_dir / MANIFEST_FILE
    manifest_path.write_text(render(build_manifest(rendered)), encoding="utf-8")
    return [*written, manifest_path]


def load_manifest(schema_dir: Path = SCHEMAS_DIR) -> dict[str, Any]:
    """The parsed ``manifest.json`` of ``schema_dir``.

    Raises FileNotFoundError (with the fix in the message) when it is missing.
    """
    path = schema_dir / MANIFEST_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no schema manifest at {path}: run `polytraders contracts export`")
    return json.loads(path.read_text(encoding="utf-8"))


def verify(schema_dir: Path = SCHEMAS_DIR) -> list[str]:
    """Check the committed schemas against the models; return the problems (empty = green).

    Checks: manifest present and current; every model has a manifest entry and file, every
    entry a model and file, every file an entry; each schema is a valid Draft 2020-12 schema
    with ``$id`` / ``title`` / ``description``, equal byte for byte to the model's export, with
    the manifest's version, ``$id`` and sha256; every registered reason code fits the pattern.
    """
    problems = [f"reason code {code!r} does not match {REASON_CODE_PATTERN.pattern}" for code in invalid_codes()]
    try:
        manifest = load_manifest(schema_dir)
    except (FileNotFoundError, json.JSONDecodeError) as exc:
        return [f"manifest: {exc}", *problems]
    if manifest.get("manifest_version") != MANIFEST_VERSION:
        problems.append(f"manifest: manifest_version {manifest.get('manifest_version')!r} != {MANIFEST_VERSION!r}")
    objects = manifest.get("objects", [])
    complete = [isinstance(entry, dict) and all(key in entry for key in _ENTRY_KEYS) for entry in objects]
    problems += [f"manifest: entry {index} lacks one of {_ENTRY_KEYS}" for index, ok in enumerate(complete) if not ok]
    entries = {entry["name"]: entry for entry, ok in zip(objects, complete, strict=True) if ok}
    if list(entries) != sorted(entries):
        problems.append("manifest: objects are not sorted by name")
    unpublished = sorted(WIRE_MODELS.keys() - entries)
    problems += [f"{name}: model has no schema in the manifest" for name in unpublished]
    problems += [f"{name}: schema has no model" for name in sorted(entries.keys() - WIRE_MODELS)]
    listed = {entry["file"] for entry in entries.values()}
    problems += [
        f"{path.name}: schema file is not in the manifest"
        for path in sorted(schema_dir.glob("*.schema.json"))
        if path.name not in listed
    ]
    for name, entry in entries.items():
        problems += _entry_problems(name, entry, schema_dir)
    return problems


def _entry_problems(name: str, entry: dict[str, Any], schema_dir: Path) -> list[str]:
    path = schema_dir / entry["file"]
    if not path.is_file():
        return [f"{name}: manifest names {entry['file']}, which does not exist"]
    text = path.read_text(encoding="utf-8")
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        return [f"{name}: {entry['file']} is not valid JSON: {exc}"]
    problems = [f"{name}: schema lacks {key!r}" for key in _REQUIRED_KEYS if key not in schema]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        problems.append(f"{name}: not a valid Draft 2020-12 schema: {exc.message}")
    if _sha256(text) != entry["sha256"]:
        problems.append(f"{name}: sha256 of {entry['file']} does not match the manifest")
    if "$id" in schema and schema["$id"] != entry["$id"]:
        problems.append(f"{name}: $id {schema['$id']!r} != manifest $id {entry['$id']!r}")
    model = WIRE_MODELS.get(name)
    if model is None:
        return problems
    if entry["version"] != model.SCHEMA_VERSION:
        problems.append(f"{name}: version mismatch: manifest {entry['version']!r} != model {model.SCHEMA_VERSION!r}")
    if text != render(export_schema(name)):
        problems.append(f"{name}: committed schema differs from the model's export")
    return problems


_KeywordCheck = Callable[[Any, str, Any, dict[str, Any]], Iterator[ValidationError]]


def _decimal_bound(keyword: str, holds: Callable[[Decimal, Decimal], bool]) -> _KeywordCheck:
    def check(validator: Any, bound: str, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
        try:
            value = Decimal(instance) if isinstance(instance, str) else None
        except InvalidOperation:
            return  # not a decimal string: `pattern` reports it
        if value is not None and value.is_finite() and not holds(value, Decimal(bound)):
            yield ValidationError(f"{instance!r} violates {keyword} {bound}")

    return check


_BOUND_HOLDS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "gt": lambda value, bound: value > bound,
    "ge": lambda value, bound: value >= bound,
    "lt": lambda value, bound: value < bound,
    "le": lambda value, bound: value <= bound,
}

#: Draft 2020-12 plus enforcement of the decimal-string bound keywords.
PayloadValidator = validators.extend(
    Draft202012Validator,
    {keyword: _decimal_bound(keyword, _BOUND_HOLDS[key]) for key, keyword in DECIMAL_BOUND_KEYWORDS.items()},
)


def load_schema(name: str, schema_dir: Path = SCHEMAS_DIR) -> dict[str, Any]:
    """The committed schema of ``name``, located through the manifest.

    Raises :class:`UnknownWireObjectError` when the manifest does not list ``name``.
    """
    return json.loads(_schema_path(name, schema_dir).read_text(encoding="utf-8"))


def _schema_path(name: str, schema_dir: Path) -> Path:
    for entry in load_manifest(schema_dir)["objects"]:
        if entry["name"] == name:
            return schema_dir / entry["file"]
    raise UnknownWireObjectError(f"{name!r} is not a published wire object ({schema_dir / MANIFEST_FILE})")


@lru_cache(maxsize=64)
def _validator(path: Path, mtime_ns: int) -> Any:
    return PayloadValidator(json.loads(path.read_text(encoding="utf-8")))


def validate_payload(name: str, obj_json: dict[str, Any], schema_dir: Path = SCHEMAS_DIR) -> list[str]:
    """Validate a JSON-form payload (``model_dump(mode="json")`` shape) against the committed schema.

    Returns one ``"<json/path>: <message>"`` line per violation (``<root>`` for the object
    itself), sorted by path; empty when the payload fits. Raises :class:`UnknownWireObjectError`
    for a name the manifest does not list.
    """
    path = _schema_path(name, schema_dir)
    validator = _validator(path, path.stat().st_mtime_ns)
    return sorted(
        f"{'/'.join(str(part) for part in error.absolute_path) or '<root>'}: {error.message}"
        for error in validator.iter_errors(obj_json)
    )


def _model(name: str) -> type[WireModel]:
    try:
        return WIRE_MODELS[name]
    except KeyError:
        raise UnknownWireObjectError(f"{name!r} is not a wire object (see WIRE_MODELS)") from None
