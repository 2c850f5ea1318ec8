"""Conformance over the 500 recorded MOSS-003 plugin conversations, read in place.

The per-folder call counts below were checked by hand (see the test's docstring); the turn
lists name every recorded Commands segment that is not written the canonical way.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from agent.format import Conversation, render_meta_instruction
from agent.parse import parse_commands, parse_meta_instruction
from agent.replay import replay_dir

FOLDERS = ("calculator", "equation_solver", "mix", "text2img", "web_search")
PREFIX = {"calculator": "calculator", "equation_solver": "solver", "mix": "mix", "text2img": "text2img", "web_search": "search"}

# Hand-checked: see test_per_folder_call_counts.
CALLS = {
    "calculator": {"Calculate": 187},
    "equation_solver": {"Solve": 96},
    "mix": {"Calculate": 138, "Search": 231, "Solve": 17},
    "text2img": {"Text2Image": 100},
    "web_search": {"Search": 363},
}
TURNS = {"calculator": 200, "equation_solver": 100, "mix": 250, "text2img": 100, "web_search": 300}

# Every recorded Commands segment that is irregular: (file, turn) -> warning kinds.
IRREGULAR_COMMANDS = {
    ("calculator_plugin_conversation_20.json", "turn_2"): {"irregular_spacing", "expression_arg"},
    ("calculator_plugin_conversation_4.json", "turn_1"): {"expression_arg"},
    ("calculator_plugin_conversation_4.json", "turn_2"): {"expression_arg"},
    ("calculator_plugin_conversation_77.json", "turn_1"): {"malformed_none"},
    ("calculator_plugin_conversation_93.json", "turn_1"): {"numbering", "comment"},
    ("calculator_plugin_conversation_93.json", "turn_2"): {"numbering", "comment"},
    ("calculator_plugin_conversation_96.json", "turn_1"): {"malformed_none"},
    ("solver_plugin_conversation_37.json", "turn_1"): {"multiple_args"},
    ("solver_plugin_conversation_59.json", "turn_1"): {"multiple_args"},
    ("solver_plugin_conversation_60.json", "turn_1"): {"malformed_none"},
    ("mix_plugin_conversation_20.json", "turn_2"): {"irregular_spacing", "trailing_comma"},
    ("mix_plugin_conversation_20.json", "turn_3"): {"irregular_spacing", "trailing_comma"},
    ("mix_plugin_conversation_24.json", "turn_1"): {"malformed_none"},
    ("mix_plugin_conversation_25.json", "turn_1"): {"none_with_calls"},
    ("mix_plugin_conversation_25.json", "turn_3"): {"none_with_calls"},
    ("mix_plugin_conversation_5.json", "turn_3"): {"none_with_calls"},
    ("mix_plugin_conversation_63.json", "turn_1"): {"malformed_none"},
    ("mix_plugin_conversation_63.json", "turn_2"): {"junk"},
    ("mix_plugin_conversation_99.json", "turn_1"): {"newline_separator"},
    ("search_plugin_conversation_18.json", "turn_3"): {"malformed_none"},
    ("search_plugin_conversation_9.json", "turn_3"): {"unknown_tool"},
    ("search_plugin_conversation_93.json", "turn_1"): {"none_with_calls"},
}


@pytest.fixture(scope="module")
def recorded(sft_dir: Path) -> dict[str, list[tuple[Path, dict, Conversation]]]:
    out = {}
    for folder in FOLDERS:
        files = sorted((sft_dir / folder).glob("*.json"))
        out[folder] = [(p, d, Conversation.from_moss_json(d)) for p in files for d in [json.loads(p.read_text("utf-8"))]]
    return out


def test_every_file_and_turn_is_read(recorded) -> None:
    assert {f: len(v) for f, v in recorded.items()} == dict.fromkeys(FOLDERS, 100)
    assert {f: sum(len(c.turns) for _, _, c in v) for f, v in recorded.items()} == TURNS


def test_export_gives_back_every_file_exactly(recorded) -> None:
    for items in recorded.values():
        for path, data, conversation in items:
            assert conversation.to_moss_json() == data, path.name
            assert json.dumps(conversation.to_moss_json(), ensure_ascii=False) == json.dumps(data, ensure_ascii=False)


def test_meta_instructions_re_render_byte_identical(recorded) -> None:
    for items in recorded.values():
        for path, data, _ in items:
            preamble, capabilities = parse_meta_instruction(data["meta_instruction"])
            assert render_meta_instruction(capabilities, preamble) == data["meta_instruction"], path.name


def test_well_formed_segments_re_render_byte_identical(recorded) -> None:
    """A segment with no warnings re-renders byte-identical; all but Commands are all clean."""
    irregular = {}
    for items in recorded.values():
        for path, data, conversation in items:
            for key, turn in zip(data["chat"], conversation.turns):
                canonical = turn.segments()
                for segment, text in data["chat"][key].items():
                    mine = {w.kind for w in turn.parse_warnings if w.segment == segment}
                    if not mine:
                        assert canonical[segment] == text, (path.name, key, segment)
                    if segment == "Commands" and mine:
                        irregular[(path.name, key)] = mine
                    elif mine:
                        pytest.fail(f"{path.name} {key} {segment}: {mine}")
    assert irregular == IRREGULAR_COMMANDS


def test_per_folder_call_counts(recorded) -> None:
    """Counts checked by hand.

    Method: the NOTICE table, an independent count of `Name(` occurrences in every Commands
    segment (grep-like, not this parser), and reading all 22 irregular segments above in full:
    the only `Name(` that is not a call of an enabled tool is web_search's `Count(...)`; the
    three Python-code arguments in calculator are still calls (MOSS answered them
    `No result.`) and are counted.
    """
    for folder, items in recorded.items():
        calls = Counter(c.tool for _, _, conv in items for t in conv.turns for c in t.calls)
        assert dict(calls) == CALLS[folder], folder


def test_hand_read_samples(recorded, sft_dir: Path) -> None:
    def turn(folder: str, n: int, key: str):
        path = sft_dir / folder / f"{PREFIX[folder]}_plugin_conversation_{n}.json"
        conv = Conversation.from_moss_json(json.loads(path.read_text("utf-8")))
        return conv.turns[int(key.split("_")[1]) - 1]

    titanic = turn("mix", 20, "turn_2")
    assert [c.tool for c in titanic.calls] == ["Search"] * 4 + ["Calculate"]
    assert [s.number for e in titanic.rounds[0].recorded_results.entries for s in e.snippets] == [1, 2, 3, 4]
    assert titanic.rounds[0].recorded_results.entries[-1].value == "0.5327868852459017"
    solve_first = turn("mix", 99, "turn_1")
    assert [c.tool for c in solve_first.calls] == ["Solve", "Calculate", "Calculate"]
    assert [e.command.split("(")[0] for e in solve_first.rounds[0].recorded_results.entries] == ["Calculate", "Calculate", "Solve"]
    assert all(e is not None and e.failed for _, e in solve_first.pairs())
    two_args = turn("equation_solver", 37, "turn_1")
    assert two_args.calls[0].args == ("4/3*pi*r^3=13*x^3", "x")
    assert two_args.rounds[0].recorded_results.entries[0].command == 'Solve("4/3*pi*r^3=13*x^3"), "x"'
    assert two_args.pairs()[0][1] is None  # MOSS wrote the entry head differently
    image = turn("text2img", 1, "turn_1")
    assert image.rounds[0].recorded_results.inline == "Image generated successfully." and image.rounds[0].recorded_results.entries == ()


def test_failure_spellings_and_quoting_are_all_seen(recorded) -> None:
    texts = Counter()
    for items in recorded.values():
        for _, _, conv in items:
            for t in conv.turns:
                for e in t.rounds[0].recorded_results.entries:
                    if e.failed:
                        texts[e.text] += 1
                    elif e.shape == "value":
                        texts["quoted" if e.quoted else "bare"] += 1
    assert texts["No calculation results."] == 40
    assert texts["'No result.'"] > 0 and texts["No result."] > 0
    assert texts["quoted"] > 200 and texts["bare"] == 4


def test_search_snippets_are_numbered_across_each_turn(recorded) -> None:
    seen = 0
    for items in recorded.values():
        for _, _, conv in items:
            for t in conv.turns:
                numbers = [s.number for e in t.rounds[0].recorded_results.entries for s in e.snippets]
                if numbers:
                    seen += 1
                    assert numbers == list(range(1, len(numbers) + 1))
    assert seen == 455


def test_commands_parse_without_markers_too(recorded) -> None:
    for items in recorded.values():
        for _, data, conv in items:
            for key, t in zip(data["chat"], conv.turns):
                content = data["chat"][key]["Commands"].removeprefix("<|Commands|>: ").removesuffix("<eoc>\n")
                assert parse_commands(content, conv.known_tools).calls == list(t.calls)


def test_replay_library_agrees(sft_dir: Path) -> None:
    report = replay_dir(sft_dir)
    assert report.ok
    by_folder = {f.folder: f for f in report.folders}
    assert set(by_folder) == set(FOLDERS)
    for folder in FOLDERS:
        assert by_folder[folder].calls == CALLS[folder]
        assert by_folder[folder].turns == TURNS[folder]
    assert sum(f.round_trip_turns for f in report.folders) == 932
