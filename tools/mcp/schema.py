"""From an MCP tool's JSON Schema to a MOSS command, and from quoted strings back to JSON.

A MOSS model writes positional, quoted arguments (`get_forecast("Paris", "3")`); an MCP server
wants a JSON object (`{"city": "Paris", "days": 3}`). So a tool's parameters get an order -
required ones first, each group in the schema's own property order - and that order is both
the API line the model is shown (`get_forecast(city, days)`) and how its arguments are mapped.
Each string is converted by the type the schema declares (integers, numbers and booleans from
their text, arrays and objects from JSON) and the whole object is then checked with the
`jsonschema` library, so minimums, enums and patterns the server declared hold before a call
leaves the process. Every problem is one line naming the tool, the argument and the fix.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from tools.errors import InvalidArguments
from tools.tool import _ordinal, check_arity

_TRUE = {"true", "yes", "y", "on", "1", "t"}
_FALSE = {"false", "no", "n", "off", "0", "f"}
_NULL = {"null", "none", ""}


class ArgumentMap:
    """The positional view of one tool's input schema."""

    def __init__(self, tool: str, schema: Mapping[str, Any] | None) -> None:
        self.tool = tool
        self.schema: dict[str, Any] = dict(schema or {"type": "object"})
        properties = self.schema.get("properties")
        self.properties: dict[str, Any] = dict(properties) if isinstance(properties, Mapping) else {}
        required = self.schema.get("required")
        required_names = [r for r in required if isinstance(r, str)] if isinstance(required, list) else []
        ordered = [n for n in self.properties if n in required_names]
        ordered += [n for n in required_names if n not in self.properties]
        self.required = len(ordered)
        self.names: list[str] = ordered + [n for n in self.properties if n not in required_names]
        self._checked: Any = None  # the validator once built, False for a broken schema

    @property
    def signature(self) -> str:
        """The API line's call shape, e.g. `get_forecast(city, days)`."""
        return f"{self.tool}({', '.join(self.names)})"

    def to_arguments(self, args: Sequence[str]) -> dict[str, Any]:
        """Map the model's positional strings onto the schema; raise InvalidArguments."""
        check_arity(self.tool, self.names, self.required, len(args), self.signature)
        arguments: dict[str, Any] = {}
        for position, (name, text) in enumerate(zip(self.names, args), start=1):
            try:
                arguments[name] = convert(text, self.properties.get(name, {}))
            except ValueError as exc:
                raise InvalidArguments(f"{self.tool}: {_ordinal(position)} argument ({name}): {exc}") from None
        self._validate(arguments)
        return arguments

    def _validator(self) -> Any:
        """The schema's validator, built once (checking a schema costs milliseconds); None
        when the server's schema is itself invalid, so the server judges the arguments."""
        if self._checked is None:
            import jsonschema

            try:
                validator_class = jsonschema.validators.validator_for(self.schema)
                validator_class.check_schema(self.schema)
                self._checked = validator_class(self.schema)
            except jsonschema.SchemaError:
                self._checked = False
        return self._checked or None

    def _validate(self, arguments: dict[str, Any]) -> None:
        import jsonschema

        validator = self._validator()
        if validator is None:
            return
        error = jsonschema.exceptions.best_match(validator.iter_errors(arguments))
        if error is None:
            return
        field = next((p for p in error.absolute_path if isinstance(p, str)), None)
        message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
        if field in self.names:
            where = f"{_ordinal(self.names.index(field) + 1)} argument ({field})"
            raise InvalidArguments(f"{self.tool}: {where}: {message}")
        raise InvalidArguments(f"{self.tool}: {message}")


def _types(schema: Mapping[str, Any]) -> list[str]:
    """The JSON types a property allows, from `type` or one level of anyOf/oneOf."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return [t for t in declared if isinstance(t, str)]
    found: list[str] = []
    for key in ("anyOf", "oneOf"):
        for option in schema.get(key) or ():
            if isinstance(option, Mapping):
                found += [t for t in _types(option) if t not in found]
                if "$ref" in option and "object" not in found:
                    found.append("object")
    if "$ref" in schema and not found:
        found.append("object")
    if "enum" in schema and not found:
        found = sorted({_json_type(v) for v in schema["enum"]})
    return found


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if value is None:
        return "null"
    return "string"


def convert(text: str, schema: Mapping[str, Any]) -> Any:
    """One positional string as the JSON value its property schema asks for.

    A string type wins when allowed (the model quoted it, after all); otherwise integers,
    numbers, booleans, arrays, objects and null are read from the text. Raise ValueError with
    a short reason a model or a person can act on.
    """
    types = _types(schema)
    if not types or "string" in types:
        return text
    stripped = text.strip()
    for kind in ("integer", "number", "boolean", "array", "object", "null"):
        if kind not in types:
            continue
        value = _read(kind, stripped)
        if value is not _NO:
            return value
    return _explain(types, text)


_NO = object()


def _read(kind: str, text: str) -> Any:
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return _NO
            return int(number) if number.is_integer() else _NO
    if kind == "number":
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            return _NO
        return number if math.isfinite(number) else _NO
    if kind == "boolean":
        lowered = text.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else _NO
    if kind == "null":
        return None if text.lower() in _NULL else _NO
    try:
        value = json.loads(text)
    except ValueError:
        return _NO
    wanted = list if kind == "array" else dict
    return value if isinstance(value, wanted) else _NO


def _explain(types: list[str], text: str) -> Any:
    shown = text if len(text) <= 40 else text[:37] + "..."
    hints = {
        "integer": "an integer like 3",
        "number": "a number like 2.5",
        "boolean": "true or false",
        "array": 'a JSON array like ["a", "b"]',
        "object": 'a JSON object like {"key": "value"}',
        "null": "null",
    }
    wanted = " or ".join(hints.get(t, t) for t in types)
    raise ValueError(f"must be {wanted}, got {shown!r}")
