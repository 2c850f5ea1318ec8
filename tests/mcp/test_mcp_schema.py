"""MCP tools as MOSS commands: API lines from input schemas, quoted strings to JSON values,
and MCP results as MOSS Results. Unit tests of the pure parts; test_mcp_client.py runs them
against real servers."""

from __future__ import annotations

import pytest
from mcp_types import CallToolResult, ImageContent, TextContent

from tools.errors import InvalidArguments
from tools.mcp.results import to_tool_result
from tools.mcp.schema import ArgumentMap, convert
from tools.mcp.tool import capability_label, moss_name
from tools.result import ErrorKind

FORECAST = {
    "type": "object",
    "properties": {
        "units": {"type": "string", "enum": ["metric", "imperial"], "default": "metric"},
        "city": {"type": "string"},
        "days": {"type": "integer", "minimum": 1, "maximum": 14},
    },
    "required": ["city", "days"],
}


def test_the_api_line_puts_required_parameters_first_in_schema_order() -> None:
    assert ArgumentMap("get_forecast", FORECAST).signature == "get_forecast(city, days, units)"
    assert ArgumentMap("ping", {"type": "object"}).signature == "ping()"
    assert ArgumentMap("ping", None).signature == "ping()"


def test_positional_strings_become_the_schema_types() -> None:
    arguments = ArgumentMap("get_forecast", FORECAST).to_arguments(["Paris", "3"])
    assert arguments == {"city": "Paris", "days": 3}
    assert ArgumentMap("get_forecast", FORECAST).to_arguments(["Paris", "3", "imperial"])["units"] == "imperial"


@pytest.mark.parametrize(
    ("text", "schema", "value"),
    [
        ("42", {"type": "integer"}, 42),
        (" -7 ", {"type": "integer"}, -7),
        ("3.0", {"type": "integer"}, 3),
        ("2.5", {"type": "number"}, 2.5),
        ("10", {"type": "number"}, 10),
        ("Yes", {"type": "boolean"}, True),
        ("false", {"type": "boolean"}, False),
        ("0", {"type": "boolean"}, False),
        ("[1, 2]", {"type": "array"}, [1, 2]),
        ('{"a": 1}', {"type": "object"}, {"a": 1}),
        ("5", {"anyOf": [{"type": "integer"}, {"type": "null"}]}, 5),
        ("null", {"anyOf": [{"type": "integer"}, {"type": "null"}]}, None),
        ("7", {"type": ["integer", "string"]}, "7"),  # a string is allowed: keep what was quoted
        ("x", {}, "x"),
        ("2", {"enum": [1, 2, 3]}, 2),
    ],
)
def test_convert(text: str, schema: dict[str, object], value: object) -> None:
    assert convert(text, schema) == value
    assert type(convert(text, schema)) is type(value)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Paris"], "get_forecast takes 2 to 3 arguments (city, days, units), got 1; write it as get_forecast(city, days, units)"),
        (["Paris", "three"], "get_forecast: 2nd argument (days): must be an integer like 3, got 'three'"),
        (["Paris", "2.5"], "get_forecast: 2nd argument (days): must be an integer like 3, got '2.5'"),
        (["Paris", "30"], "get_forecast: 2nd argument (days): 30 is greater than the maximum of 14"),
        (["Paris", "3", "kelvin"], "get_forecast: 3rd argument (units): 'kelvin' is not one of ['metric', 'imperial']"),
    ],
)
def test_bad_arguments_are_one_line_naming_tool_argument_and_fix(args: list[str], message: str) -> None:
    with pytest.raises(InvalidArguments) as raised:
        ArgumentMap("get_forecast", FORECAST).to_arguments(args)
    assert str(raised.value) == message


def test_booleans_and_json_say_what_they_accept() -> None:
    with pytest.raises(ValueError, match="must be true or false, got 'maybe'"):
        convert("maybe", {"type": "boolean"})
    with pytest.raises(ValueError, match="must be a JSON array"):
        convert("a, b", {"type": "array"})


def test_a_broken_schema_leaves_judging_to_the_server() -> None:
    schema = {"type": "object", "properties": {"x": {"type": "integer", "minimum": "zero"}}}
    assert ArgumentMap("f", schema).to_arguments(["5"]) == {"x": 5}


def test_names_are_identifiers_and_clashes_get_the_server_prefix() -> None:
    taken = {"Calculate", "search"}
    assert moss_name("web", "get-forecast", taken.__contains__) == "get_forecast"
    assert moss_name("web", "Calculate", taken.__contains__) == "web_Calculate"
    assert moss_name("my-files", "search", taken.__contains__) == "my_files_search"
    assert moss_name("web", "3d.render", taken.__contains__) == "_3d_render"
    taken.add("web_Calculate")
    assert moss_name("web", "Calculate", taken.__contains__) == "web_Calculate_2"
    assert capability_label("my-files") == "My files" and capability_label("weather") == "Weather"


def text_result(*texts: str, structured: object = None, error: bool = False) -> CallToolResult:
    return CallToolResult(content=[TextContent(text=t) for t in texts], structured_content=structured,
                          is_error=error)


def test_text_is_joined_and_structured_json_is_compacted() -> None:
    assert to_tool_result("f", text_result("sunny"), 1000).render_body() == " sunny"
    assert to_tool_result("f", text_result("a", "b"), 1000).render_body() == "\na\nb"
    pretty = text_result('{\n  "city": "Paris",\n  "days": 2\n}', structured={"city": "Paris", "days": 2})
    assert to_tool_result("f", pretty, 1000).render_body() == ' {"city":"Paris","days":2}'
    wrapped = text_result("5", structured={"result": 5})  # the text says it better
    assert to_tool_result("f", wrapped, 1000).render_body() == " 5"
    only = CallToolResult(content=[], structured_content={"ok": True})
    assert to_tool_result("f", only, 1000).render_body() == ' {"ok":true}'
    image = CallToolResult(content=[ImageContent(data="AAAA", mime_type="image/png")])
    assert to_tool_result("f", image, 1000).render_body() == " [image: image/png]"


def test_errors_empty_and_oversized_results_are_no_result_with_a_reason() -> None:
    failed = to_tool_result("f", text_result("Error:\n  city\n  not found", error=True), 1000)
    assert not failed.ok and failed.error is not None
    assert failed.error.kind is ErrorKind.EXCEPTION and failed.error.message == "f: Error: city not found"
    empty = to_tool_result("f", text_result(), 1000)
    assert empty.error is not None and empty.error.kind is ErrorKind.NO_RESULT
    big = to_tool_result("f", text_result("y" * 2000), 1000)
    assert big.error is not None and big.error.kind is ErrorKind.OUTPUT
    assert "2000 bytes, over the 1000-byte output limit" in big.error.message
