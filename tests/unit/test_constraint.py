"""Constrained Commands: the grammar's two forms agree, the parser reads whatever it allows, and
every backend kind enforces it (SmolLM2 for the local ones: too small to follow the protocol, so
left free it writes prose where the calls belong)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.backends.base import GenerationEnd
from agent.backends.scripted import ScriptedBackend
from agent.constraint import CommandsGrammar
from agent.format import Call
from agent.loop import TurnLoop, TurnPolicy, quote_call
from agent.parse import parse_commands
from tests.helpers.http_server import Scripted, scripted, sse, status  # noqa: F401  (pytest fixture)
from tools import ToolResult

GRAMMAR = CommandsGrammar(["Calculate", "Solve", "Search"])
EOC = "<eoc>"

# Printable characters up to U+2FFFF: llama.cpp's byte tokens for control characters and for
# unassigned planes (seen: U+40000, \x16) do not spell them back, and no model writes them in Commands.
arg = st.text(alphabet=st.characters(max_codepoint=0x2FFFF, blacklist_characters='"\\\n<',
                                     blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)
call = st.tuples(st.sampled_from(GRAMMAR.tools), st.lists(arg, min_size=1, max_size=3)).map(
    lambda c: quote_call(Call(tool=c[0], args=tuple(c[1]), text="")).text)
calls = st.lists(call, max_size=3)


def segment_of(cs: list[str]) -> str:
    return " " + (", ".join(cs) if cs else "None")


segment = calls.map(segment_of)


@settings(max_examples=200, deadline=None)
@given(calls)
def test_every_well_formed_segment_and_each_of_its_prefixes_is_allowed(cs: list[str]) -> None:
    text = segment_of(cs)
    whole = text + EOC
    assert GRAMMAR.complete(whole)
    assert all(GRAMMAR.allows(whole[:i]) for i in range(len(whole) + 1))
    parsed = parse_commands(text, known_tools=GRAMMAR.tools)
    assert not [w for w in parsed.warnings if w.kind != "multiple_args"]  # arity is the tool's to check
    assert len(parsed.calls) == len(cs) and parsed.none == (not cs)


@pytest.mark.parametrize("bad", [
    " I think the answer is 5<eoc>", " Calculate(2^10)<eoc>", ' Calculate("")<eoc>', " Weather(\"x\")<eoc>", ' Calculate("a\nb")<eoc>',
    ' Calculate("<eoc>")', " Calculate()<eoc>", " none<eoc>", ' Calculate("1")Calculate("2")<eoc>',
])
def test_what_the_grammar_refuses(bad: str) -> None:
    assert not GRAMMAR.complete(bad)
    assert not all(GRAMMAR.allows(bad[:i]) for i in range(len(bad) + 1))


def test_text_after_the_end_marker_is_the_stop_scanners_business() -> None:
    assert GRAMMAR.allows(' Calculate("1")<eoc>\n<|Results|>')
    assert not GRAMMAR.allows(" prose<eoc>\n")


def run_loop(policy: TurnPolicy, tools: list[str]) -> ScriptedBackend:
    backend = ScriptedBackend([" t<eot>", ' Calculate("2*3")<eoc>', " six<eom>"])
    backend.reset("meta\n")
    runner = lambda calls: [ToolResult.value("6") for _ in calls]  # noqa: E731
    list(TurnLoop(backend, runner, policy=policy, known_tools=tools).run("q"))
    return backend


def test_the_loop_constrains_only_the_commands_segment() -> None:
    constraints = [o["constraint"] for o in run_loop(TurnPolicy(constrain_commands=True), ["Calculate"]).options]
    assert constraints[0] is None and constraints[2] is None
    assert isinstance(constraints[1], CommandsGrammar) and constraints[1].tools == ("Calculate",)
    off = run_loop(TurnPolicy(constrain_commands=False), ["Calculate"]).options
    assert all(o["constraint"] is None for o in off)
    assert all(o["constraint"] is None for o in run_loop(TurnPolicy(constrain_commands=True), []).options)


# -- the HTTP backend sends the grammar, and gives up on a server that refuses it --------------
def test_http_sends_the_grammar_and_drops_it_for_a_server_that_refuses_it(scripted) -> None:  # noqa: F811
    from agent.backends.http import HttpBackend

    server = scripted(
        status(400, {"error": {"message": "unknown field: grammar"}}),
        sse(' Calculate("1")', finish="length"),
        sse(' Calculate("2")', finish="length"),
    )
    backend = HttpBackend(server.url, "m", backoff=0.0)
    backend.reset("p")
    for _ in range(2):
        list(backend.generate([], 8, constraint=GRAMMAR))
    bodies = [body for _, body in server.requests]
    assert "grammar" in bodies[0] and bodies[0]["grammar"] == GRAMMAR.gbnf()
    assert "grammar" not in bodies[1] and "grammar" not in bodies[2]
    assert backend.transcript == 'p Calculate("1") Calculate("2")'


# -- real models -------------------------------------------------------------------------------
PROMPT = ("<|im_start|>user\nWhat is 12 times 31? Think aloud.<|im_end|>\n<|im_start|>assistant\n"
          "<|Inner Thoughts|>: I multiply.<eot>\n<|Commands|>:")
STOPS = [EOC, "<|im_end|>"]


def constrained_text(backend: Any, constraint: CommandsGrammar | None, **options: Any) -> str:
    backend.reset(PROMPT)
    items = list(backend.generate(STOPS, 40, constraint=constraint, **options))
    end = items[-1]
    assert isinstance(end, GenerationEnd)
    return end.text + (end.stop or "")


@pytest.fixture(scope="module")
def smol_llamacpp() -> Iterator[Any]:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    from agent.backends.assets import smollm2_path
    from agent.backends.llamacpp import LlamaCppBackend

    yield LlamaCppBackend.from_gguf(smollm2_path(), n_threads=2, n_ctx=1024, seed=7)


@pytest.mark.slow
def test_transformers_writes_only_what_the_grammar_allows() -> None:
    from agent.backends.assets import smollm2_path
    from agent.backends.transformers import TransformersBackend

    backend = TransformersBackend.from_pretrained(smollm2_path(), "float32", seed=3)
    free = constrained_text(backend, None)
    assert not GRAMMAR.allows(free)  # left alone, this model does not write a call
    assert GRAMMAR.allows(constrained_text(backend, GRAMMAR))
    for _ in range(3):  # sampled, as a vote samples (it may not finish within 40 tokens)
        assert GRAMMAR.allows(constrained_text(backend, GRAMMAR, temperature=0.9))


@pytest.mark.slow
def test_llamacpp_writes_only_what_the_grammar_allows(smol_llamacpp: Any) -> None:
    free = constrained_text(smol_llamacpp, None)
    assert not GRAMMAR.allows(free)
    assert GRAMMAR.allows(constrained_text(smol_llamacpp, GRAMMAR))
    for _ in range(3):
        assert GRAMMAR.allows(constrained_text(smol_llamacpp, GRAMMAR, temperature=0.9))


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(text=segment)
def test_llamacpps_grammar_accepts_exactly_what_the_regex_accepts(smol_llamacpp: Any, text: str) -> None:
    """Feed a segment's tokens through llama.cpp's grammar: a well-formed one passes whole; one
    with prose in the middle is refused at some token."""
    from agent.backends.llamacpp_choice import TokenChooser

    backend = smol_llamacpp
    for candidate, ok in ((text + EOC, True), (text + " and more prose" + EOC, False)):
        chooser = TokenChooser(backend._lib, backend._vocab, backend._n_vocab, backend._np, backend._rng,
                               gbnf=GRAMMAR.gbnf())
        try:
            tokens = backend.llama.tokenize(candidate.encode(), add_bos=False, special=False)
            accepted = True
            for token in tokens:
                if not chooser._allowed(token):
                    accepted = False
                    break
                backend._lib.llama_sampler_accept(chooser._grammar, token)
            assert accepted == ok == GRAMMAR.complete(candidate), candidate
        finally:
            chooser.close()
