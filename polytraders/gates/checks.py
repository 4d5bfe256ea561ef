"""The phase exit gates P1..P8 as checks: one function per phase, each deciding on evidence.

Every check returns a :class:`~polytraders.gates.model.GateResult` built by :func:`decide` from
findings: a *failure* (something built is wrong) makes the gate RED; otherwise a *missing* piece
(not built, or not yet recorded) makes it PENDING; only a gate with evidence and nothing missing
or failing is GREEN. ``GateResult.missing`` lists failures first, then missing pieces.

The evidence comes in one :class:`GateInputs` (gathered once by :func:`polytraders.gates.evaluate`,
or built by hand in tests): the repo's schemas and bot sources, the fixture days, the recorded
shadow runs (the event store's Parquet snapshots) and the set of implemented bots.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

import polars as pl

from polytraders.bots.base import BotConfig
from polytraders.bots.hygiene import BOTS_DIR, scan_bots
from polytraders.bots.manifest import BOTS, by_class, by_phase
from polytraders.bots.sec import signature_selftest
from polytraders.contracts import OrderIntent, SignedOrderRequest
from polytraders.contracts.frames import empty_frame, to_frame
from polytraders.contracts.schemas import SCHEMAS_DIR, load_manifest, validate_payload
from polytraders.gates import normalised, pack, raw_access, risk_probe
from polytraders.gates.evidence import ShadowRecord, fixture_days
from polytraders.gates.model import GateResult, GateState
from polytraders.runtime import trading, wallet
from polytraders.runtime.oms import Rails
from polytraders.runtime.profile import RISK_ORDER, SHADOW
from polytraders.runtime.risk_context import MarketInputs, market_columns
from polytraders.runtime.risk_gate import STRATEGIES
from polytraders.runtime.risk_pipeline import RiskStep
from polytraders.runtime.risk_shadow import strategy_intents

NO_RUN = "no shadow run recorded in the event store"
#: The P2 risk overrides and the wire object on the normalised stream that carries each one's input:
#: freshness and feed liveness, market status, venue error statistics (errors per feed window).
P2_OVERRIDE_INPUTS: dict[str, str] = {
    "risk.stale_book": "FeedHealth",
    "risk.market_halt": "TokenState",
    "risk.api_degradation": "FeedHealth",
}
#: Hours of fixture time strat.maker_tight must cover in shadow for P6.
P6_HOURS = 24.0
#: Recorded strat.maker_tight intents re-validated with jsonschema (the rest through the model).
P6_SCHEMA_SAMPLE = 500
#: Fixture days of recorded intents over which P4's denials are re-checked.
P4_DAYS = 7
#: P8 strategies that must run in shadow through the common pipeline.
P8_STRATEGIES = 3


def bot_module(slug: str) -> ModuleType:
    """The module of bot ``slug`` (``polytraders.bots.<class>.<name>``)."""
    bot_class, name = slug.split(".", 1)
    return importlib.import_module(f"polytraders.bots.{bot_class}.{name}")


@dataclass(frozen=True, slots=True)
class GateInputs:
    """Everything the phase checks read.

    Attributes:
        fixtures_root: the fixture days (``YYYY-MM-DD/``) and ``reference/`` payloads.
        record: the recorded shadow runs, or None when none was exported.
        implemented: slugs of implemented bots (``readiness.discover_implemented``).
        schema_dir: the published JSON Schemas and their manifest.
        schema_problems: ``schemas.verify(schema_dir)`` (computed once, shared with the infra tasks).
        bots_dir: the bot packages (source scans of P2 and P3).
        modules: loads a bot's module by slug (tests substitute fakes).
        lines_per_day: capture lines per fixture day normalised by P1.
    """

    fixtures_root: Path
    record: ShadowRecord | None
    implemented: frozenset[str]
    schema_dir: Path = SCHEMAS_DIR
    schema_problems: tuple[str, ...] = ()
    bots_dir: Path = BOTS_DIR
    modules: Callable[[str], ModuleType] = bot_module
    lines_per_day: int = normalised.LINES_PER_DAY

    def fixture_days(self) -> list[str]:
        """Complete fixture days, oldest first."""
        return fixture_days(self.fixtures_root)

    def pack_root(self) -> Path:
        """The fixture pack P2 replays: ``<fixtures_root>/pack``."""
        return self.fixtures_root / "pack"


@dataclass(frozen=True, slots=True)
class Finding:
    """Part of a gate's evidence: what was seen, what is wrong (red), what is missing (pending)."""

    evidence: tuple[str, ...] = ()
    failures: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


