"""Time the model backends on the same held-constant prompts, in one run.

    .venv/bin/python bench/backends.py [--backends transformers,llamacpp,http] [--threads 2]
                                       [--model FILE.gguf] [--json OUT]

For each backend and each case: time to first token (from the `generate` call to the first
piece shown), decode tokens/s (tokens after the first over the time after the first), whole
generation seconds, tokens prefilled and generated, and whether the text is identical to the
first backend's. For `http`, "new" counts streamed pieces (llama.cpp's server sends one per
token but holds back the tokens of a stop string) and prefill is unknown. A case is a prompt and one or more segments; each segment after the first
appends runtime text (a MOSS Results block) and continues, so its time to first token shows
whether the backend reused the earlier prefix (KV cache in process, prefix cache on a server).

Backends: `transformers` (bfloat16, the default), `llamacpp` in process, and `http` against a
llama.cpp server (llama-cpp-python[server]) that this script starts on a free local port and
stops at the end. All run the same GGUF (the embedded default model unless `--model`), greedy,
with `--threads` CPU threads. A backend whose package is missing is skipped with a note.

Then whole turns through the agent (tools in the real sandbox) on `TURN_QUESTIONS`: seconds for
the turn, seconds to the first reply token, the calls and whether the reply is identical to the
first backend's. The first question of each backend warms the prompt's prefix; the table shows
all of them.

To extend: add a `Case` to `CASES`, a question to `TURN_QUESTIONS`, or a factory to
`FACTORIES` (a context manager yielding a Backend).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from agent.backends.base import Backend, GenerationEnd  # noqa: E402


@dataclass(frozen=True)
class Segment:
    """Runtime text appended before generating, and how the generation ends."""

    append: str
    stop: tuple[str, ...]
    max_new_tokens: int


@dataclass(frozen=True)
class Case:
    name: str
    prompt: str
    segments: tuple[Segment, ...]


def _chat(question: str) -> str:
    return (
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
        f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"
    )


MOSS_META = (
    "You are an AI assistant whose name is MOSS.\n"
    "- MOSS is a conversational language model that is developed by Fudan University. "
    "It is designed to be helpful, honest, and harmless.\n"
    "- MOSS can understand and communicate fluently in the language chosen by the user such as "
    "English and 中文. MOSS can perform any language-based tasks.\n"
    "- Its responses must be positive, polite, interesting, and engaging.\n"
    "Capabilities and tools that MOSS can possess.\n"
    "- Inner thoughts: enabled.\n"
    "- Web search: disabled.\n"
    "- Calculator: enabled. API: Calculate(expression)\n"
    "- Equation solver: enabled. API: Solve(equation)\n"
    "- Text-to-image: disabled.\n"
    "- Image edition: disabled.\n"
    "- Text-to-speech: disabled.\n"
)
MOSS_EXAMPLE = (
    "<|Human|>: What is 12 times 3?<eoh>\n"
    "<|Inner Thoughts|>: The user wants a product; I should use the calculator<eot>\n"
    '<|Commands|>: Calculate("12*3")<eoc>\n'
    '<|Results|>:\nCalculate("12*3") => 36\n<eor>\n'
    "<|MOSS|>: 12 times 3 is 36.<eom>\n"
)
MOSS_QUESTION = "<|Human|>: What is 347 multiplied by 29?<eoh>\n<|Inner Thoughts|>:"

CASES: tuple[Case, ...] = (
    Case(
        "decode: prime function, 128 tokens",
        _chat("Write a Python function that checks whether a number is prime, with a docstring."),
        (Segment("", (), 128),),
    ),
    Case(
        "MOSS turn: thoughts, commands | Results, reply",
        MOSS_META + MOSS_EXAMPLE + MOSS_QUESTION,
        (
            Segment("", ("<eot>",), 64),
            Segment("\n<|Commands|>:", ("<eoc>",), 48),
            Segment('\n<|Results|>:\nCalculate("347*29") => 10063\n<eor>\n<|MOSS|>:', ("<eom>",), 64),
        ),
    ),
)


@dataclass
class Measure:
    backend: str
    case: str
    segment: int
    ttft_s: float
    decode_tok_s: float
    seconds: float
    prompt_tokens: int
    new_tokens: int
    reason: str
    text: str
    identical: bool | None = field(default=None)


def measure(backend: Backend, name: str, case: Case) -> list[Measure]:
    """Run one case on a backend, one Measure per segment."""
    backend.reset(case.prompt)
    out = []
    for i, seg in enumerate(case.segments):
        backend.append(seg.append)
        started = time.perf_counter()
        first: float | None = None
        end: GenerationEnd | None = None
        for item in backend.generate(list(seg.stop), seg.max_new_tokens):
            if isinstance(item, GenerationEnd):
                end = item
            elif first is None:
                first = time.perf_counter() - started
        total = time.perf_counter() - started
        assert end is not None
        ttft = first if first is not None else total
        decode = (end.new_tokens - 1) / (total - ttft) if end.new_tokens > 1 and total > ttft else 0.0
        out.append(
            Measure(name, case.name, i, ttft, decode, total, end.prompt_tokens, end.new_tokens, end.reason, end.text)
        )
    return out


# -- backends ---------------------------------------------------------------------------------


@contextlib.contextmanager
def transformers_backend(model: Path, threads: int) -> Iterator[Backend]:
    import torch

    from agent.backends.transformers import TransformersBackend

    torch.set_num_threads(threads)
    yield TransformersBackend.from_pretrained(model, name="default")


@contextlib.contextmanager
def llamacpp_backend(model: Path, threads: int) -> Iterator[Backend]:
    from agent.backends.llamacpp import LlamaCppBackend

    yield LlamaCppBackend.from_gguf(model, n_threads=threads, n_ctx=4096)


@contextlib.contextmanager
def http_backend(model: Path, threads: int) -> Iterator[Backend]:
    from agent.backends.http import HttpBackend

    from agent.backends.llamacpp_server import local_server

    with local_server(model, threads=threads) as url, HttpBackend(url, "default", extra_body={"repeat_penalty": 1.0}) as backend:
        yield backend


FACTORIES: dict[str, Callable[[Path, int], contextlib.AbstractContextManager[Backend]]] = {
    "transformers": transformers_backend,
    "llamacpp": llamacpp_backend,
    "http": http_backend,
}


TURN_QUESTIONS = (
    "What is 347 multiplied by 29?",
    "Solve 3x + 7 = 22 for x.",
    "What is 15% of 2480?",
    "What is the capital of Japan?",
)


@dataclass
class TurnMeasure:
    backend: str
    question: str
    seconds: float
    first_reply_s: float
    calls: list[str]
    reply: str
    identical: bool | None = None


def full_turns(backend: Backend, name: str) -> list[TurnMeasure]:
    """Each question as one whole turn of the agent (its own session) on `backend`."""
    from agent import Agent

    rows = []
    with Agent(backend) as agent:
        agent.run("Hi")  # warm-up: the prompt's prefix is encoded once, the sandbox started
        for question in TURN_QUESTIONS:
            turn = agent.run(question)
            rows.append(TurnMeasure(
                backend=name, question=question, seconds=turn.timings.total_s,
                first_reply_s=turn.timings.first_reply_token_s or float("nan"),
                calls=[c.text for c in turn.calls], reply=turn.reply,
            ))
    return rows


def _default_model() -> Path:
    from agent.backends.assets import default_model_path

    return default_model_path(progress=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default=",".join(FACTORIES), help="comma-separated, in order")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", type=Path, help="a GGUF file (default: the embedded model)")
    parser.add_argument("--json", type=Path, help="also write every measure here")
    args = parser.parse_args()
    model = args.model or _default_model()
    load_before = os.getloadavg()[0]

    results: list[Measure] = []
    turns: list[TurnMeasure] = []
    for name in args.backends.split(","):
        try:
            started = time.perf_counter()
            with FACTORIES[name](model, args.threads) as backend:
                loaded = time.perf_counter() - started
                print(f"{name}: ready in {loaded:.1f} s", flush=True)
                backend.reset(_chat("Hi"))  # warm-up: first-call allocations are not measured
                for _ in backend.generate([], 2):
                    pass
                for case in CASES:
                    results.extend(measure(backend, name, case))
                turns.extend(full_turns(backend, name))
        except ImportError as exc:
            print(f"{name}: skipped ({exc}); install it to include it", flush=True)

    reference: dict[tuple[str, int], str] = {}
    for m in results:
        key = (m.case, m.segment)
        if key in reference:
            m.identical = m.text == reference[key]
        else:
            reference[key] = m.text
    load_after = os.getloadavg()[0]
    print(f"\nload average {load_before:.1f} before, {load_after:.1f} after, on {os.cpu_count()} CPUs "
          f"with {args.threads} threads per backend, OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}: "
          "other work on the cores slows every backend, so compare numbers from the same run")
    print()
    header = f"{'backend':<13}{'case / segment':<50}{'TTFT s':>8}{'tok/s':>8}{'total s':>9}{'prefill':>8}{'new':>5}  {'end':<7}same"
    print(header)
    print("-" * len(header))
    for m in results:
        same = "-" if m.identical is None else ("yes" if m.identical else "NO")
        print(
            f"{m.backend:<13}{m.case[:44] + ' / ' + str(m.segment):<50}{m.ttft_s:>8.2f}{m.decode_tok_s:>8.1f}"
            f"{m.seconds:>9.2f}{m.prompt_tokens or '-':>8}{m.new_tokens:>5}  {m.reason:<7}{same}"
        )
    differing = [m for m in results if m.identical is False]
    for m in differing:
        print(f"\n{m.backend} differs on {m.case} / {m.segment}:\n  {m.text!r}\n  vs {reference[(m.case, m.segment)]!r}")
    first_reply = {}
    for t in turns:
        if t.question in first_reply:
            t.identical = t.reply == first_reply[t.question]
        else:
            first_reply[t.question] = t.reply
    print(f"\n{'backend':<13}{'question':<34}{'turn s':>8}{'reply s':>9}  {'same':<5}calls -> reply")
    for t in turns:
        same = "-" if t.identical is None else ("yes" if t.identical else "NO")
        print(f"{t.backend:<13}{t.question[:32]:<34}{t.seconds:>8.2f}{t.first_reply_s:>9.2f}  {same:<5}"
              f"{', '.join(t.calls) or 'None'} -> {t.reply[:60]!r}")
    if args.json:
        payload = {"segments": [asdict(m) for m in results], "turns": [asdict(t) for t in turns]}
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
