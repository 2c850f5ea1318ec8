"""`@tool` and `Tool`: how a plugin declares a MOSS command.

A tool has four declared facts, because the MOSS meta instruction and Results segment need
exactly these: its API name as the model writes it (`Calculate`), its capability label in the
meta instruction (`Calculator`), its signature line (`Calculate(expression)`) and whether it
needs the network. A fifth, `files`, tells the sandbox which files beyond its defaults the tool
may read, write or execute; everything else on the machine stays out of its reach. Its arguments are a pydantic model derived from the Python signature, so
the model's arguments (always strings on the wire) are checked and converted before the tool
sees them, and a bad call becomes one readable line instead of a traceback.

Tool objects are loaded by the sandbox from their import path (`module:attribute`), never
pickled, so a tool must live at module level in an importable module.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    create_model,
    field_validator,
)

from tools.errors import InvalidArguments, ToolDefinitionError
from tools.examples import ToolExample
from tools.result import ErrorKind, ToolFailure, ToolResult

_ORDINALS = {1: "1st", 2: "2nd", 3: "3rd"}


def _ordinal(n: int) -> str:
    return _ORDINALS.get(n, f"{n}th")


class Files(BaseModel):
    """Files and folders a tool needs beyond what every sandboxed call gets.

    Every call may read the system's libraries, Python and its import path, and write a fresh
    scratch folder (its working directory, also `TMPDIR`), emptied after the call; it can read
    nothing in the user's home or the moss-agent data folder and execute no program. A tool
    that needs more says so, e.g. `Files(read=["~/.config/weather.toml"])`: `moss-agent tools
    list` shows it to the user, and the sandbox grants exactly that, to that tool's workers
    only. Paths are absolute or start with `~`; a folder covers everything inside it.
    """

    model_config = ConfigDict(frozen=True)

    read: tuple[str, ...] = ()
    write: tuple[str, ...] = ()
    execute: tuple[str, ...] = ()

    @field_validator("read", "write", "execute", mode="before")
    @classmethod
    def _paths(cls, value: object) -> object:
        if isinstance(value, (str, bytes)):
            raise ValueError("give a list of paths, not one string")
        paths = tuple(str(v) for v in value) if isinstance(value, (list, tuple, set)) else value
        for path in paths if isinstance(paths, tuple) else ():
            if not (path.startswith("/") or path.startswith("~")):
                raise ValueError(f"{path!r} must be absolute or start with ~")
        return paths

    def __bool__(self) -> bool:
        return bool(self.read or self.write or self.execute)

    def describe(self) -> str:
        """`read: a, b; write: c`, or `-` when nothing is declared."""
        parts = [f"{kind}: {', '.join(paths)}" for kind, paths in
                 (("read", self.read), ("write", self.write), ("execute", self.execute)) if paths]
        return "; ".join(parts) or "-"


class Tool:
    """Base class of every tool. Subclass it for a tool with state or set-up; use `@tool` else.

    Subclasses declare `name`, `capability`, `signature` (and `network`, `files`,
    `description`, `examples`) as class attributes, may override `setup()` (run once in each sandbox worker before its first
    call, e.g. to import sympy off the call's clock) and implement `run(self, ...)` with typed
    parameters. `run` returns a `ToolResult` or a plain `str` (a single value) and raises
    `ToolFailure` for a clean `No result.`. The constructor takes no arguments, because the
    sandbox re-creates the tool in each worker from its import path.
    """

    name: ClassVar[str]
    capability: ClassVar[str]
    signature: ClassVar[str]
    network: ClassVar[bool] = False
    files: ClassVar[Files] = Files()
    description: ClassVar[str] = ""
    #: Few-shot turns that show a model not trained on MOSS how to call this tool.
    examples: ClassVar[tuple[ToolExample, ...]] = ()

    _args_model: type[BaseModel] | None = None
    _params: tuple[inspect.Parameter, ...] = ()

    # --- what a plugin author overrides -------------------------------------------------

    def setup(self) -> None:
        """Prepare state once per worker (imports, tables). The default does nothing."""

    def run(self, *args: Any) -> ToolResult | str:
        raise NotImplementedError(f"{type(self).__name__} must implement run()")

    @classmethod
    def is_available(cls) -> bool:
        """Whether the tool can answer now; the runtime lists it as disabled when it cannot.

        Override it for a tool that depends on configuration (Search needs an index or a
        server): a tool that would always fail should not be offered to the model at all.
        """
        return True

    @classmethod
    def unavailable_reason(cls) -> str | None:
        """Why the tool cannot answer now, in words a user can act on; None when it can.

        The default only knows `is_available()`; a tool that can say more (Search names the
        missing index, or the environment variable that is wrong) overrides both.
        """
        return None if cls.is_available() else "not configured"

    def needs_network(self) -> bool:
        """Whether the sandbox runs this tool in a worker that can reach the network.

        The default is the `network` class attribute. Override it for a tool whose need
        depends on configuration (Search needs the network only with a SearxNG server); the
        sandbox asks when it routes a call, so the answer follows the configuration of the
        moment rather than of the import.
        """
        return bool(self.network)

    def needs_files(self) -> Files:
        """The files this tool's sandbox workers may use beyond the defaults.

        The default is the `files` class attribute. Override it when the need depends on
        configuration (Search reads its index file only when it searches a local index); the
        sandbox asks when it starts a worker and routes a call, like `needs_network()`.
        """
        return self.files

    # --- what the runtime uses ------------------------------------------------------------

    @property
    def spec(self) -> str | None:
        """`module:attribute` the sandbox imports this tool from, or None if not importable."""
        cls = type(self)
        return _import_path(cls.__module__, cls.__qualname__)

    def _target(self) -> Callable[..., Any]:
        """The callable whose signature defines the arguments."""
        return self.run

    def check(self) -> None:
        """Raise ToolDefinitionError if the declaration is incomplete or inconsistent."""
        owner = type(self).__name__
        for attribute in ("name", "capability", "signature"):
            value = getattr(self, attribute, None)
            if not isinstance(value, str) or not value.strip():
                raise ToolDefinitionError(
                    f"{owner} must declare `{attribute}` as a non-empty string "
                    f'(e.g. name="Calculate", capability="Calculator", '
                    f'signature="Calculate(expression)")'
                )
        if not self.name.isidentifier():
            raise ToolDefinitionError(
                f"{owner}: name {self.name!r} must be an identifier the model can write, "
                f"like Calculate"
            )
        if not (self.signature.startswith(self.name + "(") and self.signature.endswith(")")):
            raise ToolDefinitionError(
                f"{owner}: signature {self.signature!r} must read like "
                f"{self.name}(argument, ...) so the meta instruction matches the API name"
            )
        self.args_model  # noqa: B018 -- builds the model, raising on untyped *args etc.

    @property
    def args_model(self) -> type[BaseModel]:
        """A pydantic model of the arguments, derived from the Python signature once."""
        if self._args_model is None:
            self._args_model, self._params = _build_args_model(self.name, self._target())
        return self._args_model

    def parse_args(self, args: tuple[str, ...] | list[str]) -> list[Any]:
        """Check and convert the model's positional arguments; raise InvalidArguments.

        The message names the tool, the argument and what is wrong, in one line.
        """
        model = self.args_model
        params = self._params
        required = sum(1 for p in params if p.default is inspect.Parameter.empty)
        check_arity(self.name, [p.name for p in params], required, len(args), self.signature)
        data = {p.name: value for p, value in zip(params, args)}
        try:
            validated = model.model_validate(data)
        except ValidationError as exc:
            raise InvalidArguments(self._explain(exc)) from None
        return [getattr(validated, p.name) for p in params]

    def _explain(self, exc: ValidationError) -> str:
        positions = {p.name: i + 1 for i, p in enumerate(self._params)}
        parts = []
        for error in exc.errors(include_url=False):
            field = str(error["loc"][0]) if error["loc"] else "?"
            where = f"{_ordinal(positions[field])} argument ({field})" if field in positions else field
            parts.append(f"{where}: {error['msg']}")
        return f"{self.name}: " + "; ".join(parts)

    def invoke(self, args: tuple[str, ...] | list[str]) -> ToolResult:
        """Validate, run and normalise one call in this process (the sandbox worker calls it).

        Bad arguments and `ToolFailure` become failure results; any other exception
        propagates so the caller can classify it (memory, network, bug).
        """
        try:
            values = self.parse_args(args)
        except InvalidArguments as exc:
            return ToolResult.failure(ErrorKind.INVALID_ARGS, str(exc))
        try:
            output = self.run(*values)
        except ToolFailure as exc:
            return ToolResult.failure(exc.kind, exc.message)
        return coerce_result(self.name, output)

    def __call__(self, *args: str) -> ToolResult:
        """Run the tool in this process, for unit tests; the runtime always uses the sandbox."""
        return self.invoke(args)

    def __repr__(self) -> str:
        return f"<Tool {getattr(self, 'signature', type(self).__name__)}>"


class FunctionTool(Tool):
    """A tool made by `@tool` from a typed function."""

    def __init__(
        self,
        fn: Callable[..., ToolResult | str],
        *,
        name: str,
        capability: str,
        signature: str,
        network: bool = False,
        files: Files | dict[str, list[str]] | None = None,
        description: str = "",
        examples: Sequence[ToolExample] = (),
    ) -> None:
        self.fn = fn
        self.examples = tuple(examples)  # type: ignore[misc]
        self.name = name  # type: ignore[misc]
        self.capability = capability  # type: ignore[misc]
        self.signature = signature  # type: ignore[misc]
        self.network = network  # type: ignore[misc]
        self.files = _files(name, files)  # type: ignore[misc]
        self.description = description or inspect.getdoc(fn) or ""  # type: ignore[misc]
        self._spec = _import_path(fn.__module__, fn.__qualname__)
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn
        self.check()

    @property
    def spec(self) -> str | None:
        return self._spec

    def _target(self) -> Callable[..., Any]:
        return self.fn

    def run(self, *args: Any) -> ToolResult | str:
        return self.fn(*args)


def tool(
    *,
    name: str,
    capability: str,
    signature: str,
    network: bool = False,
    files: Files | dict[str, list[str]] | None = None,
    description: str = "",
    examples: Sequence[ToolExample] = (),
) -> Callable[[Callable[..., ToolResult | str]], FunctionTool]:
    """Turn a typed function into a `Tool` instance.

    >>> @tool(name="Calculate", capability="Calculator", signature="Calculate(expression)")
    ... def calculate(expression: str) -> str: ...

    A plain `str` return is a single value; raise `ToolFailure(message, kind)` for a clean
    `No result.`. Constrain arguments with `Annotated[str, Field(max_length=...)]`; give
    optional arguments defaults. `files=Files(read=[...])` (or a dict of the same) declares
    files the tool needs beyond its sandbox's defaults; `examples` (`ToolExample`s) show a model
    that was never trained on MOSS how to call it.
    """

    def decorate(fn: Callable[..., ToolResult | str]) -> FunctionTool:
        return FunctionTool(
            fn,
            name=name,
            capability=capability,
            signature=signature,
            network=network,
            files=files,
            description=description,
            examples=examples,
        )

    return decorate


def check_arity(tool: str, names: list[str], required: int, got: int, signature: str) -> None:
    """Raise InvalidArguments unless `got` positional arguments fit; shared by every tool kind
    (Python tools and MCP tools alike) so the model reads one wording."""
    if required <= got <= len(names):
        return
    if required == len(names):
        wanted = f"{len(names)} argument{'s' if len(names) != 1 else ''}"
    else:
        wanted = f"{required} to {len(names)} arguments"
    listed = f" ({', '.join(names)})" if names else ""
    raise InvalidArguments(f"{tool} takes {wanted}{listed}, got {got}; write it as {signature}")
def _files(tool_name: str, files: Files | dict[str, list[str]] | None) -> Files:
    if files is None:
        return Files()
    if isinstance(files, Files):
        return files
    try:
        return Files.model_validate(files)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                             for e in exc.errors(include_url=False))
        raise ToolDefinitionError(
            f"{tool_name}: files must look like {{'read': ['~/path', ...]}} ({problems})"
        ) from None


def coerce_result(name: str, output: object) -> ToolResult:
    """Normalise what a tool returned: str -> value, numbers -> value, ToolResult as is."""
    if isinstance(output, ToolResult):
        return output
    if isinstance(output, str):
        return ToolResult.value(output)
    if isinstance(output, (int, float)) and not isinstance(output, bool):
        return ToolResult.value(str(output))
    if output is None:
        return ToolResult.failure(ErrorKind.NO_RESULT, f"{name} returned nothing")
    return ToolResult.failure(
        ErrorKind.EXCEPTION,
        f"{name} returned {type(output).__name__}; a tool must return a ToolResult or a str",
    )


def _import_path(module: str, qualname: str) -> str | None:
    if module == "__main__" or "<locals>" in qualname:
        return None
    return f"{module}:{qualname}"


def _build_args_model(
    tool_name: str, fn: Callable[..., Any]
) -> tuple[type[BaseModel], tuple[inspect.Parameter, ...]]:
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception as exc:  # a forward reference that does not resolve
        raise ToolDefinitionError(f"{tool_name}: cannot read argument types: {exc}") from exc
    params = []
    fields: dict[str, Any] = {}
    for param in inspect.signature(fn).parameters.values():
        if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            raise ToolDefinitionError(
                f"{tool_name}: *{param.name} is not supported; declare each argument "
                f"(optional ones with a default)"
            )
        if param.kind is inspect.Parameter.KEYWORD_ONLY:
            if param.default is inspect.Parameter.empty:
                raise ToolDefinitionError(
                    f"{tool_name}: keyword-only argument {param.name} needs a default, "
                    f"because the model passes arguments by position"
                )
            continue
        annotation = hints.get(param.name, str)
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[param.name] = (annotation, default)
        params.append(param)
    model = create_model(
        f"{tool_name}Args", __config__=ConfigDict(extra="forbid"), **fields
    )
    return model, tuple(params)