def decide(phase: int, findings: Iterable[Finding]) -> GateResult:
    """RED on any failure, else PENDING on anything missing (or no evidence at all), else GREEN."""
    findings = list(findings)
    evidence = tuple(e for f in findings for e in f.evidence)
    failures = tuple(e for f in findings for e in f.failures)
    missing = tuple(e for f in findings for e in f.missing)
    if failures:
        return GateResult(phase, GateState.RED, evidence, failures + missing)
    if missing or not evidence:
        return GateResult(phase, GateState.PENDING, evidence, missing or ("no evidence gathered",))
    return GateResult(phase, GateState.GREEN, evidence)


def _not_implemented(slugs: Iterable[str], implemented: frozenset[str], note: str = "") -> tuple[str, ...]:
    return tuple(f"{slug}: not implemented{note}" for slug in slugs if slug not in implemented)


# --- P1 -------------------------------------------------------------------------------------


def schemas_page(schema_dir: Path) -> Finding:
    """The schemas page renders from the manifest.

    Calls the guide's ``render_schemas_page(schema_dir) -> str`` (``polytraders.guide.build``) and
    checks that every manifest object is on the page. Without the guide, checks that every
    manifest entry has a schema file with ``title`` and ``description`` and names the renderer as
    missing.
    """
    renderer = _page_renderer()
    entries = load_manifest(schema_dir).get("objects", [])
    if renderer is None:
        import json

        bad = []
        for entry in entries:
            path = schema_dir / entry.get("file", "")
            try:
                schema = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                bad.append(f"{entry.get('name')}: no readable schema file {path.name}")
                continue
            bad += [f"{entry['name']}: schema has no {key}" for key in ("title", "description") if not schema.get(key)]
        seen = f"{len(entries)} manifest entries have a schema file with title and description"
        return Finding(
            evidence=() if bad else (seen,),
            failures=tuple(bad),
            missing=("schemas page renderer not built (polytraders.guide.build.render_schemas_page)",),
        )
    try:
        page = renderer(schema_dir)
    except Exception as exc:  # noqa: BLE001 - a broken renderer is a finding
        return Finding(failures=(f"schemas page renderer raised {type(exc).__name__}: {exc}",))
    absent = [entry["name"] for entry in entries if entry["name"] not in str(page)]
    if absent:
        return Finding(failures=(f"schemas page lacks {', '.join(absent)}",))
    return Finding(evidence=(f"schemas page renders all {len(entries)} manifest objects",))


