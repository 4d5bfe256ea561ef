"""The base class of every wire object: frozen, extra fields forbidden, versioned."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class WireModel(BaseModel):
    """A frozen pydantic model for one wire object.

    ``SCHEMA_VERSION`` is the object's schema version (semver); it is published in
    ``schemas/manifest.json`` and bumped whenever the exported JSON Schema changes.
    Unknown fields are rejected (``extra="forbid"``): venue payloads are tolerant, our own wire
    objects are not.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)

    SCHEMA_VERSION: ClassVar[str] = "1.0.0"
