"""The packages' dependencies point one way, `agent -> tools <- plugins`, and plugins extend the
CLI through the entry-point group `moss_agent.commands` as a third party would.

The import graph is read from the source (every `import`, at module level or inside a
function, under TYPE_CHECKING or not), so a lazy import cannot hide a back edge.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections import defaultdict
from importlib import metadata
from pathlib import Path

import pytest

from agent.cli import SUBCOMMANDS
from tools.cli.commands import GROUP, find_commands

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("agent", "tools", "plugins")
# Which of the project's packages each package may import.
ALLOWED = {"agent": {"agent", "tools"}, "tools": {"tools"}, "plugins": {"plugins", "tools"}}


def imported_packages(path: Path) -> set[str]:
    """The top-level packages `path` imports (relative imports stay in their package)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & set(PACKAGES)


def test_dependencies_point_one_way_agent_to_tools_from_plugins() -> None:
    back_edges: dict[str, list[str]] = defaultdict(list)
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            for target in imported_packages(path) - ALLOWED[package]:
                back_edges[f"{package} -> {target}"].append(str(path.relative_to(REPO)))
    assert not back_edges, dict(back_edges)


def test_the_graph_check_sees_lazy_imports(tmp_path: Path) -> None:
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from plugins.search.cli import index\n    import agent.format\n")
    assert imported_packages(module) == {"plugins", "agent"}


def module_imports(package: str) -> dict[str, set[str]]:
    """Each module of `package` (by dotted name) and the project modules it names in imports."""
    paths = {".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__"): p
             for p in (REPO / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets.add(node.module)
                targets.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[name] = {t for t in targets if t in paths and t != name}
    return graph


def test_no_two_modules_of_agent_import_each_other() -> None:
    """Not even under TYPE_CHECKING: the REPL's slash commands see the chat through a protocol
    instead of importing the `Repl` that imports them. A package and its own modules are
    exempt (the package re-exports them)."""
    graph = module_imports("agent")
    circles = sorted({tuple(sorted((a, b))) for a in graph for b in graph[a]
                      if a in graph[b] and not (a.startswith(b + ".") or b.startswith(a + "."))})
    assert not circles, circles


def test_search_adds_its_index_command_through_the_entry_point_group() -> None:
    assert "index" not in SUBCOMMANDS  # the CLI does not know it by name
    installed = {ep.name: ep.value for ep in metadata.entry_points(group=GROUP)}
    assert installed.get("index") == "plugins.search.cli:index"
    spec = find_commands()["index"]
    assert spec.distribution == "moss-agent"
    command = spec.load()
    assert command is not None and {"add", "list", "rm"} <= set(command.commands)  # type: ignore[attr-defined]


def fake_distribution(site: Path, name: str, commands: dict[str, str], module: str) -> None:
    """A distribution as pip leaves it: a dist-info with entry points, and its module."""
    info = site / f"{name}-0.1.dist-info"
    info.mkdir()
    info.joinpath("METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    lines = "\n".join(f"{k} = {v}" for k, v in commands.items())
    info.joinpath("entry_points.txt").write_text(f"[{GROUP}]\n{lines}\n")
    site.joinpath(f"{name.replace('-', '_')}.py").write_text(module)


def test_a_third_party_distribution_adds_a_command_and_cannot_take_a_builtin_name(tmp_path: Path) -> None:
    fake_distribution(tmp_path, "moss-hello", {
        "hello": "moss_hello:hello", "ask": "moss_hello:hello", "broken": "moss_hello:nothing_here",
    }, "import click\n\n@click.command()\n@click.argument('who')\ndef hello(who):\n"
       "    '''Say hello.'''\n    click.echo(f'hello {who}')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(REPO)]))

    def moss(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "agent", *args], capture_output=True, text=True,
                              timeout=120, env=env, cwd=tmp_path)

    hello = moss("hello", "world")
    assert hello.returncode == 0 and hello.stdout == "hello world\n", hello.stderr
    listing = moss("--help")
    assert "hello" in listing.stdout and "Say hello." in listing.stdout
    assert "'ask' from distribution 'moss-hello' is ignored" in listing.stderr
    assert "'broken' from distribution 'moss-hello' failed to import" in listing.stderr
    ask = moss("ask", "--help")  # still the agent's own
    assert ask.returncode == 0 and "QUESTION" in ask.stdout


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_ships_its_types(package: str) -> None:
    assert (REPO / package / "py.typed").is_file()


# The test folders by kind; each holds test modules (and a conftest), nothing else.
TEST_KINDS = {"unit", "conformance", "models", "cli", "sandbox", "serve", "mcp"}


def misplaced_test_files(tests: Path) -> list[str]:
    """Python files under `tests` that are out of place: a test module outside a kind folder,
    a helper beside the tests instead of in `helpers/`, or a folder nobody planned."""
    wrong = []
    for path in sorted(tests.rglob("*.py")):
        parts = path.relative_to(tests).parts
        name, top = parts[-1], parts[0]
        plumbing = name in {"__init__.py", "conftest.py"}
        if len(parts) == 1:
            ok = plumbing
        elif top == "helpers":
            ok = not name.startswith("test_")
        elif top == "data":
            ok = True  # installable fixtures (a hostile plugin distribution)
        else:
            ok = top in TEST_KINDS and len(parts) == 2 and (plumbing or name.startswith("test_"))
        if not ok:
            wrong.append("/".join(parts))
    return wrong


def test_tests_are_filed_by_kind_with_their_helpers_in_one_place() -> None:
    assert not misplaced_test_files(REPO / "tests")


def test_the_test_filing_check_sees_a_test_at_the_top_and_a_helper_beside_tests(tmp_path: Path) -> None:
    for name in ("test_new.py", "unit/test_ok.py", "unit/helper.py", "helpers/server.py", "extra/test_x.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    assert misplaced_test_files(tmp_path) == ["extra/test_x.py", "test_new.py", "unit/helper.py"]
