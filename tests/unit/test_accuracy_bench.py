"""bench/accuracy.py without a model: how replies are read and judged, the plain model's
prompt, rows that survive a crash, the option pass-through and the side-by-side table."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

import click
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from accuracy import agent_options  # noqa: E402
from devset.judge import judge, reply_language  # noqa: E402
from devset.numbers import numbers_in, states  # noqa: E402
from devset.plain import chat_prompt, plain_answer  # noqa: E402
from devset.questions import Question  # noqa: E402
from devset.report import compare, table, totals  # noqa: E402
from devset.run import agent_answerer, run_questions, warm_up  # noqa: E402

from agent import Agent, TurnLimits  # noqa: E402
from agent.backends.scripted import ScriptedBackend  # noqa: E402


def q(expect: tuple[str, ...] = (), kind: str = "units", **kw: object) -> Question:
    return Question(id=kw.pop("id", "t-1"), kind=kind, lang=kw.pop("lang", "en"), q=kw.pop("q", "How many?"),
                    expect=expect, **kw)


def values(text: str) -> list[Decimal]:
    return [v for v, _ in numbers_in(text)]


def test_numbers_are_read_however_they_are_written() -> None:
    assert values("It is 10,063 and 1,234,567.") == [10063, 1234567]
    assert values("x = −3 or x = -4") == [-3, -4]
    assert values("x = ±5") == [5, -5]
    assert values("１２３ 等于1645。") == [123, 1645]
    assert Decimal(1) / 3 in values("w = 1/3") and Decimal(2) / 3 in values(r"\frac{2}{3}")
    assert values("9.49e-07 km") == [Decimal("9.49e-7")] == values("9.49 × 10^-7 km")
    assert values("x^2 + x**3, v2") == []  # exponents and names are not numbers
    assert values("约为2.4亿立方米") == [Decimal("2.4"), Decimal("2.4e8")]  # as written, and what it means
    assert values("458万人次，1.2万亿元") == [458, Decimal("4.58e6"), Decimal("1.2"), Decimal("1.2e12")]
    assert states("总库容约为2.4亿立方米。", "240000000") and not states("2.4亿", "24000000")


def test_exact_answers_match_exactly_and_approximate_ones_within_their_digits() -> None:
    assert states("The total is 322.0 dollars", "322")
    assert states("0.30000000000000004", "0.3")
    assert not states("about 12.346", "12.35") and states("12.350", "12.35")
    assert not states("3", "-3") and states("-3", "-3")
    assert states("about 2.24", "2.2360679775", approx=True)
    assert not states("about 2.2", "2.2360679775", approx=True)  # 1.6% off
    assert states("about 2.23", "2.2360679775", approx=True)  # cut short, not rounded: fine
    assert not states("about 2.25", "2.2360679775", approx=True)  # the last digit is wrong
    assert states("0.6666666666666666", "0.6666666667", approx=True)
    assert states("9.49e-07 km", "0.0000009488547", approx=True)
    assert not states("9.4e-07 km", "0.0000009488547", approx=True)


def test_a_tool_question_needs_every_number_and_a_clean_reply() -> None:
    question = q(("19", "11"))
    assert judge(question, "The numbers are 19 and 11.", called=True).right
    assert judge(question, "They are 11 and 19.", called=False).right  # right without a tool is still right
    assert judge(question, "The numbers are 19 and 12.", called=True).why == "missing 11"
    leaked = judge(question, 'Solve("x+y=30") gives 19 and 11.', called=True)
    assert not leaked.right and "Solve(" in leaked.why
    assert not judge(question, "<|Results|> 19 and 11", called=True).right


def test_a_chat_question_needs_no_tool_and_a_reply_in_its_language() -> None:
    chat = q(kind="chat", lang="zh", q="“大”的反义词是什么？", expect_text=("小",))
    assert judge(chat, "“大”的反义词是“小”。", called=False).right
    assert judge(chat, "“大”的反义词是“小”。", called=True).why == "called a tool"
    assert judge(chat, "The opposite of big is small (小).", called=False).why == "replied in en"
    assert judge(chat, "“大”的反义词是“少”。", called=False).why == "none of 小"
    assert judge(chat, "   ", called=False).why == "empty reply"
    english = q(kind="chat", q="Hi!")
    assert judge(english, "Hello! How can I help?", called=False).right
    assert not judge(english, "你好！有什么可以帮你的吗？", called=False).right
    anything = q(kind="chat", lang="zh", q="翻译成英文：我喜欢喝茶。", expect_text=("tea",), reply_lang="any")
    assert judge(anything, "I like drinking tea.", called=False).right
    assert reply_language("可以用 Python 的 def 定义函数") == "zh" and reply_language("42") is None


def test_the_plain_prompt_is_the_models_own_chat_template() -> None:
    template = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
                "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
    assert chat_prompt(template, "2+2?") == "<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n"
    assert chat_prompt(None, "2+2?") == "<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n"
    backend = ScriptedBackend([" It is 4.<|im_end|>"])
    answer = plain_answer(backend, chat_prompt(None, "2+2?"))
    assert answer.reply == "It is 4." and answer.reason == "stop" and answer.tokens > 0
    assert backend.calls == ["<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n"]


def test_rows_survive_a_crashing_question_and_are_saved_after_each(tmp_path: Path) -> None:
    questions = [q(("4",), id="a"), q(("5",), id="b"), q(("6",), id="c")]

    def answer(question: Question) -> dict:
        if question.id == "b":
            raise RuntimeError("backend fell over")
        return {"id": question.id, "kind": question.kind, "lang": "en", "q": question.q, "right": True, "why": "",
                "called": True, "tools": ["Calculate"], "calls": [], "reply": "4", "seconds": 1.0, "tokens": 3}

    out = tmp_path / "run.json"
    rows = run_questions(questions, answer, meta={"tag": "t"}, json_out=out)
    assert [(r["id"], r["right"]) for r in rows] == [("a", True), ("b", False), ("c", True)]
    assert rows[1]["error"] == "RuntimeError: backend fell over"
    saved = json.loads(out.read_text())
    assert saved["meta"] == {"tag": "t"} and [r["id"] for r in saved["rows"]] == ["a", "b", "c"]


def test_ctrl_c_keeps_the_rows_so_far(tmp_path: Path) -> None:
    def answer(question: Question) -> dict:
        raise KeyboardInterrupt

    meta: dict = {}
    assert run_questions([q(("4",))], answer, meta=meta, json_out=tmp_path / "r.json") == []
    assert meta["interrupted"] is True and json.loads((tmp_path / "r.json").read_text())["rows"] == []


def test_an_agent_turn_becomes_a_judged_row() -> None:
    script = ["", " Three days of 24 hours of 3600 seconds.<eot>", ' Calculate("3*24*3600")<eoc>',
              " Three days have 259,200 seconds.<eom>"]
    question = q(("259200",), q="How many seconds are there in three days?")
    with Agent(ScriptedBackend(script), tools=["Calculate"]) as agent:
        assert warm_up(agent) >= 0  # takes the script's first (empty) entry
        row = agent_answerer(agent)(question)
    assert row["right"] and row["tools"] == ["Calculate"] and row["calls"] == ['Calculate("3*24*3600")']
    assert row["results"] == ["259200"] and row["split"] in ("tune", "report") and row["source"] == "handwritten"


def test_options_are_agent_keyword_arguments_checked_against_their_types() -> None:
    options = agent_options(('limits={"reply_tokens": 50}', 'tools=["Calculate"]', "framing=chatml", "few_shot=false"))
    assert options == {"limits": TurnLimits(reply_tokens=50), "tools": ["Calculate"], "framing": "chatml",
                       "few_shot": False}
    with pytest.raises(click.BadParameter, match="KEY one of"):
        agent_options(("no_such_option=1",))
    with pytest.raises(click.BadParameter, match="reply_tokens"):
        agent_options(('limits={"reply_tokens": 0}',))


def _row(i: str, kind: str, right: bool, seconds: float, called: bool = True) -> dict:
    return {"id": i, "kind": kind, "lang": "en", "right": right, "called": called, "seconds": seconds, "tokens": 10}


def test_tables_per_kind_with_the_goals(tmp_path: Path) -> None:
    rows = [_row("a", "units", True, 2.0), _row("b", "units", False, 4.0), _row("c", "chat", True, 1.0, called=False)]
    text = table(rows)
    assert "units" in text and " 50.0%" in text and "100.0%" in text
    summary = totals(rows, "llamacpp")
    assert "tool questions right: 1/2 = 50.0% (goal >= 90%: not met)" in summary
    assert "chat questions without a tool: 1/1 = 100.0% (goal >= 90%: met)" in summary
    assert "median seconds a question: 2.00 (goal <= 10 s on llama.cpp: met)" in summary


def test_compare_puts_runs_side_by_side_on_their_common_questions(tmp_path: Path) -> None:
    off = [_row("a", "units", False, 3.0), _row("b", "units", True, 3.0), _row("c", "chat", True, 1.0, called=False)]
    on = [_row("a", "units", True, 5.0), _row("b", "units", True, 7.0)]  # interrupted before "c"
    for name, rows in (("off", off), ("on", on)):
        (tmp_path / f"{name}.json").write_text(json.dumps({"meta": {"tag": name, "backend": "llamacpp"}, "rows": rows}))
    text = compare([tmp_path / "off.json", tmp_path / "on.json"])
    assert text.splitlines()[0] == "2 questions answered by every run"
    units = next(line for line in text.splitlines() if line.startswith("units"))
    assert units.split() == ["units", "2", "50.0%", "3.0", "100.0%", "6.0"]
    (tmp_path / "bad.json").write_text("[]")
    with pytest.raises(ValueError, match="not a run saved by"):
        compare([tmp_path / "bad.json"])
