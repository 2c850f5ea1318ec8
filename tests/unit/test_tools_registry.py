"""The registry: entry-point discovery, broken and clashing plugins, enable/disable."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tools import PluginWarning, Registry, ToolDefinitionError
from tools.errors import UnknownTool
from tests.helpers import sandbox_tools


def make_distribution(root: Path, name: str, entry_points: dict[str, str], code: str) -> None:
    """A minimal installed distribution (dist-info + module) on a sys.path entry."""
    module = name.replace("-", "_")
    (root / f"{module}.py").write_text(textwrap.dedent(code))
    info = root / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    lines = "\n".join(f"{k} = {v}" for k, v in entry_points.items())
    (info / "entry_points.txt").write_text(f"[moss_agent.plugins]\n{lines}\n")


GOOD = """
from tools import tool

@tool(name="Shout", capability="Shouter", signature="Shout(text)")
def shout(text: str) -> str:
    return text.upper()

@tool(name="Echo", capability="Another echo", signature="Echo(text)")
def echo(text: str) -> str:
    return text
"""


@pytest.fixture()
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_distribution(tmp_path, "moss-good", {"Shout": "moss_good:shout"}, GOOD)
    make_distribution(
        tmp_path, "moss-broken", {"Broken": "moss_broken:tool"}, "import not_a_module_anywhere\n"
    )
    make_distribution(tmp_path, "moss-clash", {"Echo": "moss_clash:echo"}, GOOD)
    make_distribution(tmp_path, "moss-notatool", {"Thing": "moss_notatool:thing"}, "thing = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_discovery_keeps_working_plugins_and_warns_about_the_rest(plugins: Path) -> None:
    with pytest.warns(PluginWarning):
        registry = Registry.discover()
    assert registry.get("Shout")("hi").items == ("HI",)
    assert registry.entry("Shout").source == "moss-good"
    assert registry.entry("Shout").spec == "moss_good:shout"
    by_dist = {w.distribution: w for w in registry.warnings}
    assert by_dist["moss-broken"].kind == "import_failed"
    assert "moss-broken" in by_dist["moss-broken"].message
    assert "not_a_module_anywhere" in by_dist["moss-broken"].message
    assert by_dist["moss-notatool"].kind == "invalid_plugin"
    # Echo is claimed by moss-clash only once here; the clash test below adds a second claim.
    assert "Echo" in registry


def test_two_plugins_claiming_one_name(plugins: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    second = plugins / "second"
    second.mkdir()
    make_distribution(second, "moss-zz-clash", {"Echo": "moss_zz_clash:echo"}, GOOD)
    monkeypatch.syspath_prepend(str(second))
    with pytest.warns(PluginWarning, match="moss-zz-clash"):
        registry = Registry.discover()
    clash = [w for w in registry.warnings if w.kind == "duplicate_name"]
    assert len(clash) == 1
    assert clash[0].distribution == "moss-zz-clash"
    assert "moss-clash" in clash[0].message  # names the one that was kept
    assert registry.entry("Echo").source == "moss-clash"


def test_builtins_that_do_not_import_yet_do_not_break_discovery() -> None:
    registry = Registry.discover()
    for warning in registry.warnings:
        assert warning.distribution and warning.message
    for name in ("Calculate", "Solve", "Search"):
        assert name in registry or any(name in w.entry_point for w in registry.warnings)


def test_programmatic_registry_enable_disable_and_capabilities() -> None:
    registry = Registry(tools=[sandbox_tools.echo, sandbox_tools.Counter])
    assert [t.name for t in registry] == ["Echo", "Count"]
    assert registry.entry("Count").spec == "tests.helpers.sandbox_tools:Counter"
    registry.disable("Count")
    assert registry.capabilities() == [("Echo", "Echo(text)", True), ("Counter", "Count()", False)]
    assert not registry.is_enabled("Count")
    registry.enable("Count")
    assert registry.is_enabled("Count")
    with pytest.raises(UnknownTool, match="no tool named 'Nope'"):
        registry.get("Nope")
    with pytest.raises(ToolDefinitionError, match="already registered"):
        registry.add(sandbox_tools.echo)
