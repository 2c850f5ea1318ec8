"""Sandbox latency and throughput, and what each sandbox layer costs.

    .venv/bin/python bench/sandbox.py [--calls 1000] [--fresh 40] [--layers-calls 2000]

Prints p50/p95 of a trivial call through the warm pool and through a fresh interpreter, the
speed-up, throughput of 1,000 calls (sequential and through run_many), and how long a call
with a 1 s wall limit that never ends takes to come back (the worker is killed, not asked).

Then the cost of the layers of issue 17: pool start-up (zygote, probes and two warm workers)
and warm-call p50/p95 with the older mechanisms only (network namespace and rlimits:
filesystem none, processes subreaper, limits rlimit, syscalls none), with each newer layer
added alone, and with all of them (what a pool uses by default). Also the per-call clean-up
when a call writes a file into its scratch folder or leaves a process behind. Timings on a
busy machine are slower and noisier than the machine can do; say so when you report them.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import warnings

from _bench_tools import daemon, echo, scribble, sleep

from tools import Limits, Registry, SandboxPool

OLD = {"filesystem": "none", "processes": "subreaper", "limits": "rlimit", "syscalls": "none"}
LAYERS = [
    ("older mechanisms only (netns + rlimits)", {}),
    ("+ Landlock", {"filesystem": "landlock"}),
    ("+ mount namespace (instead of Landlock)", {"filesystem": "mountns"}),
    ("+ pid namespace", {"processes": "pidns"}),
    ("+ cgroup (what this machine has)", {"limits": "auto"}),
    ("+ seccomp filter, no capabilities", {"syscalls": "seccomp"}),
    ("all layers (the default)", {key: "auto" for key in OLD}),
]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed_calls(pool: SandboxPool, calls: int, tool: str = "Echo",
                args: tuple[str, ...] = ("hi",)) -> list[float]:
    for _ in range(min(200, calls)):
        pool.run(tool, args)
    samples = []
    for _ in range(calls):
        t0 = time.perf_counter()
        result = pool.run(tool, args)
        samples.append(time.perf_counter() - t0)
        assert result.ok, result.error
    return samples


def layer_costs(registry: Registry, calls: int) -> None:
    print("\nlayer cost (pool of 2 workers; p50 / p95 of a trivial warm call):")
    for label, change in LAYERS:
        prefer = dict(OLD, **change)
        started = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # filesystem none is loud
                pool = SandboxPool(registry, workers=2, prefer=prefer, unsafe_no_fs_isolation=True)
        except Exception as exc:  # noqa: BLE001 -- a mechanism this machine lacks
            print(f"  {label:44s} not available here ({exc})")
            continue
        with pool:
            pool.warm()
            startup = time.perf_counter() - started
            samples = timed_calls(pool, calls)
            mechanisms = pool.mechanisms.public()
        print(f"  {label:44s} start-up {startup * 1000:6.0f} ms   call p50 "
              f"{percentile(samples, 0.5) * 1000:.3f} ms  p95 {percentile(samples, 0.95) * 1000:.3f}"
              f" ms   ({', '.join(f'{k}={v}' for k, v in mechanisms.items())})")


def cleanup_costs(registry: Registry, calls: int) -> None:
    print("\nper-call clean-up with all layers (p50 / p95):")
    with SandboxPool(registry, workers=2) as pool:
        pool.warm()
        for label, tool, args, n in [("a trivial call", "Echo", ("hi",), calls),
                                     ("a call that writes 10 files in its scratch", "Scribble",
                                      ("10",), calls),
                                     ("a call that leaves a process behind", "Daemon", (),
                                      max(20, calls // 20))]:
            samples = timed_calls(pool, n, tool, args)
            print(f"  {label:44s} p50 {percentile(samples, 0.5) * 1000:.3f} ms  "
                  f"p95 {percentile(samples, 0.95) * 1000:.3f} ms (n={n})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--fresh", type=int, default=40)
    parser.add_argument("--layers-calls", type=int, default=2000)
    options = parser.parse_args()

    registry = Registry(tools=[echo, sleep, scribble, daemon])
    started = time.perf_counter()
    with SandboxPool(registry, workers=2) as pool:
        pool.warm()
        startup = time.perf_counter() - started
        warm = timed_calls(pool, options.calls)
        t0 = time.perf_counter()
        batch = [("Echo", ("hi",))] * options.calls
        pool.run_many(batch)
        parallel_s = time.perf_counter() - t0
        print(f"mechanisms: {pool.mechanisms.public()}; pool start-up (zygote + 2 workers): "
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

    layer_costs(registry, options.layers_calls)
    cleanup_costs(registry, options.layers_calls)


if __name__ == "__main__":
    main()
