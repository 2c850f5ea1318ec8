"""The bounds every sandboxed call runs under."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Limits(BaseModel):
    """Per-call bounds. Wall time is enforced by killing the worker from outside; CPU time by
    RLIMIT_CPU (whole seconds: a call may use up to one second more than `cpu_s`); memory by
    RLIMIT_AS on the worker's address space (an allocation beyond it fails inside the worker)
    and, where the kernel offers a cgroup, by a memory limit on the worker and everything it
    starts (page cache and tmpfs included: exceeding it kills the worker); processes by the
    cgroup's pids limit or RLIMIT_NPROC; output by counting the result's UTF-8 bytes and
    anything the tool prints; files written by RLIMIT_FSIZE (and the scratch tmpfs's size
    under the mount-namespace fallback).
    """

    model_config = ConfigDict(frozen=True)

    wall_s: float = Field(default=10.0, gt=0, description="wall-clock seconds per call")
    cpu_s: float = Field(default=5.0, gt=0, description="CPU seconds per call")
    memory_bytes: int = Field(default=1 << 30, gt=0, description="address space per worker")
    processes: int = Field(
        default=64, ge=2, description="processes and threads per worker, itself included"
    )
    scratch_bytes: int = Field(
        default=256 << 20, gt=0, description="largest file a call may write (its scratch size)"
    )
    output_bytes: int = Field(default=64 * 1024, gt=0, description="result + printed text")
    startup_s: float = Field(
        default=30.0, gt=0, description="how long a new worker may take to run tool set-up"
    )
