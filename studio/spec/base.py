"""Base class shared by every spec model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

SCHEMA_VERSION = 1
MAX_ID = 2**63 - 1  # the largest id a database integer column holds (datasets, documents)


class SpecModel(BaseModel):
    """A strict model: unknown keys are an error, so a typo in a saved spec is caught on load."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
