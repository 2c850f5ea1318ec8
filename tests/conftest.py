"""Shared fixtures: where the recorded MOSS conversations live.

The 500 conversations are read in place from `../shared/moss-sft-plugin` beside the repository
(or from `MOSS_SFT_DIR`); tests never copy them into the repository and never write there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Tests share the cores with pytest, sandbox workers and servers they start: OpenMP threads
# that spin while waiting (the default) slow everything else down there, so they wait
# passively. Set before anything imports torch or llama_cpp.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

REPO_ROOT = Path(__file__).resolve().parent.parent


def sft_root() -> Path:
    return Path(os.environ.get("MOSS_SFT_DIR", REPO_ROOT.parent / "shared" / "moss-sft-plugin"))


@pytest.fixture(scope="session")
def sft_dir() -> Path:
    root = sft_root()
    if not root.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the recorded MOSS conversations are missing: {root}")
        pytest.skip(f"recorded MOSS conversations not found at {root} (set MOSS_SFT_DIR)")
    return root


def pytest_unconfigure(config: pytest.Config) -> None:
    """Close the two /dev/null files llama_cpp opens at import and never closes: once a test
    has recorded a warning, CPython reports them at exit as a ResourceWarning on the terminal."""
    import sys

    utils = sys.modules.get("llama_cpp._utils")
    for name in ("outnull_file", "errnull_file"):
        handle = getattr(utils, name, None)
        if handle is not None:
            handle.close()
