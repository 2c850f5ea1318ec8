"""Search is offered to the model exactly when a provider can answer, and only then."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugins.search import SearchConfig, SearchError, SearchIndex, is_available
from plugins.search.config import INDEX_FILENAME, default_data_dir


def make_index(folder: Path, *, passages: list[str]) -> None:
    with SearchIndex(folder / INDEX_FILENAME) as idx:
        if passages:
            idx.add("doc", "hash", 1, passages)


@pytest.fixture()
def unconfigured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No search setting in the environment, and an empty data folder: Search has nothing."""
    monkeypatch.setenv("MOSS_AGENT_DATA", str(tmp_path))
    monkeypatch.delenv("MOSS_AGENT_SEARXNG_URL", raising=False)
    monkeypatch.delenv("MOSS_AGENT_SEARCH", raising=False)


def test_nothing_configured_means_disabled(tmp_path: Path) -> None:
    config = SearchConfig.from_env({"MOSS_AGENT_DATA": str(tmp_path)})
    assert config.provider == "index" and config.index_path.parent == tmp_path
    assert not is_available(config) and not config.network
    assert not (tmp_path / INDEX_FILENAME).exists()  # asking does not create an index


def test_an_empty_index_is_still_disabled(tmp_path: Path) -> None:
    make_index(tmp_path, passages=[])
    assert not is_available(SearchConfig.from_env({"MOSS_AGENT_DATA": str(tmp_path)}))


def test_an_index_with_passages_enables_search(tmp_path: Path) -> None:
    make_index(tmp_path, passages=["人工智能芯片"])
    assert is_available(SearchConfig.from_env({}, data_dir=tmp_path))


def test_a_corrupt_index_is_disabled_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / INDEX_FILENAME).write_bytes(b"not sqlite at all" * 100)
    assert not is_available(SearchConfig.from_env({}, data_dir=tmp_path))


def test_searxng_enables_search_and_network(tmp_path: Path) -> None:
    env = {"MOSS_AGENT_DATA": str(tmp_path), "MOSS_AGENT_SEARXNG_URL": "http://127.0.0.1:8888"}
    config = SearchConfig.from_env(env)
    assert config.provider == "searxng" and config.network and is_available(config)
    forced = SearchConfig.from_env({**env, "MOSS_AGENT_SEARCH": "index"})
    assert forced.provider == "index" and not forced.network


def test_off_disables_even_with_an_index(tmp_path: Path) -> None:
    make_index(tmp_path, passages=["text"])
    config = SearchConfig.from_env({"MOSS_AGENT_DATA": str(tmp_path), "MOSS_AGENT_SEARCH": "off"})
    assert not is_available(config) and not config.network


@pytest.mark.parametrize(
    "env, message",
    [
        ({"MOSS_AGENT_SEARCH": "google"}, "not one of"),
        ({"MOSS_AGENT_SEARCH": "searxng"}, "needs MOSS_AGENT_SEARXNG_URL"),
        ({"MOSS_AGENT_SEARCH_RESULTS": "0"}, "positive whole number"),
    ],
)
def test_bad_settings_say_what_to_fix(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(SearchError, match=message):
        SearchConfig.from_env({"MOSS_AGENT_DATA": str(tmp_path), **env})


def test_data_dir_follows_moss_agent_data(tmp_path: Path) -> None:
    assert default_data_dir({"MOSS_AGENT_DATA": str(tmp_path)}) == tmp_path
    assert default_data_dir({}).name == "moss-agent"


@pytest.mark.usefixtures("unconfigured")
def test_meta_instruction_lists_search_as_configured(tmp_path: Path) -> None:
    """The agent's meta instruction says enabled/disabled as the configuration says."""
    from agent import Agent
    from agent.backends import ScriptedBackend
    from plugins.search import Search
    from tools import Registry

    without_index = Agent(ScriptedBackend([]), registry=Registry([Search]))
    assert "- Web search: disabled." in without_index.prefix
    assert [t.name for t in without_index.tools] == []
    make_index(tmp_path, passages=["text"])
    with_index = Agent(ScriptedBackend([]), registry=Registry([Search]))
    assert "- Web search: enabled. API: Search(query)" in with_index.prefix
    assert [t.name for t in with_index.tools] == ["Search"]


def test_search_is_a_well_formed_tool() -> None:
    from plugins.search import Search

    tool = Search()
    if not hasattr(tool, "check"):
        pytest.skip("the SDK's Tool base class is not there yet")
    tool.check()
    assert (Search.name, Search.capability, Search.signature) == (
        "Search", "Web search", "Search(query)"
    )


@pytest.mark.parametrize("url, network", [("http://127.0.0.1:8888", True), ("", False)])
def test_network_permission_only_with_searxng(tmp_path: Path, url: str, network: bool) -> None:
    """What the sandbox asks when it routes a Search call follows the environment."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "MOSS_AGENT_DATA": str(tmp_path), "MOSS_AGENT_SEARXNG_URL": url}
    env.pop("MOSS_AGENT_SEARCH", None)
    out = subprocess.run(
        [sys.executable, "-c",
         "from plugins.search import Search; print(Search().needs_network())"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    assert out.strip() == str(network)


@pytest.mark.usefixtures("unconfigured")
def test_network_permission_follows_a_server_configured_after_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plugins.search import Search

    assert Search().needs_network() is False
    monkeypatch.setenv("MOSS_AGENT_SEARXNG_URL", "http://127.0.0.1:8888")
    assert Search().needs_network() is True
    configured = Search()
    configured.config = SearchConfig(provider="index", index_path=tmp_path / "ix.sqlite3")
    assert configured.needs_network() is False  # an explicit configuration wins


@pytest.mark.usefixtures("unconfigured")
def test_asking_for_search_without_an_index_warns_with_what_to_do() -> None:
    from agent import Agent
    from agent.backends import ScriptedBackend
    from tools import ToolUnavailableWarning

    with pytest.warns(ToolUnavailableWarning, match="Search is not offered.*moss-agent index add"):
        agent = Agent(ScriptedBackend([]), tools=["Search", "Calculate"])
    assert [t.name for t in agent.tools] == ["Calculate"]


@pytest.mark.usefixtures("unconfigured")
def test_a_bad_search_setting_disables_search_instead_of_failing_the_agent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from agent import Agent
    from agent.backends import ScriptedBackend
    from plugins.search import Search

    monkeypatch.setenv("MOSS_AGENT_SEARCH", "bogus")
    assert Search.unavailable_reason() == (
        "MOSS_AGENT_SEARCH='bogus' is not one of auto, index, searxng, off"
    )
    agent = Agent(ScriptedBackend([" t<eot>", " None<eoc>", " ok<eom>"]))
    assert "- Web search: disabled." in agent.prefix
    assert agent.run("hi").reply == "ok"
