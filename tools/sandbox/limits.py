"""The bounds every sandboxed call runs under."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Limits(BaseModel):
    """Per-call bounds. Wall time is enforced by killing the worker from outside; CPU time by
    RLIMIT_CPU (whole seconds: a call may use up to one second more than `cpu_s`); memory by
    RLIMIT_AS on the worker's address space (an allocation beyond it fails inside the worker);
    output by counting the result's UTF-8 bytes and anything the tool prints.
    """

    model_config = ConfigDict(frozen=True)

    wall_s: float = Field(default=10.0, gt=0, description="wall-clock seconds per call")
    cpu_s: float = Field(default=5.0, gt=0, description="CPU seconds per call")
    memory_bytes: int = Field(default=1 << 30, gt=0, description="address space per worker")
    output_bytes: int = Field(default=64 * 1024, gt=0, description="result + printed text")
    startup_s: float = Field(
        default=30.0, gt=0, description="how long a new worker may take to run tool set-up"
    )
