"""Sandbox latency and throughput: the warm pool versus a fresh `python -c` per call.

    .venv/bin/python bench/sandbox.py [--calls 1000] [--fresh 40]

Prints p50/p95 of a trivial call through the warm pool and through a fresh interpreter,
the speed-up, throughput of 1,000 calls (sequential and through run_many), and how long a call
with a 1 s wall limit that never ends takes to come back (the worker is killed, not asked).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from _bench_tools import echo, sleep

from tools import Limits, Registry, SandboxPool


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--fresh", type=int, default=40)
    options = parser.parse_args()

    registry = Registry(tools=[echo, sleep])
    started = time.perf_counter()
    with SandboxPool(registry, workers=2) as pool:
        pool.warm()
        startup = time.perf_counter() - started
        for _ in range(200):
            pool.run("Echo", ("hi",))
        warm = []
        for _ in range(options.calls):
            t0 = time.perf_counter()
            pool.run("Echo", ("hi",))
            warm.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        batch = [("Echo", ("hi",))] * options.calls
        pool.run_many(batch)
        parallel_s = time.perf_counter() - t0
        print(f"isolation: {pool.network_isolation}; pool start-up (zygote + 2 workers): "
              f"{startup * 1000:.0f} ms")

    fresh = []
    for _ in range(options.fresh):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "print('hi')"], check=True, capture_output=True)
        fresh.append(time.perf_counter() - t0)

    with SandboxPool(registry, workers=1, limits=Limits(wall_s=1.0)) as pool:
        pool.warm()
        t0 = time.perf_counter()
        result = pool.run("Sleep", ())
        timeout_s = time.perf_counter() - t0
        assert result.error is not None and result.error.kind.value == "timeout"

    warm_p50, warm_p95 = percentile(warm, 0.5), percentile(warm, 0.95)
    fresh_p50, fresh_p95 = percentile(fresh, 0.5), percentile(fresh, 0.95)
    sequential_s = sum(warm)
    print(f"warm pool   trivial call: p50 {warm_p50 * 1000:.3f} ms  p95 {warm_p95 * 1000:.3f} ms "
          f"(n={len(warm)}, mean {statistics.mean(warm) * 1000:.3f} ms)")
    print(f"fresh python -c per call: p50 {fresh_p50 * 1000:.1f} ms  p95 {fresh_p95 * 1000:.1f} ms "
          f"(n={len(fresh)})")
    print(f"speed-up at p50: {fresh_p50 / warm_p50:.0f}x")
    print(f"throughput, {options.calls} calls: sequential {options.calls / sequential_s:,.0f} calls/s; "
          f"run_many on 2 workers {options.calls / parallel_s:,.0f} calls/s")
    print(f"call with a 1 s wall limit that never ends returned after {timeout_s:.3f} s")


if __name__ == "__main__":
    main()
