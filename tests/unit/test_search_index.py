"""`moss-agent index` and the local index: Chinese search, duplicates, bad files, nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from plugins.search.cli import index as index_cli
from plugins.search import Search, SearchConfig, SearchIndex, is_available, read_document
from plugins.search.documents import html_to_text, split_passages
from tools import ErrorKind, ToolFailure

ZH = "英伟达是一家人工智能计算公司，由黄仁勋于1993年创立。\n\n它的GPU被广泛用于深度学习训练。"
EN = "# Facebook\n\nFacebook was launched as FaceMash on October 28, 2003, by Mark Zuckerberg."


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "zh.txt").write_text(ZH, encoding="utf-8")
    (tmp_path / "en.md").write_text(EN, encoding="utf-8")
    return tmp_path


def run(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(index_cli, ["--index", str(tmp_path / "ix.sqlite3"), *args])
    return result.exit_code, result.output


def passages(tmp_path: Path) -> int:
    with SearchIndex(tmp_path / "ix.sqlite3") as idx:
        return idx.passage_count()


def search(tmp_path: Path, query: str) -> list[str]:
    with SearchIndex(tmp_path / "ix.sqlite3") as idx:
        return [hit.text for hit in idx.search(query, 3)]


def test_add_and_search_chinese_and_english(workspace: Path) -> None:
    code, out = run(workspace, "add", str(workspace / "zh.txt"), str(workspace / "en.md"))
    assert code == 0, out
    assert search(workspace, "黄仁勋创立的公司")[0].startswith("英伟达")
    assert search(workspace, "人工智能")  # a word inside a longer run of Han characters
    assert "FaceMash" in search(workspace, "when was facemash launched")[0]
    assert search(workspace, "完全无关的量子引力") == []


def test_adding_the_same_file_twice_keeps_one_copy(workspace: Path) -> None:
    run(workspace, "add", str(workspace / "zh.txt"))
    before = passages(workspace)
    code, out = run(workspace, "add", str(workspace / "zh.txt"))
    assert code == 0 and "unchanged" in out
    (workspace / "copy.txt").write_text(ZH, encoding="utf-8")
    code, out = run(workspace, "add", str(workspace / "copy.txt"))
    assert code == 0 and "same content as" in out
    assert passages(workspace) == before


def test_a_changed_file_is_reindexed_not_duplicated(workspace: Path) -> None:
    run(workspace, "add", str(workspace / "en.md"))
    (workspace / "en.md").write_text("Something else entirely about quantum gravity.")
    code, _ = run(workspace, "add", str(workspace / "en.md"))
    assert code == 0
    assert search(workspace, "facemash") == []
    assert search(workspace, "quantum gravity")


def test_bad_files_are_reported_and_nothing_is_lost(workspace: Path) -> None:
    run(workspace, "add", str(workspace / "zh.txt"))
    before = passages(workspace)
    (workspace / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    big = workspace / "big.txt"
    with big.open("wb") as handle:  # sparse: 50 MB on paper, nothing written
        handle.truncate(50 * 1024 * 1024)
    code, out = run(
        workspace, "add", str(workspace / "image.txt"), str(big),
        str(workspace / "vanished.txt"), str(workspace / "en.md"),
    )
    assert code == 1
    assert "binary" in out
    assert "50.0 MB is over the 20.0 MB limit" in out and "--max-size" in out
    assert "vanished.txt: no such file" in out
    assert "added" in out and "en.md" in out  # the good file after the bad ones still goes in
    assert passages(workspace) > before
    assert search(workspace, "黄仁勋")


def test_a_vanished_file_is_listed_as_missing_and_can_be_removed(workspace: Path) -> None:
    run(workspace, "add", str(workspace / "en.md"), str(workspace / "zh.txt"))
    (workspace / "en.md").unlink()
    code, out = run(workspace, "list")
    assert code == 0 and "en.md  (file no longer exists)" in out
    code, out = run(workspace, "rm", str(workspace / "en.md"))
    assert code == 0 and "removed" in out
    assert search(workspace, "facemash") == []
    assert search(workspace, "黄仁勋")
    code, out = run(workspace, "rm", str(workspace / "en.md"))
    assert code == 1 and "not in the index" in out


def test_list_without_an_index_says_how_to_make_one(tmp_path: Path) -> None:
    code, out = run(tmp_path, "list")
    assert code == 0 and "moss-agent index add" in out
    assert not (tmp_path / "ix.sqlite3").exists()


def test_html_keeps_visible_text_only(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>t</title><style>p{}</style></head><body><p>可见的 <b>文字</b></p>"
        "<script>var secret = 1;</script><div>second</div></body></html>",
        encoding="utf-8",
    )
    text = "\n".join(read_document(page).passages)
    assert "可见的 文字" in text and "second" in text and "secret" not in text
    assert html_to_text("<p>a &amp; b</p>") == "a & b"


def test_passages_stay_near_the_snippet_width() -> None:
    text = "这是一个句子。" * 200 + "\n\n" + "word " * 400
    parts = list(split_passages(text))
    assert len(parts) > 5 and all(len(p) <= 280 for p in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


def test_search_tool_uses_the_configured_index(workspace: Path) -> None:
    run(workspace, "add", str(workspace / "zh.txt"))
    tool = Search()
    tool.config = SearchConfig.from_env({}, data_dir=workspace).with_index(workspace / "ix.sqlite3")
    result = tool.run("黄仁勋")
    assert result.items[0].startswith("'英伟达是一家人工智能计算公司")
    assert result.render_body(2).startswith("\n<|2|>: '英伟达")
    with pytest.raises(ToolFailure) as caught:
        tool.run("完全无关的量子引力")
    assert caught.value.kind is ErrorKind.NO_RESULT
    assert is_available(tool.config)


def test_progress_is_told_of_every_passage_added_and_rebuilt(tmp_path: Path) -> None:
    counted: list[int] = []
    with SearchIndex(tmp_path / "ix.sqlite3") as idx:
        assert idx.add("a", "0" * 64, 1, [f"passage {i}" for i in range(7)], counted.append) == 7
        assert sum(counted) == 7
        assert idx.rebuild_terms(counted.append) == 7
        assert sum(counted) == 14


def test_an_index_from_an_older_version_is_updated_not_lost(workspace: Path) -> None:
    run(workspace, "add", str(workspace / "zh.txt"), str(workspace / "en.md"))
    before = passages(workspace)
    import sqlite3

    with sqlite3.connect(workspace / "ix.sqlite3") as raw:  # as version 1 left it: other terms
        raw.execute("UPDATE passage_terms SET terms = 'stale'")
        raw.execute("PRAGMA user_version = 1")
    with SearchIndex(workspace / "ix.sqlite3", create=False) as idx:
        assert idx.outdated and idx.search("黄仁勋") == []  # still opens; answers what it can
    code, out = run(workspace, "list")
    assert code == 0 and f"updating the index terms of {before} passages" in out
    assert search(workspace, "黄仁勋") and search(workspace, "facemash")
    with SearchIndex(workspace / "ix.sqlite3", create=False) as idx:
        assert not idx.outdated and idx.passage_count() == before


def test_an_index_from_a_newer_version_is_refused_with_a_reason(workspace: Path) -> None:
    run(workspace, "add", str(workspace / "zh.txt"))
    import sqlite3

    with sqlite3.connect(workspace / "ix.sqlite3") as raw:
        raw.execute("PRAGMA user_version = 99")
    code, out = run(workspace, "list")
    assert code == 1 and "newer moss-agent" in out
