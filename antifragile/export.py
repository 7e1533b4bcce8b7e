"""Limits for risk systems: ``limits.json`` plus the same limits as CSV and Parquet tables."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pandas as pd

from antifragile.io import atomic_write_bytes, atomic_write_json, to_jsonable

__all__ = ["fingerprint", "limits_table", "write_limits"]

_FINGERPRINTED = ("schema", "version", "seed", "data", "game", "guarantee", "drawdown_budget", "limits")


def fingerprint(doc: dict) -> str:
    """A short SHA-256 of everything that defines the limits (not the time they were written).

    Two runs with the same data, settings and seed share it; a risk system can key limit
    versions on it and roll back to an earlier one.
    """
    canonical = json.dumps(to_jsonable({k: doc[k] for k in _FINGERPRINTED}), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def limits_table(doc: dict) -> pd.DataFrame:
    """One row per strategy, with the document's version, fingerprint, budget and guarantee repeated."""
    frame = pd.DataFrame(doc["limits"])
    header = {
        "schema": doc["schema"],
        "version": doc["version"],
        "fingerprint": doc["fingerprint"],
        "seed": doc["seed"],
        "drawdown_budget": doc["drawdown_budget"],
        "game_value": doc["guarantee"]["value"],
        "exploitability": doc["guarantee"]["exploitability"],
    }
    for position, (key, value) in enumerate(header.items()):
        frame.insert(position, key, value)
    return frame


def write_limits(doc: dict, out_dir) -> list[Path]:
    """Write ``limits.json``, ``limits.csv`` and ``limits.parquet`` atomically."""
    out = Path(out_dir)
    table = limits_table(doc)
    parquet = io.BytesIO()
    table.to_parquet(parquet, index=False)
    return [
        atomic_write_json(out / "limits.json", doc),
        atomic_write_bytes(out / "limits.csv", table.to_csv(index=False).encode()),
        atomic_write_bytes(out / "limits.parquet", parquet.getvalue()),
    ]
