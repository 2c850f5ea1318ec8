"""Load test of `moss-agent serve`: N concurrent clients, turns/s and latency per N.

    .venv/bin/python bench/serve.py [--backends http,llamacpp] [--clients 1,2,4,8]
                                    [--turns 4] [--slots 8] [--threads 2] [--max-seconds 300]
                                    [--llama-server PATH] [--server-args ARGS]
                                    [--json OUT] [--keep DIR]

For each backend, the bench starts `moss-agent serve` on a free loopback port with its own log
database, sends one warm-up question (and, for `http`, one more per slot at once, so that every
slot holds the few-shot prefix), then for each N runs N client threads, each asking
`--turns` questions one after another (non-streamed, through the OpenAI API), and prints:
turns/s (answered turns over the wall time of that N), p50/p95 latency of answered turns,
how many were refused with 503 (allowed) or failed otherwise (not allowed), and the speed-up
over N=1; for `http` also the engine's own ceiling (`engine`: tokens/s of N plain completions at
once over one, no agent involved): concurrent turns cannot gain more than the engine's batching
does. At the end it checks the store: every answered turn is there, `done`, and nothing
else ran (nothing lost, nothing extra).

Backends:
- `http`: the HTTP backend against llama.cpp's `llama-server` with `--slots` parallel slots
  (continuous batching), started here (see bench/llama_server.py to find or build it); serve
  runs with `--concurrency` = slots. Without llama-server, llama-cpp-python's server is used,
  which has one slot (turns then queue at the engine; the table says so).
- `llamacpp`: the llama.cpp backend in serve's own process: one model, one turn at a time.

Everything is loopback only, bounded in count (clients x turns) and time (`--max-seconds` per
N: clients stop starting new turns after it). Timings need a quiet machine; the default model
and its few-shot prompt are the ones `moss-agent serve` uses.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shlex
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import llama_server  # noqa: E402  (beside this file)
from tests.helpers.serve_helpers import serve_process  # noqa: E402

QUESTIONS = (
    "What is 347 multiplied by 29?",
    "Solve x^2 = 49",
    "What is 2 to the power of 20?",
    "Name three primary colors.",
    "What is 15% of 240?",
    "Write one sentence about the sea.",
    "Solve 3x + 5 = 20",
    "What is the capital of Italy?",
)
ALIAS = "qwen2.5-coder-0.5b-instruct"


@dataclass
class Level:
    backend: str
    engine: str
    clients: int
    answered: int = 0
    refused_503: int = 0
    failed: int = 0
    wall_s: float = 0.0
    turns_per_s: float = 0.0
    p50_s: float = 0.0
    p95_s: float = 0.0
    speedup: float = 0.0
    engine_speedup: float = 0.0  # the engine alone: N plain completions at once over one (http only)
    failures: list[str] = field(default_factory=list)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run_level(url: str, model: str, backend: str, engine: str, clients: int, turns: int, max_seconds: float) -> Level:
    level = Level(backend, engine, clients)
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds

    def client(index: int) -> None:
        with httpx.Client(base_url=url, timeout=max_seconds + 60) as http:
            for turn in range(turns):
                if time.monotonic() >= deadline:
                    return
                question = QUESTIONS[(index * turns + turn) % len(QUESTIONS)]
                body = {"model": model, "messages": [{"role": "user", "content": question}],
                        "user": f"bench-client-{index}"}
                started = time.monotonic()
                try:
                    response = http.post("/v1/chat/completions", json=body)
                except httpx.HTTPError as exc:
                    with lock:
                        level.failed += 1
                        level.failures.append(f"{type(exc).__name__}: {exc}")
                    continue
                took = time.monotonic() - started
                with lock:
                    if response.status_code == 200:
                        level.answered += 1
                        latencies.append(took)
                    elif response.status_code == 503:
                        level.refused_503 += 1
                    else:
                        level.failed += 1
                        level.failures.append(f"HTTP {response.status_code}: {response.text[:200]}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    level.wall_s = time.monotonic() - started
    level.turns_per_s = level.answered / level.wall_s if level.wall_s else 0.0
    level.p50_s = _percentile(latencies, 0.50)
    level.p95_s = _percentile(latencies, 0.95)
    return level


def engine_streams(engine_url: str, model: str, streams: int, tokens: int = 64) -> float:
    """Tokens/s of the engine alone with `streams` plain completions at once (no agent, no
    serve): the most any number of concurrent turns can gain from its batching."""
    body = {"model": model, "prompt": "Count from one to a thousand in words:", "max_tokens": tokens,
            "temperature": 0.0}
    made: list[int] = []

    def one() -> None:
        reply = httpx.post(engine_url + "/v1/completions", json=body, timeout=600).json()
        made.append(int(reply["usage"]["completion_tokens"]))

    threads = [threading.Thread(target=one) for _ in range(streams)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(made) / (time.monotonic() - started)


@dataclass
class Engine:
    """What `moss-agent serve` runs on: its arguments, the model to ask for, a label, and the
    engine's own URL when it is a server of its own (None when the model is in process)."""

    serve_args: list[str]
    model: str
    label: str
    url: str | None = None


