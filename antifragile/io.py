"""Atomic file output: write to a temporary file in the same folder, then rename."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["atomic_write_bytes", "atomic_write_text", "atomic_write_json", "atomic_savefig", "to_jsonable"]


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def to_jsonable(value):
    """Convert NumPy scalars and arrays, tuples and paths into plain JSON types."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not np.isfinite(value):
        raise ValueError(f"refusing to write a non-finite number ({value}) to JSON")
    return value


def atomic_write_json(path: str | os.PathLike, payload: dict) -> Path:
    text = json.dumps(to_jsonable(payload), indent=2, allow_nan=False) + "\n"
    return atomic_write_text(path, text)


def atomic_savefig(figure, path: str | os.PathLike, **kwargs) -> Path:
    """Save a matplotlib figure atomically as PNG."""
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", **kwargs)
    return atomic_write_bytes(path, buffer.getvalue())
