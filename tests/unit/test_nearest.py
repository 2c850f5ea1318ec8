"""The nearest pool examples: what resembles a question, and where they sit in the transcript."""

from __future__ import annotations

from agent import Agent
from agent.backends.scripted import ScriptedBackend
from agent.events import TurnStarted
from agent.examples import PLAIN_EXAMPLES, PLAIN_POOL, pool_turns
from agent.format import Turn
from agent.nearest import MISMATCH, NearestExamples
from tools import Registry

REGISTRY = Registry.discover()
EXAMPLES = [e for name in ("Calculate", "Solve", "Search") for e in REGISTRY.get(name).examples]


def turn(question: str) -> Turn:
    return Turn(question=question, thoughts="t", reply="r")


def test_the_nearest_is_the_question_of_the_same_shape_whatever_its_numbers() -> None:
    index = NearestExamples([turn("What is the cube root of 4913?"), turn("What is 4913 plus 19683?"),
                             turn("Find the mean of 3, 5 and 10.")])
    nearest = index.nearest("What is the cube root of 19683?", 1)
    assert [t.question for t in nearest] == ["What is the cube root of 4913?"]
    assert index.nearest("Find the mean of 92, 49, 97 and 75.", 1)[0].question == "Find the mean of 3, 5 and 10."


def test_the_most_similar_comes_last_right_before_the_question() -> None:
    index = NearestExamples([turn("How many seconds are in 2 days?"), turn("Tell me a joke."),
                             turn("How many minutes are in 3 hours?")])
    got = [t.question for t in index.nearest("How many seconds are in 5 days?", 2)]
    assert got == ["How many minutes are in 3 hours?", "How many seconds are in 2 days?"]


def test_chinese_questions_find_chinese_examples() -> None:
    index = NearestExamples([turn("“勤奋”的反义词是什么？"), turn("What is the opposite of 'brave'?"),
                             turn("12和20的最小公倍数是多少？")])
    assert index.nearest("“高”的反义词是什么？", 1)[0].question == "“勤奋”的反义词是什么？"
    assert index.nearest("18和24的最小公倍数是多少？", 1)[0].question == "12和20的最小公倍数是多少？"


def test_no_examples_when_k_is_zero_or_the_pool_is_empty() -> None:
    assert NearestExamples([turn("a question")]).nearest("a question", 0) == []
    assert NearestExamples([]).nearest("a question", 3) == []
    assert NearestExamples([turn("only one")]).nearest("anything at all", 5) == [turn("only one")]


def test_every_pool_question_finds_itself_first() -> None:
    pool = pool_turns(EXAMPLES, ["Calculate", "Solve", "Search"])
    index = NearestExamples(pool)
    for example in pool:
        assert index.nearest(example.question, 1) == [example], example.question


def test_the_pool_holds_only_examples_of_enabled_tools_and_the_plain_ones() -> None:
    pool = pool_turns(EXAMPLES, ["Calculate"])
    called = {c.tool for t in pool for c in t.calls}
    assert called == {"Calculate"}
    assert sum(not t.calls for t in pool) == len(PLAIN_POOL) + sum(
        p.shown({"Calculate"}, "short") for p in PLAIN_EXAMPLES)
    everything = pool_turns(EXAMPLES, ["Calculate", "Solve", "Search"])
    assert {c.tool for t in everything for c in t.calls} == {"Calculate", "Solve", "Search"}
    assert any(len(t.rounds) == 2 for t in everything)  # a lookup, then a calculation


def calc_turn(expression: str, reply: str) -> list[str]:
    return [" I need the calculator.<eot>", f' Calculate("{expression}")<eoc>', f" {reply}<eom>"]


def test_the_examples_sit_before_the_question_for_that_turn_only() -> None:
    backend = ScriptedBackend(calc_turn("root(19683, 3)", "It is 27.") + calc_turn("6*7", "It is 42."))
    with Agent(backend, tools=["Calculate"], few_shot=True, policy={"nearest_examples": 1}) as agent:
        session = agent.session()
        events = list(session.stream("What is the cube root of 19683?"))
        assert isinstance(events[0], TurnStarted) and events[0].examples[-1] == "What is the cube root of 4913?"
        first = session.turns[-1]
        assert first.reply == "It is 27."
        prompt = backend.calls[0]
        example = prompt.rindex("What is the cube root of 4913?")
        assert prompt.index("What is the cube root of 19683?") > example > len(agent.prefix)
        assert 'Calculate("root(4913, 3)")' in prompt[example:]
        second = session.run("What is 6 times 7?")
        assert second.reply == "It is 42."
        later = backend.calls[-1]
        # the history is the first turn alone, its example gone; this turn's example follows it
        assert later[len(agent.prefix):].startswith(agent.framing.open_turn("What is the cube root of 19683?"))
        assert later.count("What is the cube root of 19683?") == 1
        assert [t.question for t in session.turns] == ["What is the cube root of 19683?", "What is 6 times 7?"]


def test_two_by_default_none_when_off_and_never_for_a_model_shown_no_examples() -> None:
    with Agent(ScriptedBackend([]), tools=["Calculate"], few_shot=True) as agent:
        assert len(agent.examples_for("What is the cube root of 19683?")) == 2
    with Agent(ScriptedBackend([]), tools=["Calculate"], few_shot=True, policy={"nearest_examples": 0}) as agent:
        assert agent.examples_for("What is the cube root of 19683?") == []
    with Agent(ScriptedBackend([]), tools=["Calculate"], few_shot=False, policy={"nearest_examples": 2}) as agent:
        assert agent.examples_for("What is the cube root of 19683?") == []
    with Agent(ScriptedBackend([]), tools=["Calculate"], few_shot=True, policy={"nearest_examples": 2}) as agent:
        shown = agent.examples_for("What is the cube root of 19683?")
        assert len(shown) == 2 and all(c.tool == "Calculate" for t in shown for c in t.calls)
        agent.set_tools([])
        assert all(not t.calls for t in agent.examples_for("What is the cube root of 19683?"))


def test_a_huge_question_is_compared_by_its_opening() -> None:
    index = NearestExamples([turn("What is the cube root of 4913?"), turn("Tell me a joke.")])
    huge = "What is the cube root of 19683? " + "x" * 5_000_000
    assert index.nearest(huge, 1)[0].question == "What is the cube root of 4913?"


def test_a_year_is_not_a_number_to_compute_with() -> None:
    from agent.nearest import gives_numbers

    assert not gives_numbers("How much did Corvell Robotics take in from its robots in 2023?")
    assert not gives_numbers("从2021年到2023年，博物馆的游客增长了百分之几？")
    assert not gives_numbers("Tell me a joke.")
    assert gives_numbers("A club has 25 members who each pay 12 dollars.")
    assert gives_numbers("What is 3.5 km in metres?")
    assert gives_numbers("How much is 5 plus 2023?")


def test_a_question_without_its_numbers_finds_a_lookup_before_a_calculation_in_its_words() -> None:
    calculation = turn("A club has 25 members who each pay 12 dollars. How much money does the club take in?")
    lookup = turn("How many visitors did the Harbour Museum have in 2022?")
    index = NearestExamples([calculation, lookup])
    question = "How much money did the Kessbridge club take in from its members in 2023?"
    assert index.nearest(question, 1) == [lookup]
    # the words alone lean the other way: the calculation shares "How much money ... take in"
    by_calculation, by_lookup = index.scores(question)
    assert by_calculation / MISMATCH > by_lookup
    # a question that gives its numbers still finds the calculation
    assert index.nearest("A club has 40 members who each pay 9 dollars. How much does it take in?", 1) == [calculation]