def _page_renderer() -> Callable[[Path], object] | None:
    for module_name in ("polytraders.guide.build", "polytraders.guide.schemas", "polytraders.guide"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        renderer = getattr(module, "render_schemas_page", None)
        if callable(renderer):
            return renderer
    return None


def validation_finding(tally: normalised.ValidationTally, what: str) -> Finding:
    """A tally of validated adapter outputs as a finding (every failure named, up to 10)."""
    types = ", ".join(f"{name} {n:,}" for name, n in sorted(tally.checked.items()))
    evidence = [f"{what}: {tally.total:,} normalised objects from {tally.sources} sources validate "
                f"against their published schemas ({types})"] if tally.total and not tally.failures else []
    if tally.unpublished:
        evidence.append(f"{what}: adapter-level objects without a published schema, not validated: "
                        + ", ".join(f"{name} {n:,}" for name, n in sorted(tally.unpublished.items())))
    failures = [f"{what}: {len(tally.failures):,} of {tally.total:,} objects fail their schema"] * bool(tally.failures)
    missing = [] if tally.total else [f"{what}: no normalised object to validate"]
    return Finding(tuple(evidence), tuple(failures + normalised.shown(tally.failures)), tuple(missing))


def check_p1(inputs: GateInputs) -> GateResult:
    """P1: contracts verify green; the schemas page renders; adapter outputs on the recorded
    fixtures (every reference payload, each day's markets.json and first capture lines) validate
    against the published schemas."""
    contracts = Finding(
        evidence=() if inputs.schema_problems else ("contracts verify green (schemas match the models)",),
        failures=tuple(f"contracts verify: {p}" for p in normalised.shown(inputs.schema_problems)),
    )
    try:
        load_manifest(inputs.schema_dir)
    except (OSError, ValueError):
        unvalidated = "schemas page and adapter outputs not checked: no readable schema manifest"
        return decide(1, [Finding(failures=contracts.failures or ("contracts verify: no manifest",),
                                  missing=(unvalidated,))])
    findings = [contracts, schemas_page(inputs.schema_dir)]
    reference = inputs.fixtures_root / "reference"
    if reference.is_dir():
        tally = normalised.validate_objects(normalised.reference_objects(reference), inputs.schema_dir)
        findings.append(validation_finding(tally, "reference payloads"))
    else:
        findings.append(Finding(missing=(f"no reference payloads under {reference}",)))
    days = inputs.fixture_days()
    if days:
        objects = (
            item for day in days
            for item in normalised.day_objects(inputs.fixtures_root / day, inputs.lines_per_day)
        )
        tally = normalised.validate_objects(objects, inputs.schema_dir)
        findings.append(validation_finding(tally, f"{len(days)} fixture day(s), first {inputs.lines_per_day} lines"))
    else:
        findings.append(Finding(missing=(f"no fixture day under {inputs.fixtures_root}",)))
    return decide(1, findings)


# --- P2 -------------------------------------------------------------------------------------


def p2_required() -> tuple[str, ...]:
    """The 26 bots of phase 2 in the manifest: every intel and disc bot, risk.stale_book,
    risk.market_halt and gov.data_quality_monitor."""
    return tuple(s.slug for s in by_phase()[2])


def _override_inputs(record: ShadowRecord | None) -> Finding:
    """Each P2 override's input is on the recorded normalised stream (envelopes of its object)."""
    if record is None:
        return Finding(missing=(NO_RUN,))
    counts = dict(record.envelopes.group_by("payload_type").len().iter_rows())
    seen = [f"{slug}: its input {obj} is on the normalised stream ({counts[obj]} envelopes)"
            for slug, obj in P2_OVERRIDE_INPUTS.items() if counts.get(obj)]
    absent = [f"{slug}: no {obj} envelope on the recorded stream"
              for slug, obj in P2_OVERRIDE_INPUTS.items() if not counts.get(obj)]
    return Finding(tuple(seen), missing=tuple(absent))


def _fixture_pack(pack_root: Path) -> Finding:
    """Every scenario of the fixture pack gives its expected figures, and none is pending."""
    names = pack.scenarios(pack_root)
    if not names:
        return Finding(missing=(f"no fixture pack under {pack_root}",))
    runs = [pack.replay(pack_root, name) for name in names]
    failures = tuple(f"pack {r.name}: {m}" for r in runs for m in r.mismatches)
    pending = tuple(f"pack {r.name}: {r.pending}" for r in runs if r.pending)
    passed = sum(1 for r in runs if not r.mismatches and not r.pending)
    return Finding((f"fixture pack: {passed} of {len(runs)} scenarios pass",), failures, pending)


def check_p2(inputs: GateInputs) -> GateResult:
    """P2: the 26 phase-2 bots are implemented, intel and disc bots read normalised objects only
    (syntax-tree scan), the inputs of the risk overrides stale_book / market_halt /
    api_degradation are on the recorded normalised stream, and the fixture pack passes."""
    scanned, hits = raw_access.scan(inputs.bots_dir)
    required = p2_required()
    missing = _not_implemented(required, inputs.implemented)
    evidence = [f"{scanned} intel/disc modules read normalised objects only"] if scanned and not hits else []
    done = len(required) - len(missing)
    if done:
        evidence.append(f"{done} of {len(required)} phase-2 bots implemented")
    replayed = (_fixture_pack(inputs.pack_root()) if pack.DATA_QUALITY_MONITOR in inputs.implemented
                else Finding(missing=(f"the fixture pack replay needs {pack.DATA_QUALITY_MONITOR}",)))
    return decide(2, [Finding(tuple(evidence), tuple(hits), missing), _override_inputs(inputs.record), replayed])


# --- P3 -------------------------------------------------------------------------------------


def p3_gate(implemented: Iterable[str], emitted: Iterable[str], free_text: Iterable[str]) -> GateResult:
    """P3 exit gate: every implemented bot emits through the envelope, and no bot writes free text.

    Args:
        implemented: slugs of the bots with a reference implementation.
        emitted: slugs with at least one envelope in the event store (a recorded shadow run).
        free_text: hits of the free-text scan over the bot packages (``file:line: what``).

    Returns PENDING when no run has been recorded (nothing to judge) or an implemented bot has no
    envelope yet (a bot whose input never occurred on the recorded days, e.g. a trade-print bot on
    days without prints, has shown nothing either way: missing evidence, not a violation); RED
    naming each free-text hit (and the silent bots); else GREEN.
    """
    implemented, emitted, hits = sorted(set(implemented)), set(emitted), tuple(free_text)
    if not emitted:
        return GateResult(3, GateState.PENDING, missing=("no shadow run recorded in the event store",))
    silent = tuple(f"{slug}: no envelope in the event store yet" for slug in implemented if slug not in emitted)
    if hits:
        return GateResult(3, GateState.RED, missing=hits + silent)
    emitting = len(implemented) - len(silent)
    evidence = (f"{emitting} of {len(implemented)} implemented bots emit envelopes", "no free text in bot code")
    if silent:
        return GateResult(3, GateState.PENDING, evidence=evidence, missing=silent)
    return GateResult(3, GateState.GREEN, evidence=(
        f"{len(implemented)} implemented bots all emit envelopes", "no free text in bot code",
    ))


def check_p3(inputs: GateInputs) -> GateResult:
    """P3: every implemented bot emits via the envelope, and no bot writes free text."""
    emitted = inputs.record.bots() if inputs.record is not None else frozenset()
    return p3_gate(inputs.implemented, emitted, scan_bots(inputs.bots_dir))


# --- P4 -------------------------------------------------------------------------------------

#: The denials P4 re-checks on recorded intents: bot, what is done, its denying config given the
#: recorded condition ids, and the reason code every vote must carry.
_DENIALS: tuple[tuple[str, str, Callable[[tuple[str, ...]], dict], str], ...] = (
    ("risk.killswitch", "engaged", lambda _: {"engaged": True}, "RISK_KILL_SWITCH"),
    ("risk.compliance_gate", "blocking every recorded market", lambda ids: {"blocked_condition_ids": ids},
     "RISK_COMPLIANCE"),
)
WALLET_GUARD = "sec.wallet_permission_guard"
_NOT_ALLOW_LISTED = "SEC_NOT_ALLOW_LISTED"


def _risk_votes(inputs: GateInputs, slugs: list[str]) -> Finding:
    days = inputs.fixture_days()
    case = risk_probe.fixture_case(inputs.fixtures_root / days[-1]) if days else None
    if case is None:
        return Finding(missing=("no fixture day to build a valid intent from",))
    problems = []
    for step in _steps(inputs, slugs):
        problems += risk_probe.vote_problems(step, case, inputs.schema_dir)
    evidence = (f"{len(slugs)} implemented risk bots return a valid RiskVote on a valid fixture intent "
                f"({case.source})",) if slugs and not problems else ()
    return Finding(evidence, tuple(problems))


def _steps(inputs: GateInputs, slugs: list[str], configs: dict[str, BotConfig] | None = None) -> list[RiskStep]:
    """Risk steps of ``slugs`` in the shadow profile's declared order, default configs unless given."""
    codes = {s.slug: s.reason_codes for s in by_class()["risk"]}
    configs = configs or {}
    return [RiskStep(slug, inputs.modules(slug).vote, configs.get(slug) or inputs.modules(slug).Config(),
                     codes[slug]) for slug in sorted(slugs, key=_RISK_RANK.get)]


_RISK_RANK = {slug: k for k, slug in enumerate(RISK_ORDER)}


def _recorded_frame(inputs: GateInputs, record: ShadowRecord, days: list[str]) -> pl.DataFrame:
    """Recorded strat.* PLACE intents of ``days`` with their registry columns (the fixture days'
    market metadata) and an empty portfolio."""
    places = strategy_intents(record.payloads("OrderIntent", days=days)).filter(pl.col("kind") == "PLACE")
    instruments: dict = {}
    for day in days:
        instruments |= risk_probe.day_instruments(inputs.fixtures_root / day)
    market = MarketInputs(instruments=to_frame("InstrumentRecord", list(instruments.values())),
                          market_snapshots=empty_frame("MarketSnapshot"))
    return risk_probe.empty_portfolio(market_columns(places, market))


def _denials(inputs: GateInputs) -> Finding:
    record = inputs.record
    if record is None:
        return Finding(missing=(f"denials over recorded intents: {NO_RUN}",))
    intent_days = sorted(
        record.envelopes.filter((pl.col("payload_type") == "OrderIntent") & pl.col("bot").is_in(STRATEGIES))
        ["partition_day"].unique().to_list()
    )
    if not intent_days:
        return Finding(missing=("no strat.* OrderIntent recorded in the event store",))
    days = intent_days[-P4_DAYS:]
    frame = _recorded_frame(inputs, record, days)
    evidence, failures, missing = [], [], []
    if len(days) < P4_DAYS:
        missing.append(f"recorded intents cover {len(days)} fixture day(s); the gate needs the last {P4_DAYS}")
    blocked = tuple(sorted(frame["condition_id"].unique().to_list()))
    implemented = [s.slug for s in by_class()["risk"] if s.slug in inputs.implemented]
    for slug, what, overrides, code in _DENIALS:
        if slug not in inputs.implemented:
            continue  # named by the implementation finding
        steps = _steps(inputs, implemented, {slug: inputs.modules(slug).Config(**overrides(blocked))})
        leaked = risk_probe.enforcement(steps, slug, code, frame)
        if frame.is_empty():
            missing.append(f"{slug}: no recorded PLACE intent to deny")
        elif leaked:
            failures.append(f"{slug} {what}: {len(leaked):,} of {frame.height:,} recorded PLACE intents "
                            f"not rejected with {code} (first {leaked[0]})")
        else:
            evidence.append(f"{slug} replayed {what} through the declared risk order: rejects all "
                            f"{frame.height:,} recorded PLACE intents of {len(days)} day(s) with {code}")
    if WALLET_GUARD not in inputs.implemented:
        missing.append(f"{WALLET_GUARD}: not implemented (a P5 sec bot): wallet permissions not enforced")
    elif frame.is_empty():
        missing.append(f"{WALLET_GUARD}: no recorded PLACE intent to deny")
    else:
        found = _wallet_denials(inputs, frame, len(days))
        evidence += found.evidence
        failures += found.failures
    return Finding(tuple(evidence), tuple(failures), tuple(missing))


def _wallet_denials(inputs: GateInputs, frame: pl.DataFrame, n_days: int) -> Finding:
    """The wallet guard over recorded PLACE intents with an allow-list that lists none of their
    tokens, for the shadow wallet: every intent must come back SEC_NOT_ALLOW_LISTED (a failure
    names the first one let through or denied for another reason)."""
    guard = inputs.modules(WALLET_GUARD)
    shadow = wallet.load({})
    config = guard.Config(allowed_wallets=shadow.allowed_wallets, allowed_token_ids=())
    verdicts = guard.guard(frame, shadow.wallet, config)
    leaked = verdicts.filter(pl.col("reason_code").ne_missing(_NOT_ALLOW_LISTED))
    if leaked.height:
        return Finding(failures=(
            f"{WALLET_GUARD} with no allow-listed token: {leaked.height:,} of {frame.height:,} recorded PLACE "
            f"intents not denied with {_NOT_ALLOW_LISTED} (first {leaked['intent_id'][0]})",))
    return Finding(evidence=(
        f"{WALLET_GUARD} with no allow-listed token denies all {frame.height:,} recorded PLACE intents of "
        f"{n_days} day(s) with {_NOT_ALLOW_LISTED}",))


def check_p4(inputs: GateInputs) -> GateResult:
    """P4: all risk bots implemented, each returns a valid RiskVote on a valid fixture intent, and
    the kill switch, compliance gate and wallet permission guard deny every recorded PLACE intent
    of the last 7 fixture days when engaged / blocking."""
    risk = [s.slug for s in by_class()["risk"]]
    implemented = [slug for slug in risk if slug in inputs.implemented]
    findings = [
        Finding(missing=_not_implemented(risk, inputs.implemented)),
        _risk_votes(inputs, implemented),
        _denials(inputs),
    ]
    return decide(4, findings)


# --- P5 -------------------------------------------------------------------------------------

#: Signature type 3: a smart-contract wallet's ERC-1271 signature.
POLY_1271 = 3
#: The P5 bots: every exec and sec bot of the catalogue.
EXEC_SEC = tuple(s.slug for c in ("exec", "sec") for s in by_class()[c])


def check_p5(inputs: GateInputs) -> GateResult:
    """P5: all 24 exec and sec bots implemented; a fixture intent is signed end to end through S8
    with the builder code, and with none it is refused EXEC_NO_BUILDER_CODE and never reaches the
    venue; in the recorded runs every SignedOrderRequest traces back through an ExecutionPlan to an
    OrderIntent, carries a builder code, and passes the signature self-test (its order hash
    recomputes and its signature recovers to its signer)."""
    findings = [Finding(missing=_not_implemented(EXEC_SEC, inputs.implemented))]
    if "sec.signing_service" in inputs.implemented:
        findings.append(_builder_probe(inputs))
    findings.append(_recorded_orders(inputs))
    return decide(5, findings)


def _builder_probe(inputs: GateInputs) -> Finding:
    """S8 (the shadow wallet, the mock CLOB) on the fixture intent of :func:`risk_probe.fixture_case`,
    with the shadow profile's builder code and with none."""
    days = inputs.fixture_days()
    case = risk_probe.fixture_case(inputs.fixtures_root / days[-1]) if days else None
    if case is None:
        return Finding(missing=("no fixture day to build a valid intent from",))
    row = case.frame.row(0, named=True)
    intent = to_frame("OrderIntent", [OrderIntent(**{f: row[f] for f in OrderIntent.model_fields if f in row})])
    shaper = "exec.order_shaper"
    unbranded = replace(SHADOW, configs={**SHADOW.configs, shaper: SHADOW.config(shaper).model_copy(
        update={"builder_code": None})})
    shadow = wallet.load({})
    runs = {name: trading.oms(intent, case.inputs.instruments, case.inputs.market_snapshots,
                              empty_frame("MarketResolution"), Rails.of(profile, shadow))
            for name, profile in (("branded", SHADOW), ("unbranded", unbranded))}
    branded, unbranded_run = runs["branded"], runs["unbranded"]
    failures = []
    builder = SHADOW.config(shaper).builder_code
    if branded.signed["builder"].to_list() != [builder]:
        failures.append(f"fixture intent ({case.source}) not signed with the builder code: "
                        f"refusals {branded.refusals.select('bot', 'reason_codes').rows()}")
    codes = unbranded_run.refusals["reason_codes"].explode().to_list()
    if unbranded_run.signed.height or unbranded_run.order_events.height or "EXEC_NO_BUILDER_CODE" not in codes:
        failures.append(f"with no builder code: {unbranded_run.signed.height} signed, "
                        f"{unbranded_run.order_events.height} venue events, refusal codes {codes}")
    evidence = () if failures else (
        f"a fixture intent ({case.source}) is routed, shaped, guarded, signed and acknowledged by the mock CLOB "
        f"with builder {builder[:10]}…; with no builder code it is refused EXEC_NO_BUILDER_CODE and nothing is "
        "sent",)
    return Finding(evidence, tuple(failures))


def _recorded_orders(inputs: GateInputs) -> Finding:
    """The recorded SignedOrderRequests: causation back to an intent, builder code, self-test."""
    record = inputs.record
    if record is None:
        return Finding(missing=(NO_RUN,))
    signed = record.payloads("SignedOrderRequest")
    if signed.is_empty():
        return Finding(missing=("no SignedOrderRequest envelope in the event store",))
    env = record.envelopes
    plans = set(env.filter(pl.col("payload_type") == "ExecutionPlan")["envelope_id"].to_list())
    intents = set(env.filter(pl.col("payload_type") == "OrderIntent")["envelope_id"].to_list())
    plan_causes = dict(env.filter(pl.col("payload_type") == "ExecutionPlan").select("envelope_id", "causation_ids")
                       .iter_rows())
    builders = signed["payload"].str.json_path_match("$.builder").fill_null("")
    no_builder = int((builders.str.strip_chars().str.replace(r"^0x0*$", "") == "").sum())
    chained = sum(
        any(cause in plans and set(plan_causes.get(cause) or ()) & intents for cause in causes or ())
        for causes in signed["causation_ids"].to_list()
    )
    # a POLY_1271 order's signature recovers to the wallet owner's key, which the order does not name
    eoa_signed = [r for r in map(SignedOrderRequest.model_validate_json, signed["payload"])
                  if r.signature_type != POLY_1271]
    untrue = [r.order_hash for r in eoa_signed if signature_selftest.check(r, r.signer) is not None]
    failures, missing = [], []
    if no_builder:
        failures.append(f"{no_builder:,} of {signed.height:,} SignedOrderRequests without a builder code")
    if chained < signed.height:
        failures.append(f"{signed.height - chained:,} of {signed.height:,} SignedOrderRequests do not trace back "
                        "through an ExecutionPlan to an OrderIntent")
    if untrue:
        failures.append(f"{len(untrue):,} of {signed.height:,} SignedOrderRequests fail the signature self-test "
                        f"(first {untrue[0]})")
    if len(eoa_signed) < signed.height:
        missing.append(f"{signed.height - len(eoa_signed):,} POLY_1271 SignedOrderRequests not self-tested: the "
                       "order does not name the key its wallet's signature recovers to")
    evidence = (f"{chained:,} of {signed.height:,} recorded SignedOrderRequests trace back to an OrderIntent, "
                f"{signed.height - no_builder:,} carry a builder code, {len(eoa_signed) - len(untrue):,} of "
                f"{len(eoa_signed):,} (signature types 0-2) pass the signature self-test",)
    return Finding(evidence, tuple(failures), tuple(missing))


# --- P6 -------------------------------------------------------------------------------------

MAKER = "strat.maker_tight"


def check_p6(inputs: GateInputs) -> GateResult:
    """P6: strat.maker_tight emitted OrderIntents in shadow over >= 24 h of fixture time (per
    recorded day, last minus first intent time, summed), with zero rejected payloads of it and
    every recorded intent valid against the published OrderIntent schema."""
    missing = list(_not_implemented((MAKER,), inputs.implemented))
    record = inputs.record
    if record is None:
        return decide(6, [Finding(missing=(*missing, NO_RUN))])
    intents = record.payloads("OrderIntent", bots=frozenset({MAKER}))
    if intents.is_empty():
        return decide(6, [Finding(missing=(*missing, f"no {MAKER} OrderIntent in the event store"))])
    spans = intents.group_by("partition_day").agg((pl.col("ts_ms").max() - pl.col("ts_ms").min()).alias("ms"))
    hours = spans["ms"].sum() / 3_600_000
    invalid = _invalid_intents(intents["payload"].to_list(), inputs.schema_dir)
    failures, evidence = list(normalised.shown(invalid)), [
        f"{hours:.2f} h of fixture time over {spans.height} day(s): {intents.height:,} {MAKER} OrderIntents, "
        f"all valid OrderIntents, {min(intents.height, P6_SCHEMA_SAMPLE):,} of them re-checked against the "
        "published JSON Schema" if not invalid else
        f"{hours:.2f} h of fixture time over {spans.height} day(s): {intents.height:,} {MAKER} OrderIntents"
    ]
    if record.rejected is None:
        missing.append(f"{MAKER} rejected payloads: {record.rejected_error}")
    else:
        rejected = int(record.rejected["source"].str.starts_with(f"{MAKER}:").sum())
        if rejected:
            failures.insert(0, f"{rejected:,} {MAKER} payloads rejected by schema in the event store")
        else:
            evidence.append(f"0 {MAKER} payloads rejected by schema")
    if hours < P6_HOURS:
        missing.append(f"{MAKER} covers {hours:.2f} h of fixture time in shadow; the gate needs {P6_HOURS:.0f} h")
    return decide(6, [Finding(tuple(evidence), tuple(failures), tuple(missing))])


def _invalid_intents(payloads: list[str], schema_dir: Path) -> list[str]:
    """Every payload through the OrderIntent model (whose export the published schema equals, as
    ``contracts verify`` checks), and an evenly spaced sample of :data:`P6_SCHEMA_SAMPLE` through
    the published JSON Schema itself (jsonschema costs ~0.3 ms a payload)."""
    import json

    from pydantic import ValidationError

    invalid = []
    for n, text in enumerate(payloads):
        try:
            OrderIntent.model_validate_json(text)
        except ValidationError as exc:
            invalid.append(f"{MAKER} intent #{n}: {exc.errors()[0]['msg']}")
    sample = {k * len(payloads) // P6_SCHEMA_SAMPLE for k in range(P6_SCHEMA_SAMPLE)} & set(range(len(payloads)))
    for n in sorted(sample):
        if problems := validate_payload("OrderIntent", json.loads(payloads[n]), schema_dir):
            invalid.append(f"{MAKER} intent #{n}: {problems[0]}")
    return invalid


# --- P7 -------------------------------------------------------------------------------------

REPLAY = "gov.replay_simulator"


def check_p7(inputs: GateInputs) -> GateResult:
    """P7: gov.replay_simulator is implemented and replayed every recorded day with no
    GOV_REPLAY_MISMATCH."""
    missing = list(_not_implemented((REPLAY,), inputs.implemented))
    record = inputs.record
    if record is None:
        return decide(7, [Finding(missing=(*missing, NO_RUN))])
    replay = record.envelopes.filter(pl.col("bot") == REPLAY)
    unreplayed = [day for day in record.days() if day not in set(replay["partition_day"].to_list())]
    missing += [f"no {REPLAY} envelope for recorded day {day}" for day in unreplayed]
    mismatches = int(replay["reason_codes"].list.contains("GOV_REPLAY_MISMATCH").sum()) if replay.height else 0
    failures = (f"{mismatches:,} replay mismatches (GOV_REPLAY_MISMATCH)",) if mismatches else ()
    evidence = (f"{REPLAY} replayed {len(record.days()) - len(unreplayed)} of {len(record.days())} recorded days"
                ", no mismatch",) if replay.height and not mismatches else ()
    return decide(7, [Finding(evidence, failures, tuple(missing))])


# --- P8 -------------------------------------------------------------------------------------


def check_p8(inputs: GateInputs) -> GateResult:
    """P8: at least three P8 strategies implemented and emitting OrderIntents in shadow, every
    PLACE intent of each voted on by the risk gate (the same pipeline, no special-cased path)."""
    strategies = [s.slug for s in BOTS if s.bot_class == "strat" and s.phase == 8]
    record = inputs.record
    if record is None:
        return decide(8, [Finding(missing=(NO_RUN,))])
    emitting = set(record.envelopes.filter(pl.col("payload_type") == "OrderIntent")["bot"].unique().to_list())
    running = sorted(slug for slug in strategies if slug in inputs.implemented and slug in emitting)
    evidence, failures, missing = [], [], []
    if len(running) < P8_STRATEGIES:
        missing.append(f"{len(running)} of {P8_STRATEGIES} P8 strategies implemented and emitting OrderIntents "
                       f"in shadow ({', '.join(running) or 'none'})")
    if running:
        intents = record.payloads("OrderIntent", bots=frozenset(running)).filter(
            pl.col("payload").str.json_path_match("$.kind") == "PLACE")
        voted = set(record.envelopes.filter(pl.col("payload_type") == "RiskVote")["causation_ids"]
                    .explode().drop_nulls().to_list())
        for slug in running:
            ids = intents.filter(pl.col("bot") == slug)["envelope_id"].to_list()
            bypassed = sum(envelope_id not in voted for envelope_id in ids)
            if bypassed:
                failures.append(f"{slug}: {bypassed:,} of {len(ids):,} PLACE intents have no RiskVote (bypassed S7)")
            else:
                evidence.append(f"{slug}: all {len(ids):,} PLACE intents voted on by the risk gate")
    return decide(8, [Finding(tuple(evidence), tuple(failures), tuple(missing))])


#: The phase checks, in phase order.
CHECKS: tuple[Callable[[GateInputs], GateResult], ...] = (
    check_p1, check_p2, check_p3, check_p4, check_p5, check_p6, check_p7, check_p8,
)
