"""Benchmark the transformers backend on the embedded default model; prints numbers.

    python bench/backend.py                 # everything (cold start uses a fresh temp cache)
    python bench/backend.py --skip-cold     # warm start, speed per dtype, resume vs re-encode
    python bench/backend.py --dtypes bfloat16 --threads 1

Measures:
- start to first token, cold (empty cache: assemble, hash, dequantize, convert tokenizer, save)
  and warm (cached safetensors), each in a fresh Python process, imports included;
- prefill and decode tokens/s per dtype, plus the backend's loop against `model.generate`;
- bfloat16 vs float32 agreement (greedy tokens, top-1 of next-token logits);
- time to first token after appending ~40 tokens of Results to a ~1,500-token transcript:
  resuming from the session's KV cache vs encoding the whole transcript again.

Timings on a shared machine vary with load; the load average is printed alongside.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = (
    '<|Results|>:\nCalculate("347*29") => 10063\nSolve("x^2-5x+6=0") => x_0 = 2\nx_1 = 3\n'
    "<eor>\n<|MOSS|>:"
)
STORY = (
    "The library at the end of the street kept its lamps on late. Students came with "
    "questions about rivers, algebra, old wars and the names of stars, and the librarian "
    "answered each one patiently, writing the sources on small cards. "
)


def child_first_token(dtype: str) -> None:
    """(In a fresh process) load the default model and print seconds to the first token."""
    t0 = time.monotonic()
    from agent.backends.transformers import load_default_model

    backend = load_default_model(dtype=dtype, progress=False)
    loaded = time.monotonic()
    backend.reset("<|Human|>: Hi<eoh>\n<|MOSS|>:")
    first = next(iter(backend.generate(["<eom>"], 4)))
    done = time.monotonic()
    print(f"{loaded - t0:.2f} {done - t0:.2f} {first!r}")


def start_to_first_token(dtype: str, cache: str) -> tuple[float, float]:
    env = {**os.environ, "MOSS_AGENT_CACHE": cache}
    out = subprocess.run([sys.executable, __file__, "--child-start", dtype], env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def load(dtype: str):  # -> TransformersBackend
    from agent.backends.transformers import load_default_model

    return load_default_model(dtype=dtype, progress=False)


def speed(backend, prompt_tokens: int = 512, new_tokens: int = 48) -> dict[str, float]:
    """Prefill tok/s for a `prompt_tokens` prompt; decode tok/s for `new_tokens` greedy."""
    import torch

    tok = backend.tokenizer
    ids = tok.encode(STORY * 40, add_special_tokens=False)[:prompt_tokens]
    backend.reset_ids(ids)
    t0 = time.monotonic()
    backend._advance()  # the prefill alone
    prefill = time.monotonic() - t0
    t0 = time.monotonic()
    end = list(backend.generate([], new_tokens))[-1]
    decode = time.monotonic() - t0
    # the same decode through transformers' own generate, for the loop's overhead
    model = backend.model
    short = torch.tensor([ids[:64]])
    with torch.inference_mode():
        model.generate(short, max_new_tokens=2, do_sample=False)  # warm-up
        t0 = time.monotonic()
        out = model.generate(short, max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                             do_sample=False)
        hf = time.monotonic() - t0
    backend.reset_ids(ids[:64])
    t0 = time.monotonic()
    list(backend.generate([], new_tokens))
    ours = time.monotonic() - t0
    return {
        "prefill_tok_s": prompt_tokens / prefill,
        "decode_tok_s": (end.new_tokens - 1) / max(decode, 1e-9),  # first token = cached logits
        "loop_tok_s_64": new_tokens / ours,
        "hf_generate_tok_s_64": (out.shape[-1] - 64) / hf,
    }


def agreement(b16, b32, prompts: list[str], n: int = 32) -> tuple[int, int, float]:
    """Greedy tokens equal in both dtypes before the first divergence; top-1 logits agreement."""
    import torch

    same = total = 0
    for prompt in prompts:
        outs = []
        for b in (b16, b32):
            b.reset(prompt)
            list(b.generate([], n))
            outs.append(b.token_ids[-n:])
        k = next((i for i, (x, y) in enumerate(zip(*outs)) if x != y), n)
        same += k
        total += n
    ids = b32.tokenizer.encode(STORY * 6, add_special_tokens=False)[:400]
    with torch.inference_mode():
        top = [b.model(input_ids=torch.tensor([ids])).logits[0].float().argmax(-1) for b in (b16, b32)]
    return same, total, float((top[0] == top[1]).float().mean())


def resume_vs_reencode(backend, transcript_tokens: int = 1500) -> tuple[float, float, int, int]:
    """Seconds to the first token after appending Results: resumed cache vs full re-encode."""
    from agent.backends.transformers import TransformersBackend

    tok = backend.tokenizer
    ids = tok.encode(STORY * 60, add_special_tokens=False)[:transcript_tokens]
    backend.reset_ids(ids)
    list(backend.generate(["<eoc>"], 4))
    backend.append(RESULTS)
    t0 = time.monotonic()
    first = next(iter(backend.generate(["<eom>"], 1)))
    resumed = time.monotonic() - t0
    fresh = TransformersBackend(backend.model, tok)
    fresh.reset_ids(backend.token_ids[:-1])  # the same ids, nothing cached
    t0 = time.monotonic()
    again = next(iter(fresh.generate(["<eom>"], 1)))
    reencoded = time.monotonic() - t0
    assert first == again, (first, again)
    appended = len(tok.encode(RESULTS, add_special_tokens=False))
    return resumed, reencoded, appended, len(backend.token_ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dtypes", default="bfloat16,float32")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--skip-cold", action="store_true")
    parser.add_argument("--child-start", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_start:
        child_first_token(args.child_start)
        return
    import agent.backends.gguf  # noqa: F401  (before torch: it sets the OpenMP wait policy)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    dtypes = args.dtypes.split(",")
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, cpus {os.cpu_count()}, "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}, "
          f"load average {os.getloadavg()[0]:.1f}")

    from agent.backends.assets import cache_dir

    for dtype in dtypes:
        if not args.skip_cold:
            with tempfile.TemporaryDirectory() as tmp:
                loaded, first = start_to_first_token(dtype, tmp)
            print(f"[{dtype}] cold start: loaded {loaded:.1f} s, first token {first:.1f} s")
        load(dtype)  # make sure the real cache holds this dtype's conversion
        loaded, first = start_to_first_token(dtype, str(cache_dir()))
        print(f"[{dtype}] warm start: loaded {loaded:.1f} s, first token {first:.1f} s")

    backends = {}
    for dtype in dtypes:
        backends[dtype] = b = load(dtype)
        s = speed(b)
        print(f"[{dtype}] prefill {s['prefill_tok_s']:.0f} tok/s (512-token prompt), decode "
              f"{s['decode_tok_s']:.1f} tok/s; 48 tokens after a 64-token prompt: backend loop "
              f"{s['loop_tok_s_64']:.1f} tok/s vs model.generate {s['hf_generate_tok_s_64']:.1f}")
        r, f, appended, total = resume_vs_reencode(b)
        print(f"[{dtype}] first token after appending {appended} tokens of Results to a "
              f"{total}-token transcript: resume {r:.2f} s, full re-encode {f:.2f} s "
              f"({f / r:.0f}x)")
    if {"bfloat16", "float32"} <= set(backends):
        prompts = ["def quicksort(arr):", "<|Human|>: What is the capital of France?<eoh>\n<|MOSS|>:",
                   "The three laws of motion are", "import numpy as np\n\ndef normalize(v):"]
        same, total, top1 = agreement(backends["bfloat16"], backends["float32"], prompts)
        print(f"bfloat16 vs float32: {same}/{total} greedy tokens identical before the first "
              f"divergence over {len(prompts)} prompts; next-token top-1 agreement {top1:.1%} "
              f"over 400 positions")


if __name__ == "__main__":
    main()
