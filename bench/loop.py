"""The turn loop on the embedded default model, measured in one run; prints numbers.

    python bench/loop.py               # everything (the cold start uses a fresh temp cache)
    python bench/loop.py --skip-cold

- time to the first reply token after Results, and to the whole reply, when the loop resumes
  from the session's KV cache vs when the same ~1,500-token transcript is encoded again;
- cold and warm start to the first token (fresh processes; see bench/backend.py);
- the loop's wall time for a whole turn (tools excluded) vs a plain `model.generate` producing
  the same number of tokens from the same state;
- decode tokens/s inside the loop.

The numbers depend on the machine's load; the load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HISTORY = [  # turns that grow the session's transcript to about 1,500 tokens
    "What is 1234 times 5678?",
    "What is the capital of Italy?",
    "Solve 2x + 3 = 17.",
    "What is 2 to the power of 16?",
]
QUESTION = "What is 347 multiplied by 29?"


def timed_turn(session, question: str) -> dict[str, float | str]:
    """Run one turn, timing the stages from the events."""
    from agent.events import CommandsIssued, ReplyDone, TokenEvent, ToolResultEvent, TurnDone

    marks: dict[str, float] = {"start": time.monotonic()}
    for event in session.stream(question):
        now = time.monotonic()
        if isinstance(event, CommandsIssued):
            marks["commands"] = now
        elif isinstance(event, ToolResultEvent):
            marks["results"] = now
        elif isinstance(event, TokenEvent) and event.segment == "reply" and "first" not in marks:
            marks["first"] = now
        elif isinstance(event, ReplyDone):
            marks["reply_done"] = now
        elif isinstance(event, TurnDone):
            marks["done"] = now
            result = event.result
    after_tools = marks.get("results", marks["commands"])
    return {
        "ttft": marks["first"] - after_tools,
        "reply": marks["reply_done"] - after_tools,
        "total": marks["done"] - marks["start"],
        "tools": result.timings.tools_s,
        "generated": result.tokens.generated,
        "text": result.reply,
    }


def reencoded_reply(backend, transcript: str, max_tokens: int) -> tuple[float, float, str]:
    """First-token and whole-reply seconds for the same reply with nothing cached."""
    from agent.backends.base import GenerationEnd
    from agent.backends.transformers import TransformersBackend
    from agent.format import EOM

    fresh = TransformersBackend(backend.model, backend.tokenizer, backend.name)
    fresh.reset(transcript)
    t0 = time.monotonic()
    first = None
    text = ""
    for item in fresh.generate([EOM, "<|im_end|>", "<|Human|>:"], max_tokens):
        if isinstance(item, GenerationEnd):
            break
        first = first or time.monotonic()
        text += item
    return first - t0, time.monotonic() - t0, text.strip()


def plain_generate_seconds(backend, ids: list[int], new_tokens: int) -> float:
    """`model.generate` of `new_tokens` greedy tokens after `ids`, prompt already cached."""
    import torch
    from transformers import DynamicCache

    model = backend.model
    cache = DynamicCache(config=model.config)
    with torch.no_grad():
        model(input_ids=torch.tensor([ids[:-1]]), past_key_values=cache, use_cache=True)
    t0 = time.monotonic()
    with torch.no_grad():
        model.generate(
            input_ids=torch.tensor([ids]), past_key_values=cache, max_new_tokens=new_tokens,
            min_new_tokens=new_tokens, do_sample=False,
        )
    return time.monotonic() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-cold", action="store_true")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")

    from backend import start_to_first_token  # bench/backend.py

    from agent.backends.assets import cache_dir

    if not args.skip_cold:
        with tempfile.TemporaryDirectory() as empty:
            _, cold = start_to_first_token("bfloat16", empty)
        print(f"cold start to first token (empty cache): {cold:.1f} s")
    _, warm = start_to_first_token("bfloat16", str(cache_dir()))
    print(f"warm start to first token: {warm:.1f} s")

    from agent import Agent
    from agent.backends.transformers import load_default_model

    backend = load_default_model(progress=False)
    with Agent(backend) as agent:
        session = agent.session()
        for question in HISTORY:
            session.run(question)
        before = list(backend.token_ids)
        resumed = timed_turn(session, QUESTION)
        history_tokens = len(before)
        transcript = backend.transcript
        upto_reply = transcript[: transcript.rindex("<|MOSS|>:") + len("<|MOSS|>:")]
        ttft_re, reply_re, text_re = reencoded_reply(backend, upto_reply, agent.limits.reply_tokens)
        print(f"history before the turn: {history_tokens} tokens; reply: {resumed['text']!r}")
        print(f"first reply token after Results: resume {resumed['ttft']:.2f} s, "
              f"re-encode {ttft_re:.2f} s -> {ttft_re / resumed['ttft']:.1f}x")
        print(f"whole reply after Results: resume {resumed['reply']:.2f} s, "
              f"re-encode {reply_re:.2f} s -> {reply_re / resumed['reply']:.2f}x; "
              f"same text: {text_re == resumed['text']}")

        loop_s = resumed["total"] - resumed["tools"]
        plain_s = plain_generate_seconds(backend, before + list(backend.tokenizer.encode(
            agent.framing.open_turn(QUESTION), add_special_tokens=False)), int(resumed["generated"]))
        print(f"whole turn, tools excluded: loop {loop_s:.2f} s for {resumed['generated']} tokens; "
              f"plain model.generate of as many tokens {plain_s:.2f} s -> {loop_s / plain_s:.2f}x")
        print(f"decode inside the loop: {resumed['generated'] / loop_s:.1f} tok/s (all segments, "
              f"runtime-written text prefilled included)")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
