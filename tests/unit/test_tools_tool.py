"""`@tool` and `Tool`: declarations, argument validation, result coercion (in-process)."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import Field

from tools import ErrorKind, Tool, ToolDefinitionError, ToolFailure, ToolResult, tool


@tool(name="Solve", capability="Equation solver", signature="Solve(equations)")
def solve(equations: Annotated[str, Field(max_length=20)], variable: str = "x") -> str:
    if equations == "none":
        raise ToolFailure("no solution", ErrorKind.NO_RESULT)
    return f"{variable} = {equations}"


def test_decorator_returns_a_tool_with_its_declaration() -> None:
    assert isinstance(solve, Tool)
    assert (solve.name, solve.capability, solve.signature, solve.network) == (
        "Solve", "Equation solver", "Solve(equations)", False,
    )
    assert solve.spec == f"{__name__}:solve"


def test_str_return_is_a_value_and_optional_arguments_work() -> None:
    assert solve.invoke(("1",)) == ToolResult.value("x = 1")
    assert solve.invoke(("1", "y")) == ToolResult.value("y = 1")


def test_tool_failure_is_a_clean_failure() -> None:
    result = solve.invoke(("none",))
    assert result.error is not None and result.error.kind is ErrorKind.NO_RESULT
    assert result.render_body() == " No result. no solution"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), "Solve takes 1 to 2 arguments (equations, variable), got 0"),
        (("a", "b", "c"), "Solve takes 1 to 2 arguments (equations, variable), got 3"),
        (("x" * 21,), "Solve: 1st argument (equations): String should have at most 20"),
    ],
)
def test_bad_arguments_get_one_clear_line(args: tuple, expected: str) -> None:
    result = solve.invoke(args)
    assert result.error is not None and result.error.kind is ErrorKind.INVALID_ARGS
    assert result.error.message.startswith(expected)
    assert "\n" not in result.error.message and "Traceback" not in result.error.message


def test_types_are_converted_from_the_wire_strings() -> None:
    @tool(name="Add", capability="Adder", signature="Add(a, b)")
    def add(a: int, b: float = 0.5) -> str:
        return repr(a + b)

    assert add("2", "3") == ToolResult.value("5.0")
    bad = add("two")
    assert bad.error is not None and "1st argument (a)" in bad.error.message


def test_class_based_tool_with_setup() -> None:
    class Table(Tool):
        name = "Lookup"
        capability = "Lookup table"
        signature = "Lookup(key)"

        def setup(self) -> None:
            self.table = {"a": "1"}

        def run(self, key: str) -> ToolResult:
            if key not in self.table:
                raise ToolFailure(f"no key {key}")
            return ToolResult.lines([f"{key} = {self.table[key]}"])

    table = Table()
    table.check()
    table.setup()
    assert table("a").render_body() == "\na = 1"
    assert table("b").error.kind is ErrorKind.REFUSED
    assert table.spec is None  # defined inside a function: the sandbox cannot import it


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(name="Calc ulate", capability="C", signature="Calc ulate(x)"), "identifier"),
        (dict(name="Calculate", capability="", signature="Calculate(x)"), "capability"),
        (dict(name="Calculate", capability="C", signature="Compute(x)"), "signature"),
    ],
)
def test_bad_declarations_fail_at_import(kwargs: dict, message: str) -> None:
    with pytest.raises(ToolDefinitionError, match=message):
        tool(**kwargs)(lambda x: x)


def test_varargs_are_refused() -> None:
    with pytest.raises(ToolDefinitionError, match=r"\*rest"):
        @tool(name="Many", capability="M", signature="Many(a)")
        def many(*rest: str) -> str:
            return ""


def test_return_values_are_normalised() -> None:
    @tool(name="Odd", capability="Odd", signature="Odd(kind)")
    def odd(kind: str) -> object:
        return {"int": 3, "none": None, "list": [1]}[kind]

    assert odd("int") == ToolResult.value("3")
    assert odd("none").error.kind is ErrorKind.NO_RESULT
    assert odd("list").error.kind is ErrorKind.EXCEPTION
