"""llama.cpp's own `llama-server` (parallel slots, continuous batching) for the serve bench.

llama-cpp-python's server runs one request at a time, so it cannot show whether concurrent turns
gain anything; llama.cpp's C++ server batches `--parallel` slots. It is found as `--llama-server
PATH`, `$LLAMA_SERVER`, `llama-server` on PATH, or a build in the user cache folder, which

    python bench/llama_server.py --build

makes from the llama.cpp sources inside the llama-cpp-python sdist (PyPI; the version already
installed), with cmake and a C++ compiler: about 12 minutes on 2 busy cores, once.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from importlib import metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from agent.backends.assets import cache_dir  # noqa: E402
from agent.backends.llamacpp_server import free_port, server_process  # noqa: E402


def build_dir() -> Path:
    return cache_dir() / "llama-server"


def find(explicit: str | None = None) -> Path | None:
    """The llama-server binary to use, or None when there is none yet."""
    for candidate in (explicit, os.environ.get("LLAMA_SERVER"), shutil.which("llama-server"),
                      str(build_dir() / "bin" / "llama-server")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def build(jobs: int = 2) -> Path:
    """Build llama-server from the installed llama-cpp-python's sdist into the cache folder."""
    version = metadata.version("llama-cpp-python")
    target = build_dir()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                        f"llama-cpp-python=={version}", "-d", tmp], check=True)
        [sdist] = Path(tmp).glob("llama_cpp_python-*.tar.gz")
        with tarfile.open(sdist) as archive:
            archive.extractall(tmp, filter="data")
        source = next(Path(tmp).glob("llama_cpp_python-*/vendor/llama.cpp"))
        options = ["-DCMAKE_BUILD_TYPE=Release", "-DLLAMA_BUILD_SERVER=ON", "-DLLAMA_BUILD_TOOLS=ON",
                   "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_APP=OFF",
                   # no web UI, and nothing fetched at build time
                   "-DLLAMA_BUILD_UI=OFF", "-DLLAMA_USE_PREBUILT_UI=OFF", "-DLLAMA_OPENSSL=OFF",
                   "-DGGML_NATIVE=OFF", "-DBUILD_SHARED_LIBS=OFF"]  # the same portable build as the wheel
        subprocess.run(["cmake", "-S", str(source), "-B", str(target), *options], check=True)
        subprocess.run(["cmake", "--build", str(target), "--target", "llama-server", "-j", str(jobs)], check=True)
    binary = target / "bin" / "llama-server"
    if not binary.is_file():
        raise SystemExit(f"the build finished without {binary}")
    return binary


@contextlib.contextmanager
def running(binary: Path, model: Path, *, alias: str, slots: int, threads: int, ctx_per_slot: int,
            log: Path, timeout: float = 300.0, extra_args: Sequence[str] = ()) -> Iterator[str]:
    """llama-server on a free loopback port with `slots` parallel slots; yields its base URL.
    `extra_args` go to llama-server as they are (e.g. `-fa on`, `--kv-unified`)."""
    port = free_port()
    command = [str(binary), "-m", str(model), "--host", "127.0.0.1", "--port", str(port), "--alias", alias,
               "--parallel", str(slots), "--ctx-size", str(ctx_per_slot * slots), "--threads", str(threads),
               "--cont-batching", *extra_args]
    url = f"http://127.0.0.1:{port}"
    with server_process(command, url + "/health", name="llama-server", log=log, timeout=timeout):
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", action="store_true", help="build llama-server into the cache folder")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    if args.build:
        print(build(args.jobs))
    else:
        found = find()
        print(found if found else "no llama-server found: python bench/llama_server.py --build")


if __name__ == "__main__":
    main()
