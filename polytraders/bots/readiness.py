"""Bot readiness: computed from evidence, never typed in.

A bot climbs ``pending → demo-wired → shadow-ready → production-live``; ``deprecated`` is the
tombstone of a retired bot. :func:`compute_readiness` decides, on :class:`Evidence` only:

- **deprecated** — the manifest marks the bot retired (whatever the evidence).
- **shadow-ready** — implemented, passes its fixture scenarios, ran in shadow over at least
  :data:`SHADOW_HOURS_REQUIRED` hours of fixture time with zero schema failures (known to be
  zero: an unknown count never qualifies), and replays identically. Two of those kinds of
  evidence do not exist yet — the fixture pack (``passed_fixture_scenarios``) and the replay
  simulator (``replayed_identically``) — so both sets are empty and no bot is shadow-ready today.
- **demo-wired** — its module is implemented (``polytraders/bots/<class>/<name>.py`` imports and
  exposes ``SLUG``, ``VERSION`` and a ``Config``) *and* it produced output in a shadow run over a
  recorded fixture day. A scaffold (``pt-bot new``) has the module shape but its entry point
  raises, so it never produces output and stays pending.
- **pending** — anything else.
- **production-live** — the code path exists and refuses: :func:`promote_to_production` always
  raises :class:`ProductionLiveRefused` (there is no live venue).

Documentation completeness never counts toward readiness: :func:`compute_readiness` takes no
scores (see :mod:`polytraders.bots.scores`, shown beside readiness, never as it).

:func:`bot_facts` is the one table of a bot's facts (class, phase, modes, capital impact,
readiness) that both the Dagster op tags (:func:`polytraders.defs.stages.bot_tags`) and the dev
guide render, so the two never disagree. The evidence itself is gathered by
:func:`polytraders.defs.evidence.collect`.

The build gates (``polytraders gates``) are reported by :func:`gates_green_through`; until they
are wired here every gate is pending, never vacuously green.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NoReturn

from polytraders.bots import manifest
from polytraders.bots.base import BotConfig
from polytraders.bots.manifest import BotSpec, by_class

#: Hours of fixture time a bot must have run in shadow to be shadow-ready.
SHADOW_HOURS_REQUIRED = 24.0
#: Prefix of the Dagster tag of each fact (see :func:`as_tags`).
TAG_PREFIX = "polytraders/"


class Readiness(StrEnum):
    """How far a bot has been proven, lowest first (``deprecated`` is the tombstone)."""

    PENDING = "pending"
    DEMO_WIRED = "demo-wired"
    SHADOW_READY = "shadow-ready"
    PRODUCTION_LIVE = "production-live"
    DEPRECATED = "deprecated"


class ProductionLiveRefused(RuntimeError):
    """Raised by :func:`promote_to_production`, always: there is no live venue."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """What is known about the bots. Every field but the first two has a default, so evidence
    of the earlier rungs alone stays valid (the later fields then say "nothing yet").

    Attributes:
        implemented_slugs: bots whose module is implemented (see :func:`discover_implemented`).
        ran_on_recorded_feed: bots that produced output (at least one envelope) in a shadow run
            over a recorded fixture day.
        shadow_hours: hours of fixture time each bot ran in shadow: per partition, the span
            (max − min) of that bot's envelope ``ts_ms``, summed over partitions. A bot absent
            ran 0 h.
        schema_failures: payloads of each bot rejected by their schema (the event store's
            ``rejected_payloads``, whose ``source`` is ``<bot>:<payload type>``); a bot absent
            had 0. ``None`` = unknown (the store could not be read): every bot then stays
            below shadow-ready.
        replayed_identically: bots whose decisions a replay re-derived identically. Empty: the
            replay simulator (gov.replay_simulator) does not exist yet.
        passed_fixture_scenarios: bots that pass their fixture scenarios. Empty: the fixture
            pack does not exist yet.
        as_of: the data's own time of the evidence: the latest envelope ``ts_ms`` as ISO 8601
            UTC, or None when no run is recorded.
    """

    implemented_slugs: frozenset[str]
    ran_on_recorded_feed: frozenset[str]
    shadow_hours: Mapping[str, float] = field(default_factory=dict)
    schema_failures: Mapping[str, int] | None = field(default_factory=dict)
    replayed_identically: frozenset[str] = frozenset()
    passed_fixture_scenarios: frozenset[str] = frozenset()
    as_of: str | None = None

    def hours_of(self, slug: str) -> float:
        """Shadow hours of ``slug`` (0.0 when it never ran)."""
        return float(self.shadow_hours.get(slug, 0.0))

    def failures_of(self, slug: str) -> int | None:
        """Schema failures of ``slug``: 0 when none is recorded, None when unknown."""
        return None if self.schema_failures is None else int(self.schema_failures.get(slug, 0))


def compute_readiness(spec: BotSpec, evidence: Evidence) -> Readiness:
    """Readiness of ``spec`` given ``evidence`` (see the module docstring for each rung).

    Never returns :attr:`Readiness.PRODUCTION_LIVE` (see :func:`promote_to_production`).
    """
    if spec.deprecated:
        return Readiness.DEPRECATED
    slug = spec.slug
    if slug not in evidence.implemented_slugs:
        return Readiness.PENDING
    if (
        slug in evidence.passed_fixture_scenarios
        and evidence.hours_of(slug) >= SHADOW_HOURS_REQUIRED
        and evidence.failures_of(slug) == 0
        and slug in evidence.replayed_identically
    ):
        return Readiness.SHADOW_READY
    if slug in evidence.ran_on_recorded_feed:
        return Readiness.DEMO_WIRED
    return Readiness.PENDING


def promote_to_production(spec: BotSpec, evidence: Evidence) -> NoReturn:
    """The production-live rung: the path exists and refuses, whatever the evidence.

    Raises :class:`ProductionLiveRefused` naming the bot and its computed readiness.
    """
    raise ProductionLiveRefused(
        f"{spec.slug} ({compute_readiness(spec, evidence)}): no live venue: production-live has no code path here"
    )


def bot_facts(slug: str, evidence: Evidence) -> dict[str, str]:
    """The facts of ``slug`` that the op tags and the guide both show, as strings.

    Keys: ``bot``, ``class``, ``phase`` (``P4``), ``capital_impact`` (``Critical`` / ``Direct`` /
    ``Indirect``), ``modes`` (comma-separated, e.g. ``shadow,quarantine``), ``readiness``
    (:func:`compute_readiness`). Raises UnknownBotError for a slug not in the manifest.
    """
    spec = manifest.get(slug)
    return {
        "bot": slug,
        "class": spec.bot_class,
        "phase": f"P{spec.phase}",
        "capital_impact": str(spec.capital_impact),
        "modes": ",".join(str(mode) for mode in spec.modes),
        "readiness": str(compute_readiness(spec, evidence)),
    }


def as_tags(facts: Mapping[str, str]) -> dict[str, str]:
    """``facts`` as Dagster tags: each key prefixed with :data:`TAG_PREFIX`."""
    return {f"{TAG_PREFIX}{key}": value for key, value in facts.items()}


def discover_implemented(package: str = "polytraders.bots") -> frozenset[str]:
    """Slugs of the manifest whose module ``<package>.<class>.<name>`` has the bot shape.

    Scans each class sub-package with :mod:`pkgutil` and imports the modules that are named
    after a manifest bot. A module counts when it imports and exposes ``SLUG`` equal to its slug,
    a ``VERSION`` string and a ``Config`` subclass of :class:`BotConfig`. A module that fails to
    import is not implemented (the bot's own tests report why).
    """
    found = set()
    for bot_class, specs in by_class().items():
        names = {spec.name for spec in specs}
        try:
            class_package = importlib.import_module(f"{package}.{bot_class}")
        except ModuleNotFoundError:
            continue
        for module_info in pkgutil.iter_modules(class_package.__path__):
            slug = f"{bot_class}.{module_info.name}"
            if module_info.name in names and _has_bot_shape(f"{package}.{slug}", slug):
                found.add(slug)
    return frozenset(found)


def _has_bot_shape(module_name: str, slug: str) -> bool:
    try:
        module = importlib.import_module(module_name)
    except Exception:  # any import failure means "not implemented"
        return False
    config = getattr(module, "Config", None)
    return (
        getattr(module, "SLUG", None) == slug
        and isinstance(getattr(module, "VERSION", None), str)
        and isinstance(config, type)
        and issubclass(config, BotConfig)
    )


