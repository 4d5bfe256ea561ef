"""P1 evidence: the adapters' outputs on recorded payloads, validated against the published schemas.

Every payload file under ``fixtures/reference/`` (``.json`` whole, ``.jsonl`` per line) goes through
*every* normaliser (the adapters never raise: a payload of another endpoint comes back as
QuarantineRecords, which are wire objects too), and so does each fixture day's ``markets.json``
and the first ``lines_per_day`` lines of its capture. Each object is validated with
:func:`polytraders.contracts.schemas.validate_payload` on ``model_dump(mode="json")``. Objects of a
type the manifest does not publish (adapter-level objects such as ``BookDelta``) are counted apart
and named, not validated.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from polytraders.contracts import InstrumentRecord, WireModel
from polytraders.contracts.schemas import SCHEMAS_DIR, load_manifest, validate_payload

#: Lines of each fixture day's capture that are normalised (the start of the day: the first
#: subscription array, pre-start books).
LINES_PER_DAY = 200
_OWNER = "00000000-0000-0000-0000-000000000000"
_AS_OF_MS = 1_780_000_000_000
_SHOWN = 10


@dataclass(frozen=True, slots=True)
class ValidationTally:
    """Objects validated, by type; failures as ``<source>: <type>: <problem>``; unpublished types."""

    sources: int
    checked: Counter[str]
    failures: tuple[str, ...]
    unpublished: Counter[str]

    @property
    def total(self) -> int:
        """Objects validated against a published schema."""
        return sum(self.checked.values())


def _routes(tick_sizes: dict[str, Decimal]) -> tuple[Callable[[str], list[WireModel]], ...]:
    from polytraders.adapters.polymarket import (
        normalise_book_response,
        normalise_gamma_markets,
        normalise_market_frame,
        normalise_markets_page,
        normalise_trades_response,
        normalise_user_frame,
    )

    return (
        lambda raw: normalise_market_frame(raw, _AS_OF_MS, tick_sizes),
        lambda raw: normalise_user_frame(raw, _AS_OF_MS, _OWNER),
        lambda raw: normalise_book_response(raw, _AS_OF_MS, tick_sizes),
        lambda raw: normalise_markets_page(raw, _AS_OF_MS),
        lambda raw: normalise_gamma_markets(raw, _AS_OF_MS),
        lambda raw: normalise_trades_response(raw, _AS_OF_MS, _OWNER),
    )


def _payloads(reference_root: Path) -> list[tuple[str, str]]:
    found = []
    for path in sorted(Path(reference_root).rglob("*")):
        if path.suffix not in (".json", ".jsonl") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        frames = [line for line in text.splitlines() if line.strip()] if path.suffix == ".jsonl" else [text]
        found += [(f"reference/{path.relative_to(reference_root)}", frame) for frame in frames]
    return found


def reference_objects(reference_root: Path) -> Iterator[tuple[str, WireModel]]:
    """``(source, object)`` for every output of every normaliser on every reference payload.

    Tick sizes of books that carry none come from the instruments the same payloads describe
    (a first pass through the two market-list normalisers).
    """
    payloads = _payloads(reference_root)
    ticks: dict[str, Decimal] = {}
    for _, frame in payloads:
        for route in _routes({})[3:5]:
            ticks |= {
                token.token_id: obj.tick_size
                for obj in route(frame) if isinstance(obj, InstrumentRecord) for token in obj.tokens
            }
    routes = _routes(ticks)
    for source, frame in payloads:
        for route in routes:
            for obj in route(frame):
                yield source, obj


def day_objects(day_dir: Path, lines_per_day: int = LINES_PER_DAY) -> Iterator[tuple[str, WireModel]]:
    """``(source, object)`` for the day's instruments and its first ``lines_per_day`` capture lines."""
    from polytraders.adapters.capture import capture_path, iter_capture
    from polytraders.adapters.polymarket import normalise_market_frame, normalise_markets_page
    from polytraders.runtime.stages import MARKETS_FILE

    day_start = int(datetime.strptime(day_dir.name, "%Y-%m-%d").replace(tzinfo=UTC).timestamp() * 1000)
    instruments = normalise_markets_page((day_dir / MARKETS_FILE).read_text(encoding="utf-8"), day_start)
    records = [obj for obj in instruments if isinstance(obj, InstrumentRecord)]
    ticks = {token.token_id: record.tick_size for record in records for token in record.tokens}
    for obj in instruments:
        yield f"{day_dir.name}/{MARKETS_FILE}", obj
    corrupt: list = []
    path = capture_path(day_dir)
    for n, line in enumerate(iter_capture(path, corrupt=corrupt)):
        if n >= lines_per_day:
            break
        for obj in normalise_market_frame(line.frame, line.recv_ms, ticks):
            yield f"{day_dir.name}/{path.name}:{line.line_no}", obj


def validate_objects(objects: Iterator[tuple[str, WireModel]], schema_dir: Path = SCHEMAS_DIR) -> ValidationTally:
    """Validate each object against its published schema (see the module docstring)."""
    published = {entry["name"] for entry in load_manifest(schema_dir).get("objects", [])}
    checked: Counter[str] = Counter()
    unpublished: Counter[str] = Counter()
    sources: set[str] = set()
    failures: list[str] = []
    for source, obj in objects:
        name = type(obj).__name__
        sources.add(source.split(":")[0])
        if name not in published:
            unpublished[name] += 1
            continue
        checked[name] += 1
        problems = validate_payload(name, obj.model_dump(mode="json"), schema_dir)
        if problems:
            more = f" (+{len(problems) - 1} more)" if problems[1:] else ""
            failures.append(f"{source}: {name}: {problems[0]}{more}")
    return ValidationTally(len(sources), checked, tuple(failures), unpublished)


def shown(items: list[str] | tuple[str, ...], limit: int = _SHOWN) -> list[str]:
    """The first ``limit`` items, then one line counting the rest."""
    items = list(items)
    return items[:limit] + ([f"... and {len(items) - limit} more"] if len(items) > limit else [])
