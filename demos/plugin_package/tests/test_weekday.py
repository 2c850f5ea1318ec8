"""The Weekday tool, run through moss-agent's real sandbox as the runtime will run it."""

import pytest

from moss_weekday import EXAMPLE, POOL_EXAMPLE, weekday


@pytest.fixture(scope="session")
def moss_tools():
    return [weekday]


def test_a_leap_day(moss_sandbox):
    run = moss_sandbox.run('Weekday("2024-02-29")')
    assert run.text == 'Weekday("2024-02-29") => Thursday'


def test_two_calls_in_one_segment(moss_sandbox):
    run = moss_sandbox.run('Weekday("1969-07-20"), Weekday("2000-01-01")')
    assert run.text == 'Weekday("1969-07-20") => Sunday\nWeekday("2000-01-01") => Saturday'


def test_not_a_date_is_no_result(moss_sandbox):
    result = moss_sandbox.call("Weekday", "next Tuesday")
    assert result.render_body() == " No result. 'next Tuesday' is not a date like 2024-02-29"
    assert result.error.kind.value == "invalid_args"


@pytest.mark.parametrize("example", [EXAMPLE, POOL_EXAMPLE], ids=["fixed", "pool"])
def test_the_examples_shown_to_the_model_are_what_the_tool_answers(moss_sandbox, example):
    (round_,) = example.rounds
    run = moss_sandbox.run(round_.calls[0].text)
    assert run.text == f"{round_.calls[0].text} =>{round_.results[0].render_body()}"
