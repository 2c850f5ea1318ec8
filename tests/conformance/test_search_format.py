"""Search results are spelled exactly as in the recorded MOSS conversations."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from plugins.search import SearchConfig, quote, search_result
from plugins.search.render import with_date
from tools import ErrorKind, ToolFailure

_ENTRY = re.compile(r"^(Search\((.*)\)) =>$")
_SNIPPET = re.compile(r"^<\|(\d+)\|>: (.*)$")
CONFIG = SearchConfig(provider="index", index_path=Path("unused"), max_chars=300)


def _turns(sft_dir: Path) -> list[str]:
    out = []
    for folder in ("web_search", "mix"):
        for path in sorted((sft_dir / folder).glob("*.json")):
            for turn in json.loads(path.read_text(encoding="utf-8"))["chat"].values():
                if "Search(" in turn.get("Tool Responses", ""):
                    out.append(turn["Tool Responses"])
    return out


def _complete(quoted: str) -> bool:
    """A recorded snippet that is a whole repr within the default width (not cut, not a
    knowledge-panel line such as `Founded: '2000'`)."""
    if len(quoted) > 300 or "\\ud" in quoted:
        return False
    try:
        return isinstance(ast.literal_eval(quoted), str)
    except (SyntaxError, ValueError):
        return False


class FixedProvider:
    """Answers every query with the texts it was given, as a real provider would."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers

    def search(self, query: str, limit: int) -> list[str]:
        return self.answers.get(query, [])[:limit]


def test_complete_snippets_are_python_reprs(sft_dir: Path) -> None:
    """Every recorded snippet that is not cut short reads back to itself through quote()."""
    checked = 0
    for results in _turns(sft_dir):
        for line in results.splitlines():
            if match := _SNIPPET.match(line):
                try:
                    text = ast.literal_eval(match[2])
                except (SyntaxError, ValueError):
                    continue  # cut at the width; see the next test
                if "\\ud" in match[2]:
                    continue  # escaped surrogate pairs: not a str Python can encode
                assert quote(text, max_chars=10_000) == match[2]
                checked += 1
    assert checked > 800


def test_long_snippets_are_cut_at_the_width_without_closing_quote() -> None:
    text = "Inspired by a comment, " * 30
    quoted = quote(text, 300)
    assert len(quoted) == 300 and quoted.startswith("'Inspired") and not quoted.endswith("'")
    assert quote("short", 300) == "'short'"
    assert quote("it's", 300) == '"it\'s"'


def test_cut_never_splits_an_escape() -> None:
    quoted = quote("a" * 297 + "\u3000rest", 300)
    assert quoted == "'" + "a" * 297


def test_dates_end_the_snippet_on_their_own_line() -> None:
    assert with_date("Founded Facebook.", "2022-07-25T00:00:00") == "Founded Facebook.\nJul 25, 2022"
    assert quote(with_date("x", "2020-03-05")) == "'x\\nMar 5, 2020'"
    assert with_date("x", "not a date") == "x"


def test_recorded_turns_render_identically_with_numbering_across_calls(sft_dir: Path) -> None:
    """Replaying each recorded multi-Search turn through the tool gives the recorded bytes."""
    replayed = 0
    for results in _turns(sft_dir):
        body = results.removeprefix("<|Results|>:\n").removesuffix("\n<eor>\n").rstrip("\n")
        if body.endswith("<eor>"):
            body = body[: -len("<eor>")].rstrip("\n")
        entries: list[tuple[str, str, list[str]]] = []
        for line in body.splitlines():
            if entry := _ENTRY.match(line):
                entries.append((entry[1], ast.literal_eval(entry[2]), []))
            elif (snippet := _SNIPPET.match(line)) and entries:
                entries[-1][2].append(snippet[2])
            else:
                entries = []  # another tool in the turn: compare pure Search turns only
                break
        if len(entries) < 2 or not all(_complete(q) for _, _, s in entries for q in s):
            continue
        provider = FixedProvider({q: [ast.literal_eval(s) for s in sn] for _, q, sn in entries})
        rendered, number = [], 1
        for command, query, _ in entries:
            result = search_result(provider, query, CONFIG)
            rendered.append(command + " =>" + result.render_body(number))
            number += result.snippet_count
        assert "\n".join(rendered) == body
        replayed += 1
    assert replayed >= 20


def test_no_match_is_a_clean_no_result_failure() -> None:
    with pytest.raises(ToolFailure) as caught:
        search_result(FixedProvider({}), "nothing here", CONFIG)
    assert caught.value.kind is ErrorKind.NO_RESULT


def test_empty_query_is_invalid() -> None:
    with pytest.raises(ToolFailure) as caught:
        search_result(FixedProvider({}), "   ", CONFIG)
    assert caught.value.kind is ErrorKind.INVALID_ARGS


def test_results_trimmed_to_configured_count_and_width() -> None:
    config = SearchConfig(provider="index", index_path=Path("unused"), max_results=2, max_chars=20)
    provider = FixedProvider({"q": ["x" * 100, "y", "z"]})
    result = search_result(provider, "q", config)
    assert result.items == ("'" + "x" * 19, "'y'")
