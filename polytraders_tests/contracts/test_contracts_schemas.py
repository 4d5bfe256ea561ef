"""Published JSON Schemas: export determinism, verify (green, and red on each kind of tampering),
and payload validation against the committed schemas."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from polytraders.contracts import WIRE_MODELS, WireModel, reason_codes
from polytraders.contracts.reason_codes import REASON_CODE_PATTERN, REGISTRY, ReasonCodeInfo
from polytraders.contracts.schemas import (
    DRAFT_2020_12,
    MANIFEST_FILE,
    SCHEMAS_DIR,
    UnknownWireObjectError,
    export,
    export_schema,
    load_manifest,
    render,
    validate_payload,
    verify,
)
from polytraders.contracts.types import Severity


@pytest.fixture
def schema_copy(tmp_path: Path) -> Path:
    """A scratch copy of the committed ``schemas/`` to tamper with."""
    return Path(shutil.copytree(SCHEMAS_DIR, tmp_path / "schemas"))


def _write_json(path: Path, document: dict) -> None:
    path.write_text(render(document), encoding="utf-8")


def _set_manifest_sha(schema_dir: Path, name: str) -> None:
    """Make the manifest agree with the (tampered) file, so only the tampering itself shows."""
    manifest = load_manifest(schema_dir)
    for entry in manifest["objects"]:
        if entry["name"] == name:
            entry["sha256"] = hashlib.sha256((schema_dir / entry["file"]).read_bytes()).hexdigest()
    _write_json(schema_dir / MANIFEST_FILE, manifest)


def test_verify_when_committed_schemas_match_models_then_no_problems() -> None:
    assert verify() == []


def test_export_when_run_twice_then_byte_identical_to_committed(tmp_path: Path) -> None:
    written = export(tmp_path)
    assert [path.name for path in written] == [f"{name}.schema.json" for name in sorted(WIRE_MODELS)] + [MANIFEST_FILE]
    for path in written:
        assert path.read_bytes() == (SCHEMAS_DIR / path.name).read_bytes(), path.name
    assert verify(tmp_path) == []


def test_export_when_stale_schema_present_then_removed(schema_copy: Path) -> None:
    (schema_copy / "Retired.schema.json").write_text("{}\n", encoding="utf-8")
    export(schema_copy)
    assert not (schema_copy / "Retired.schema.json").exists()
    assert verify(schema_copy) == []


@pytest.mark.parametrize("name", sorted(WIRE_MODELS))
def test_export_schema_when_model_exported_then_has_id_title_description_and_is_valid(name: str) -> None:
    schema = export_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DRAFT_2020_12
    assert schema["$id"] == f"https://polytraders.dev/schemas/{name}-{WIRE_MODELS[name].SCHEMA_VERSION}.schema.json"
    assert schema["title"] == name
    assert schema["description"] == WIRE_MODELS[name].__doc__.strip()


def test_manifest_when_committed_then_sorted_entries_with_sha_of_each_file() -> None:
    manifest = load_manifest()
    names = [entry["name"] for entry in manifest["objects"]]
    assert names == sorted(WIRE_MODELS)
    for entry in manifest["objects"]:
        text = (SCHEMAS_DIR / entry["file"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(text).hexdigest()
        assert entry["version"] == WIRE_MODELS[entry["name"]].SCHEMA_VERSION
    assert (SCHEMAS_DIR / MANIFEST_FILE).read_text().endswith("}\n")


def test_verify_when_schema_file_deleted_then_names_missing_file(schema_copy: Path) -> None:
    (schema_copy / "OrderBookSnapshot.schema.json").unlink()
    assert verify(schema_copy) == [
        "OrderBookSnapshot: manifest names OrderBookSnapshot.schema.json, which does not exist"
    ]


def test_verify_when_model_unpublished_then_reports_model_without_schema(schema_copy: Path) -> None:
    (schema_copy / "Fill.schema.json").unlink()
    manifest = load_manifest(schema_copy)
    manifest["objects"] = [entry for entry in manifest["objects"] if entry["name"] != "Fill"]
    _write_json(schema_copy / MANIFEST_FILE, manifest)
    assert verify(schema_copy) == ["Fill: model has no schema in the manifest"]


def test_verify_when_orphan_schema_file_added_then_reports_file_not_in_manifest(schema_copy: Path) -> None:
    shutil.copy(schema_copy / "TradePrint.schema.json", schema_copy / "Bogus.schema.json")
    assert verify(schema_copy) == ["Bogus.schema.json: schema file is not in the manifest"]


def test_verify_when_manifest_lists_schema_without_model_then_reports_it(schema_copy: Path) -> None:
    shutil.copy(schema_copy / "TradePrint.schema.json", schema_copy / "Bogus.schema.json")
    manifest = load_manifest(schema_copy)
    bogus = {**manifest["objects"][0], "name": "Bogus", "file": "Bogus.schema.json"}
    bogus["$id"] = json.loads((schema_copy / "Bogus.schema.json").read_text())["$id"]
    manifest["objects"] = sorted([*manifest["objects"], bogus], key=lambda entry: entry["name"])
    _write_json(schema_copy / MANIFEST_FILE, manifest)
    _set_manifest_sha(schema_copy, "Bogus")
    assert verify(schema_copy) == ["Bogus: schema has no model"]


def test_verify_when_id_dropped_then_reports_missing_id(schema_copy: Path) -> None:
    path = schema_copy / "TradePrint.schema.json"
    schema = json.loads(path.read_text())
    del schema["$id"]
    _write_json(path, schema)
    _set_manifest_sha(schema_copy, "TradePrint")
    assert verify(schema_copy) == [
        "TradePrint: schema lacks '$id'",
        "TradePrint: committed schema differs from the model's export",
    ]


def test_verify_when_schema_edited_then_names_the_object(schema_copy: Path) -> None:
    path = schema_copy / "RiskVote.schema.json"
    schema = json.loads(path.read_text())
    schema["properties"]["approved_size"]["pattern"] = "^[0-9]+$"
    _write_json(path, schema)
    assert verify(schema_copy) == [
        "RiskVote: sha256 of RiskVote.schema.json does not match the manifest",
        "RiskVote: committed schema differs from the model's export",
    ]
    _set_manifest_sha(schema_copy, "RiskVote")
    assert verify(schema_copy) == ["RiskVote: committed schema differs from the model's export"]


def test_verify_when_schema_is_not_valid_draft_2020_12_then_reports_it(schema_copy: Path) -> None:
    path = schema_copy / "KeepAlive.schema.json"
    schema = json.loads(path.read_text())
    schema["type"] = "objekt"
    _write_json(path, schema)
    _set_manifest_sha(schema_copy, "KeepAlive")
    problems = verify(schema_copy)
    assert problems[0].startswith("KeepAlive: not a valid Draft 2020-12 schema: 'objekt' is not valid")
    assert problems[1:] == ["KeepAlive: committed schema differs from the model's export"]


def test_verify_when_model_version_bumped_without_export_then_reports_version_mismatch(
    schema_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(WIRE_MODELS["Signal"], "SCHEMA_VERSION", "1.1.0")
    assert verify(schema_copy) == [
        "Signal: version mismatch: manifest '1.0.0' != model '1.1.0'",
        "Signal: committed schema differs from the model's export",
    ]


def test_verify_when_registry_holds_malformed_reason_code_then_reports_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    patched = {**REGISTRY, "risk_bad": ReasonCodeInfo("risk_bad", Severity.WARN, "lower case")}
    monkeypatch.setattr(reason_codes, "REGISTRY", patched)
    assert verify() == [f"reason code 'risk_bad' does not match {REASON_CODE_PATTERN.pattern}"]


def test_verify_when_manifest_entry_incomplete_then_reports_it(schema_copy: Path) -> None:
    manifest = load_manifest(schema_copy)
    del manifest["objects"][0]["sha256"]
    _write_json(schema_copy / MANIFEST_FILE, manifest)
    name = manifest["objects"][0]["name"]
    assert verify(schema_copy) == [
        "manifest: entry 0 lacks one of ('name', 'version', 'file', '$id', 'sha256')",
        f"{name}: model has no schema in the manifest",
        f"{name}.schema.json: schema file is not in the manifest",
    ]


def test_verify_when_manifest_missing_then_reports_it(schema_copy: Path) -> None:
    (schema_copy / MANIFEST_FILE).unlink()
    problems = verify(schema_copy)
    assert len(problems) == 1
    assert problems[0].startswith("manifest: no schema manifest at ")


@pytest.mark.parametrize("name", sorted(WIRE_MODELS))
def test_validate_payload_when_sample_json_then_no_problems(name: str, samples: dict[str, list[WireModel]]) -> None:
    for obj in samples[name]:
        assert validate_payload(name, obj.model_dump(mode="json")) == []


def test_validate_payload_when_decimal_out_of_bounds_then_reports_path(
    samples: dict[str, list[WireModel]],
) -> None:
    book = samples["OrderBookSnapshot"][0].model_dump(mode="json")
    book["asks"][1]["price"] = "1.5"
    book["bids"][0]["size"] = "-1"
    assert validate_payload("OrderBookSnapshot", book) == [
        "asks/1/price: '1.5' violates formatExclusiveMaximum 1",
        "bids/0/size: '-1' violates formatMinimum 0",
    ]


def test_validate_payload_when_fields_wrong_then_lists_each_problem(
    samples: dict[str, list[WireModel]],
) -> None:
    trade = samples["TradePrint"][0].model_dump(mode="json")
    del trade["side"]
    trade["ts_ms"] = 1_727_500_000
    trade["price"] = 0.5
    trade["extra"] = True
    problems = validate_payload("TradePrint", trade)
    assert problems == [
        "<root>: 'side' is a required property",
        "<root>: Additional properties are not allowed ('extra' was unexpected)",
        "price: 0.5 is not of type 'string'",
        "ts_ms: 1727500000 is less than the minimum of 1000000000000",
    ]


def test_validate_payload_when_name_unknown_then_raises() -> None:
    with pytest.raises(UnknownWireObjectError, match="NoSuchObject"):
        validate_payload("NoSuchObject", {})
