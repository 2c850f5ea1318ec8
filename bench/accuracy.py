"""Accuracy on the development set: per kind, the agent or the plain model, on one backend.

The set (bench/data/devset_*.jsonl, built by bench/make_devset.py) has a `tune` split for
trying prompts and techniques and a `report` split for the numbers that are reported; never
tune on the report split. Search is enabled over a corpus of made-up facts
(bench/data/search_corpus.jsonl), indexed in a temporary folder for the run.

\b
    .venv/bin/python bench/accuracy.py --backend llamacpp                  # the agent, report split
    .venv/bin/python bench/accuracy.py --backend llamacpp --plain          # the model alone
    .venv/bin/python bench/accuracy.py --split tune --kinds units,rates --limit 5
    .venv/bin/python bench/accuracy.py --split tune --skip 4 --limit 6     # held out from --limit 4
    .venv/bin/python bench/accuracy.py --option plan=true --tag plan --json plan.json
    .venv/bin/python bench/accuracy.py --compare base.json plan.json       # side by side

Progress goes to stderr, one line a question; the tables go to stdout. OMP_WAIT_POLICY is
left as it is (PASSIVE is faster on busy shared cores, slower on a quiet machine) and saved
with the run.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import typing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from devset.questions import KINDS, load_devset, select  # noqa: E402
from devset.report import compare as compare_runs  # noqa: E402
from devset.report import table, totals  # noqa: E402
from devset.run import agent_answerer, plain_answerer, run_questions, warm_up  # noqa: E402

OWN = {"self", "model", "backend", "progress", "backend_options"}  # set by this script's own flags


def agent_options(pairs: tuple[str, ...]) -> dict[str, Any]:
    """`KEY=VALUE` pairs as keyword arguments of `Agent(...)`: the value is JSON when it parses
    (`true`, `3`, `{"max_rounds": 2}`, `["Calculate"]`), else the plain string; each is then
    checked against the parameter's type (a dict becomes a `TurnLimits`, say)."""
    from pydantic import TypeAdapter, ValidationError
    from pydantic.errors import PydanticSchemaGenerationError

    from agent.agent import Agent

    known = [name for name in inspect.signature(Agent.__init__).parameters if name not in OWN]
    hints = typing.get_type_hints(Agent.__init__)
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or key not in known:
            raise click.BadParameter(f"{pair!r}: use KEY=VALUE with KEY one of {', '.join(known)}", param_hint="--option")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text
        try:
            value = TypeAdapter(hints[key]).validate_python(value) if key in hints else value
        except PydanticSchemaGenerationError:
            pass  # a type pydantic cannot check (a Registry): passed as given
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"])
            raise click.BadParameter(f"{pair!r}: {where + ': ' if where else ''}{error['msg']}", param_hint="--option") from exc
        options[key] = value
    return options


def git_commit() -> str | None:
    """The checkout's commit, `-dirty` when it has uncommitted changes (a prompt being tuned)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=HERE,
                               capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return (head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")) or None


@click.command(help=__doc__, context_settings={"max_content_width": 100})
@click.option("--backend", type=click.Choice(["transformers", "llamacpp", "http"]), default="transformers", show_default=True)
@click.option("--model", default=None, help="A GGUF file or model directory (default: the embedded model).")
@click.option("--base-url", default=None, help="The server of the http backend.")
@click.option("--split", type=click.Choice(["tune", "report", "all"]), default="report", show_default=True,
              help="Tune prompts on `tune`; report `report`.")
@click.option("--kinds", default=None, help=f"Only these kinds, comma-separated: {', '.join(KINDS)}.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N questions of each kind.")
@click.option("--skip", type=click.IntRange(min=0), default=0, show_default=True,
              help="Leave out the first N questions of each kind (a held-out part of --split tune).")
@click.option("--plain", is_flag=True, help="The model alone in its own chat template: no tools, no MOSS format.")
@click.option("--option", "options", multiple=True, metavar="KEY=VALUE",
              help="A keyword argument of Agent(...), repeatable; VALUE is JSON (true, 3, {...}) or a string.")
@click.option("--tag", default=None, help="A name for this run (shown by --compare).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write every row here (rewritten after each question).")
@click.option("--compare", is_flag=True, help="Print the saved runs RUNS (--json files) side by side instead of running.")
@click.argument("runs", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def main(backend: str, model: str | None, base_url: str | None, split: str, kinds: str | None, limit: int | None,
         skip: int, plain: bool, options: tuple[str, ...], tag: str | None, json_out: Path | None,
         compare: bool, runs: tuple[Path, ...]) -> None:
    if compare != bool(runs):
        raise click.UsageError("--compare takes the saved runs: --compare A.json B.json")
    if compare:
        try:
            click.echo(compare_runs(list(runs)))
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        return
    try:
        questions = select(load_devset(), split=split, kinds=kinds.split(",") if kinds else None, limit=limit, skip=skip)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--kinds") from exc
    if plain and options:
        raise click.BadParameter("--option configures the agent; --plain runs the model without it", param_hint="--option")
    chosen = agent_options(options)
    from agent import Agent
    from devset.corpus import search_over_corpus

    meta: dict[str, Any] = {
        "tag": tag, "backend": backend, "plain": plain, "split": split, "kinds": kinds, "limit": limit, "skip": skip,
        "options": {k: json.loads(json.dumps(v, default=lambda o: o.model_dump() if hasattr(o, "model_dump") else str(o)))
                    for k, v in chosen.items()},
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "commit": git_commit(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
    }
    backend_options = {"base_url": base_url} if base_url else {}
    with search_over_corpus(), Agent(model, backend=backend, progress=True, backend_options=backend_options, **chosen) as agent:
        if plain:
            answer = plain_answerer(agent.backend)
        else:
            offered = {t.name for t in agent.tools}
            skipped = sorted({q.kind for q in questions if q.needs_search} if "Search" not in offered else set())
            if skipped:
                click.echo(f"Search is not enabled: skipping {', '.join(skipped)}", err=True)
                questions = [q for q in questions if q.kind not in skipped]
            meta["tools"] = sorted(offered)
            meta["warmup_s"] = round(warm_up(agent), 2)
            answer = agent_answerer(agent)
        meta["model"] = agent.model_name
        meta["questions"] = len(questions)
        rows = run_questions(questions, answer, meta=meta, json_out=json_out)
    mode = "plain model" if plain else "agent"
    click.echo(f"{mode}: {meta['model']}  backend: {backend}  split: {split}  questions: {len(rows)}"
               + (f"  tag: {tag}" if tag else "") + (f"  options: {json.dumps(meta['options'])}" if chosen else ""))
    if rows:
        click.echo(table(rows))
        click.echo(totals(rows, backend))


if __name__ == "__main__":
    main()
