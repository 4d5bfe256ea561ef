"""Bot readiness: computed from evidence, never typed in.

A bot climbs ``pending → demo-wired → shadow-ready → production-live``; ``deprecated`` is the
tombstone of a retired bot. Only the first two rungs (and the tombstone) are reachable today:

- **demo-wired** — its module is implemented (``polytraders/bots/<class>/<name>.py`` imports and
  exposes ``SLUG``, ``VERSION`` and a ``Config``) *and* it produced output in a shadow run over a
  recorded fixture day. The runtime reads that set of slugs from its DuckDB store; this module
  only accepts it. A scaffold (``pt-bot new``) has the module shape but its entry point raises,
  so it never produces output and stays pending.
- **shadow-ready** needs a 24 h fixture shadow run, its fixture scenarios and an identical
  replay: later issues add that evidence, so no code path reaches it yet.
- **production-live** has no code path at all: there is no live venue.

The build gates (``polytraders gates``, a later issue) are reported by
:func:`gates_green_through`; until they exist every gate is pending, never vacuously green.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from enum import StrEnum

from polytraders.bots.base import BotConfig
from polytraders.bots.manifest import PHASES, BotSpec, by_class


class Readiness(StrEnum):
    """How far a bot has been proven, lowest first (``deprecated`` is the tombstone)."""

    PENDING = "pending"
    DEMO_WIRED = "demo-wired"
    SHADOW_READY = "shadow-ready"
    PRODUCTION_LIVE = "production-live"
    DEPRECATED = "deprecated"


@dataclass(frozen=True, slots=True)
class Evidence:
    """What is known about the bots, as sets of slugs.

    Attributes:
        implemented_slugs: bots whose module is implemented (see :func:`discover_implemented`).
        ran_on_recorded_feed: bots that produced output in a shadow run over a recorded fixture
            day (read by the runtime from its event store).
    """

    implemented_slugs: frozenset[str]
    ran_on_recorded_feed: frozenset[str]


def compute_readiness(spec: BotSpec, evidence: Evidence) -> Readiness:
    """Readiness of ``spec`` given ``evidence``: deprecated, demo-wired or pending."""
    if spec.deprecated:
        return Readiness.DEPRECATED
    if spec.slug in evidence.implemented_slugs and spec.slug in evidence.ran_on_recorded_feed:
        return Readiness.DEMO_WIRED
    return Readiness.PENDING


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


def gates_green_through(phase: int) -> tuple[bool, str]:
    """Whether the build gates P1..``phase`` are all green, and why not.

    No gate is implemented yet (``polytraders gates`` is a later issue), so the answer is
    ``(False, "gate P1 not implemented yet: pending")``: a gate never passes vacuously.
    Raises ``ValueError`` for a phase outside 1..8.
    """
    if phase not in PHASES:
        raise ValueError(f"phase {phase} not in {PHASES}")
    return False, "gate P1 not implemented yet: pending"
