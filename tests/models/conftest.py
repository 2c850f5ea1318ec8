"""Every test in this folder loads a real model (seconds to minutes), so every one is marked
`slow` here rather than one by one: `pytest -m "not slow"` leaves the folder out."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark before `-m` selects (this hook sees the whole session's items: only ours are marked)."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.slow)
