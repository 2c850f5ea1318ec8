"""`moss-agent index`: manage the local search index that `Search(query)` answers from.

    moss-agent index add notes.md docs/        # files, or folders of .txt/.md/.html files
    moss-agent index list
    moss-agent index rm notes.md

The index lives in the user data folder (MOSS_AGENT_DATA overrides it, `--index` names a
file). Each file is added in its own transaction: a file that cannot be read is reported and
skipped, and what was indexed before stays intact.

The command is the Search plugin's, registered through the entry-point group
`moss_agent.commands` as any plugin's command would be; the CLI does not import it by name.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime
from pathlib import Path

import click

from plugins.search.config import SearchConfig
from plugins.search.documents import (
    DEFAULT_MAX_BYTES,
    TEXT_SUFFIXES,
    Document,
    format_size,
    read_document,
)
from plugins.search.errors import SearchError
from plugins.search.index import SearchIndex
from tools.cli import progress_bar


def _parse_size(_ctx: click.Context, _param: click.Parameter, value: str) -> int:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*", value, re.I)
    if not match:
        raise click.BadParameter(f"{value!r} is not a size such as 20MB or 500KB")
    number, unit = float(match[1]), match[2].lower()
    return int(number * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit])


def _index_path(ctx: click.Context) -> Path:
    explicit: Path | None = ctx.obj.get("index") if ctx.obj else None
    if explicit is not None:
        return explicit
    try:
        return SearchConfig.from_env().index_path
    except SearchError as exc:
        raise click.ClickException(str(exc)) from None


def _open(ctx: click.Context, *, create: bool) -> SearchIndex:
    """The index, its terms brought up to this version's tokenizer first if they are older."""
    try:
        idx = SearchIndex(_index_path(ctx), create=create)
    except SearchError as exc:
        raise click.ClickException(str(exc)) from None
    if idx.outdated:
        total = idx.passage_count()
        click.echo(f"updating the index terms of {_passages(total)} for this version of "
                   "moss-agent (your documents are not read again)", err=True)
        with progress_bar("re-indexing", total, sys.stderr.isatty(), unit="items") as bar:
            idx.rebuild_terms(bar.advance)
    return idx


@click.group()
@click.option(
    "--index",
    "index_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The index file (default: search-index.sqlite3 in the user data folder).",
)
@click.pass_context
def index(ctx: click.Context, index_file: Path | None) -> None:
    """Manage the local search index behind Search(query)."""
    ctx.ensure_object(dict)
    ctx.obj["index"] = index_file


def _expand(paths: tuple[Path, ...]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES - {""}
            )
        else:
            files.append(path)
    return files


# Below this many passages (about 2 MB of text, a couple of seconds) a file needs no bar.
PROGRESS_MIN_PASSAGES = 5000


def _show_progress(document: Document) -> bool:
    return len(document.passages) >= PROGRESS_MIN_PASSAGES and sys.stderr.isatty()


@index.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--max-size",
    default=format_size(DEFAULT_MAX_BYTES).replace(" ", ""),
    show_default=True,
    callback=_parse_size,
    help="Skip files larger than this (e.g. 500KB, 50MB; a bare number is bytes).",
)
@click.pass_context
def add(ctx: click.Context, paths: tuple[Path, ...], max_size: int) -> None:
    """Add text, Markdown or HTML files (or folders of them) to the index."""
    failures = 0
    with _open(ctx, create=True) as idx:
        for path in _expand(paths):
            try:
                document = read_document(path, max_bytes=max_size)
            except SearchError as exc:
                click.echo(f"skipped {exc}", err=True)
                failures += 1
                continue
            same = idx.find_by_hash(document.sha256)
            if same == document.source:
                click.echo(f"unchanged {document.source} (already indexed)")
                continue
            if same is not None:
                click.echo(f"skipped {document.source}: same content as {same}, already indexed")
                continue
            with progress_bar(
                f"indexing {document.source}", len(document.passages), _show_progress(document),
                unit="items",
            ) as bar:
                count = idx.add(document.source, document.sha256, document.size,
                                document.passages, progress=bar.advance)
            click.echo(f"added {document.source}: {_passages(count)}")
        total = idx.passage_count()
    click.echo(f"index {_index_path(ctx)}: {_passages(total)}")
    if failures:
        raise click.ClickException(f"{failures} file(s) not added; see the messages above")


@index.command(name="list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """List the indexed documents."""
    path = _index_path(ctx)
    if not path.is_file():
        click.echo(f"no index at {path}; add documents with `moss-agent index add PATH`")
        return
    with _open(ctx, create=False) as idx:
        documents = idx.documents()
    if not documents:
        click.echo("the index is empty; add documents with `moss-agent index add PATH`")
    for doc in documents:
        added = datetime.fromtimestamp(doc.added).strftime("%Y-%m-%d %H:%M")
        gone = "" if Path(doc.source).exists() else "  (file no longer exists)"
        click.echo(f"{_passages(doc.passages):>14}  {format_size(doc.size):>10}  {added}  "
                   f"{doc.source}{gone}")


@index.command()
@click.argument("sources", nargs=-1, required=True)
@click.pass_context
def rm(ctx: click.Context, sources: tuple[str, ...]) -> None:
    """Remove documents from the index (the files themselves are not touched)."""
    missing = 0
    with _open(ctx, create=False) as idx:
        for source in sources:
            # The file may be gone: match the stored path as given and as resolved.
            candidates = dict.fromkeys([source, str(Path(source).resolve())])
            if any(idx.remove(c) for c in candidates):
                click.echo(f"removed {source}")
            else:
                click.echo(f"not in the index: {source} (see `moss-agent index list`)", err=True)
                missing += 1
    if missing:
        raise click.ClickException(f"{missing} source(s) were not in the index")


def _passages(count: int) -> str:
    return f"{count} passage" if count == 1 else f"{count} passages"
