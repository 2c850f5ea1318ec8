"""The SearxNG provider against a local server (127.0.0.1 only) speaking SearxNG's JSON."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from plugins.search import ProviderUnavailable, SearchConfig, SearxngProvider, search_result
from tools import ToolFailure

REPO = Path(__file__).resolve().parents[2]

RESULTS = {
    "results": [
        {"title": "Facebook", "url": "https://a", "content": "Facebook  was launched\n\n as "
         "FaceMash.", "publishedDate": "2022-07-25T00:00:00"},
        {"title": "Only a title", "url": "https://b", "content": ""},
        {"title": "dup", "url": "https://c", "content": "Facebook was launched as FaceMash.",
         "publishedDate": "2022-07-25T00:00:00"},
        {"title": "long", "url": "https://d", "content": "x" * 1000},
        "not a dict",
    ]
}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (timeouts, the size cap): that is the point

    def _answer(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        assert url.path == "/search" and query["format"] == ["json"]
        mode = query["q"][0]
        if mode == "slow":
            time.sleep(1.0)
        if mode == "forbidden":
            self.send_response(403)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        if mode == "malformed":
            self.wfile.write(b'{"results": [')
        elif mode == "huge":
            chunk = b" " * 65536
            for _ in range(100):  # 6.4 MB, more than the 2 MiB cap
                self.wfile.write(chunk)
        elif mode == "no results":
            self.wfile.write(json.dumps({"query": "x", "results": []}).encode())
        elif mode == "not searxng":
            self.wfile.write(b"[1, 2, 3]")
        else:
            self.wfile.write(json.dumps(RESULTS).encode())


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_results_become_snippets_with_dates_trimmed_and_deduplicated(server: str) -> None:
    snippets = SearxngProvider(server).search("facebook", 10)
    assert snippets == [
        "Facebook was launched\nas FaceMash.\nJul 25, 2022",
        "Only a title",
        "Facebook was launched as FaceMash.\nJul 25, 2022",
        "x" * 1000,
    ]
    config = SearchConfig(provider="searxng", index_path=Path("unused"), searxng_url=server,
                          max_results=2, max_chars=30)
    result = search_result(SearxngProvider(server), "facebook", config)
    assert result.items == ("'Facebook was launched\\nas FaceMash.\\nJ"[:30], "'Only a title'")


def test_server_down_says_so(server: str) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ProviderUnavailable, match="is not reachable.*MOSS_AGENT_SEARXNG_URL"):
        SearxngProvider(f"http://127.0.0.1:{port}", timeout_s=2).search("q", 3)


def test_slow_server_times_out(server: str) -> None:
    with pytest.raises(ProviderUnavailable, match="did not answer within 0.2 s"):
        SearxngProvider(server, timeout_s=0.2).search("slow", 3)


def test_malformed_json(server: str) -> None:
    with pytest.raises(ProviderUnavailable, match="not JSON"):
        SearxngProvider(server).search("malformed", 3)
    with pytest.raises(ProviderUnavailable, match="without a 'results' list"):
        SearxngProvider(server).search("not searxng", 3)


def test_huge_response_is_dropped(server: str) -> None:
    with pytest.raises(ProviderUnavailable, match="sent more than 2048 KiB"):
        SearxngProvider(server).search("huge", 3)


def test_json_format_disabled(server: str) -> None:
    with pytest.raises(ProviderUnavailable, match="search.formats"):
        SearxngProvider(server).search("forbidden", 3)


def test_failures_reach_the_model_as_no_result(server: str) -> None:
    config = SearchConfig(provider="searxng", index_path=Path("unused"), searxng_url=server)
    with pytest.raises(ToolFailure, match="nothing found"):
        search_result(SearxngProvider(server), "no results", config)
    with pytest.raises(ToolFailure, match="not JSON"):
        search_result(SearxngProvider(server), "malformed", config)


def _moss(tmp_path: Path, server: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MOSS_AGENT_DATA": str(tmp_path), "MOSS_AGENT_SEARXNG_URL": server,
           "MOSS_AGENT_SEARCH_RESULTS": "2"}
    env.pop("MOSS_AGENT_SEARCH", None)
    return subprocess.run([sys.executable, "-m", "agent", *args], env=env, capture_output=True,
                          text=True, timeout=120, cwd=REPO)


def test_call_reaches_the_server_from_a_worker_granted_the_network(
    server: str, tmp_path: Path
) -> None:
    """End to end: the sandbox routes Search to a networked worker, and only Search."""
    listing = json.loads(_moss(tmp_path, server, "tools", "list", "--json").stdout)
    assert listing["network_isolation"] in ("netns", "seccomp")  # offline workers really are
    network = {t["name"]: t["network"] for t in listing["tools"]}
    assert network["Search"] is True
    assert not any(v for name, v in network.items() if name != "Search")

    done = _moss(tmp_path, server, "call", 'Search("facebook"), Calculate("2+3")')
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        'Search("facebook") =>\n'
        "<|1|>: 'Facebook was launched\\nas FaceMash.\\nJul 25, 2022'\n"
        "<|2|>: 'Only a title'\n"
        'Calculate("2+3") => 5\n'
    )