@contextlib.contextmanager
def engine_for(backend: str, args: argparse.Namespace, work: Path) -> Iterator[Engine]:
    """The engine `backend` needs, started for the length of the block."""
    from agent.backends.assets import default_model_path

    gguf = default_model_path(progress=True)
    if backend == "llamacpp":
        yield Engine(["--backend", "llamacpp"], "", "in process (1 turn at a time)")
        return
    binary = llama_server.find(args.llama_server)
    if binary is not None:
        with llama_server.running(binary, gguf, alias=ALIAS, slots=args.slots, threads=args.threads,
                                  ctx_per_slot=4096, log=work / "llama-server.log",
                                  extra_args=shlex.split(args.server_args)) as url:
            yield Engine(["--backend", "http", "--base-url", url, "--model", ALIAS, "--concurrency", str(args.slots)],
                         ALIAS, f"llama-server, {args.slots} slots", url)
        return
    from agent.backends.llamacpp_server import local_server

    print("note: no llama-server (python bench/llama_server.py --build); using llama-cpp-python's server, "
          "which runs one request at a time", file=sys.stderr)
    with local_server(gguf, threads=args.threads, log=work / "llama-cpp-python-server.log") as url:
        yield Engine(["--backend", "http", "--base-url", url, "--model", ALIAS], ALIAS,
                     "llama-cpp-python server (1 slot)", url)


def check_store(db: Path, answered: int) -> str:
    """'ok' when the store holds exactly the answered turns (warm-up included), all done."""
    from agent.store import Store

    with Store.open(db) as store:
        turns = store.turns()
    statuses = [t.status for t in turns]
    if len(turns) != answered or any(s != "done" for s in statuses):
        return f"MISMATCH: {answered} answered, store holds {len(turns)} turns ({', '.join(sorted(set(statuses)))})"
    return "ok"


def bench_backend(backend: str, args: argparse.Namespace, work: Path) -> tuple[list[Level], str]:
    db = work / f"{backend}.db"
    with engine_for(backend, args, work) as found:
        model, engine = found.model, found.label
        serve_args = [*found.serve_args, "--tools", "Calculate,Solve", "--db", str(db),
                      "--max-queue", str(args.max_queue)]
        with serve_process(serve_args, log=work / f"serve-{backend}.log", timeout=600) as url:
            model = model or httpx.get(url + "/v1/models").json()["data"][0]["id"]
            warm = run_level(url, model, backend, engine, 1, 1, args.max_seconds)  # loads, fills caches
            if backend == "http":
                # Every slot prefills the ~2,000-token few-shot prefix once (about 20 s on 2 cores)
                # the first time a turn lands in it; one turn per slot at once warms them all, so
                # the levels measure the steady state rather than which slots happen to be cold.
                slots = run_level(url, model, backend, engine, args.slots, 1, args.max_seconds)
                warm.answered += slots.answered
            levels = [run_level(url, model, backend, engine, n, args.turns, args.max_seconds) for n in args.clients]
        if found.url is not None:
            engine_url = found.url
            engine_streams(engine_url, model, 1)  # warm-up: the prompt prefilled, the graph built
            alone = engine_streams(engine_url, model, 1)
            streams = sorted({min(level.clients, args.slots) for level in levels})  # N beyond the slots: measured once
            ceiling = {n: engine_streams(engine_url, model, n) / alone if alone else 0.0 for n in streams}
            for level in levels:
                level.engine_speedup = ceiling[min(level.clients, args.slots)]
    base = next((lv.turns_per_s for lv in levels if lv.clients == 1), 0.0)
    for level in levels:
        level.speedup = level.turns_per_s / base if base else 0.0
    return levels, check_store(db, warm.answered + sum(lv.answered for lv in levels))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="http,llamacpp")
    parser.add_argument("--clients", default="1,2,4,8", help="comma-separated numbers of concurrent clients")
    parser.add_argument("--turns", type=int, default=4, help="questions each client asks per level")
    parser.add_argument("--slots", type=int, default=8, help="llama-server's parallel slots (= serve --concurrency)")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads of the engine")
    parser.add_argument("--max-queue", type=int, default=32, help="serve --max-queue")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="time bound per level")
    parser.add_argument("--llama-server", default=None, help="path of llama.cpp's llama-server")
    parser.add_argument("--server-args", default="", help="more llama-server arguments, e.g. '-fa on'")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the logs (serve's, llama-server's) and databases in this folder")
    args = parser.parse_args()
    args.clients = [int(n) for n in args.clients.split(",")]

    results: list[Level] = []
    stores: dict[str, str] = {}
    with contextlib.ExitStack() as stack:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            work = args.keep
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="moss-serve-bench-")))
        for backend in args.backends.split(","):
            levels, stores[backend] = bench_backend(backend.strip(), args, work)
            results.extend(levels)

    print(f"{'backend':9} {'engine':34} {'N':>2} {'answered':>8} {'503':>4} {'failed':>6} {'wall s':>7} "
          f"{'turns/s':>8} {'p50 s':>6} {'p95 s':>6} {'x N=1':>6} {'engine':>6}")
    for lv in results:
        print(f"{lv.backend:9} {lv.engine:34} {lv.clients:>2} {lv.answered:>8} {lv.refused_503:>4} {lv.failed:>6} "
              f"{lv.wall_s:>7.1f} {lv.turns_per_s:>8.3f} {lv.p50_s:>6.2f} {lv.p95_s:>6.2f} {lv.speedup:>6.2f} "
              f"{f'{lv.engine_speedup:.2f}' if lv.engine_speedup else '-':>6}")
        for failure in lv.failures[:3]:
            print(f"    failed: {failure}")
    for backend, verdict in stores.items():
        print(f"store ({backend}): {verdict}")
    if args.json:
        args.json.write_text(json.dumps({"levels": [asdict(lv) for lv in results], "store": stores}, indent=2))
    if any(lv.failed for lv in results) or any(v != "ok" for v in stores.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
