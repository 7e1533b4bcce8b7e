"""The scenario library: 1000+ attacks over every family and severity, in curriculum order.

Families and how each becomes a column of the single-asset game (every spec's ``apply``):

=============  ==================================================================================
family         specs, and the trader's price path
=============  ==================================================================================
flash_crash    :class:`FlashCrash`: depth, fall speed, recovery share and speed.
pump_and_dump  :class:`PumpAndDump`: rise, hold, dump below the start.
spoofing       :class:`Spoofing`: the price impact of the fake layers (OFI) and of their
               cancellation, as log returns; the order book lives in :mod:`scenarios.orderflow`.
coordinated    :class:`Coordinated`: 2 assets (S&P 500, NASDAQ), several actors; the traded
               asset's (S&P 500's) path; joint paths in :mod:`scenarios.multiasset`.
black_swan     :class:`BlackSwan` (jumps of 6 sigma and more), :class:`VolatilityRegime`,
               :class:`LiquidityGap` (the gap; its slippage path needs the payoff kernel's cost
               path, see its docstring).
perturbation   :class:`Perturbation`: the bounded change worst for buy-and-hold (max-norm and
               1-norm budgets).
historical     :class:`IntradayEvent` shapes of documented events (scaled and stretched) and
               :class:`HistoricalReplay` of the real crash windows in the history.
=============  ==================================================================================

Domain randomisation: each family has 5 severity levels; every scenario draws its parameters
around its level's nominal values from the library's seed (stream spawned per family, so
adding a family does not move another's draws). Severity is measured, not assigned:
:func:`stress_severity` is the extra mean max drawdown of buy-and-hold that the attack causes on
a fixed set of Gaussian reference paths, over :data:`FULL_SEVERITY_DRAWDOWN`, capped at 1. The
library is sorted by severity (then id): a curriculum from mild to severe.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from scenarios.attacks import (
    AttackSpec,
    BlackSwan,
    FlashCrash,
    HistoricalReplay,
    LiquidityGap,
    NoAttack,
    Perturbation,
    PumpAndDump,
    VolatilityRegime,
)
from scenarios.errors import ScenarioError
from scenarios.events import INTRADAY_EVENTS, IntradayEvent
from scenarios.history import available_windows, crash_window
from scenarios.multiasset import Coordinated
from scenarios.orderflow import Spoofing
from scenarios.scenario_set import FULL_SEVERITY_DRAWDOWN, REFERENCE_SIGMA, Scenario

__all__ = ["FAMILIES", "LEVELS", "SCHEMA", "ScenarioLibrary", "default_library", "stress_severity"]

FAMILIES = ("flash_crash", "pump_and_dump", "spoofing", "coordinated", "black_swan", "perturbation", "historical")
LEVELS = 5
SCHEMA = "antifragile.scenario_library/1"
SPECS = {cls.__name__: cls for cls in (NoAttack, FlashCrash, PumpAndDump, Spoofing, Coordinated, BlackSwan,
                                       VolatilityRegime, LiquidityGap, Perturbation, IntradayEvent, HistoricalReplay)}
_REFERENCE_SHAPE = (64, 252)


@lru_cache(maxsize=1)
def _reference() -> tuple[np.ndarray, float]:
    """The reference paths (read-only) and buy-and-hold's mean max drawdown on them."""
    paths = np.random.default_rng(20240601).normal(0.0, REFERENCE_SIGMA, size=_REFERENCE_SHAPE)
    paths.flags.writeable = False
    return paths, _mean_drawdown(paths)


def _mean_drawdown(log_returns: np.ndarray) -> float:
    level = np.concatenate([np.zeros((log_returns.shape[0], 1)), np.cumsum(log_returns, axis=1)], axis=1)
    return float(np.mean(-np.expm1(-(np.maximum.accumulate(level, axis=1) - level).max(axis=1))))


def stress_severity(attack: AttackSpec, scenario_id: str = "") -> float:
    """Severity in ``[0, 1]`` of an attack on the reference paths.

    The reference is 64 Gaussian paths of 252 steps with standard deviation
    :data:`REFERENCE_SIGMA` (fixed seed); the attack's onsets are drawn from a stream keyed by
    ``scenario_id``. Severity is the increase of buy-and-hold's mean max drawdown over
    :data:`FULL_SEVERITY_DRAWDOWN`, clipped to ``[0, 1]``.
    """
    reference, base_drawdown = _reference()
    key = int.from_bytes(hashlib.blake2b(scenario_id.encode(), digest_size=8).digest(), "little")
    attacked = attack.apply(reference, REFERENCE_SIGMA, np.random.default_rng([key, 7]))
    excess = _mean_drawdown(attacked) - base_drawdown
    return float(np.clip(excess / FULL_SEVERITY_DRAWDOWN, 0.0, 1.0))


def _around(rng: np.random.Generator, value: float, spread: float = 0.2) -> float:
    return float(value * rng.uniform(1.0 - spread, 1.0 + spread))


def _draw(family: str, level: int, k: int, rng: np.random.Generator) -> AttackSpec:
    """One randomised attack of ``family`` around the nominal values of ``level`` (1 mild .. 5 severe)."""
    if family == "flash_crash":
        return FlashCrash(min(_around(rng, 0.05 + 0.07 * (level - 1)), 0.9), fall_steps=int(rng.integers(1, 16)),
                          recovery_share=float(rng.uniform(0.0, 1.0)), recovery_steps=int(rng.integers(1, 60)))
    if family == "pump_and_dump":
        return PumpAndDump(_around(rng, 0.05 * level), rise_steps=int(rng.integers(5, 40)),
                           hold_steps=int(rng.integers(0, 20)), dump_steps=int(rng.integers(1, 10)),
                           overshoot=float(rng.uniform(0.0, 0.5)))
    if family == "spoofing":
        n_layers, layer_size = int(rng.integers(1, 7)), float(rng.uniform(0.5, 1.5))
        target = _around(rng, 0.015 * level)  # log move of the fake depth at its peak
        side = -1 if rng.uniform() < 0.75 else 1  # fake bids hurt a long trader only when the fall overshoots
        return Spoofing(side=side, layer_size=layer_size, n_layers=n_layers, build_steps=int(rng.integers(1, 10)),
                        hold_steps=int(rng.integers(0, 20)), impact=min(target / (n_layers * layer_size), 1.0),
                        reversion=float(rng.uniform(0.2, 0.9) if side < 0 else rng.uniform(1.5, 3.0)),
                        exec_volume=float(rng.uniform(0.0, 2.0)))
    if family == "coordinated":
        return Coordinated(-_around(rng, 0.015 * level), n_actors=int(rng.integers(2, 6)),
                           cross_share=float(rng.uniform(0.3, 0.9)), push_steps=int(rng.integers(2, 15)),
                           stagger=int(rng.integers(0, 5)), hold_steps=int(rng.integers(0, 20)),
                           release_steps=int(rng.integers(5, 40)), release_share=float(rng.uniform(0.0, 1.0)))
    if family == "black_swan":
        kind = k % 3
        if kind == 0:
            return BlackSwan(_around(rng, 4.0 + 2.0 * level), vol_multiplier=float(rng.uniform(1.5, 4.0)),
                             halflife=float(rng.uniform(2.0, 30.0)))
        if kind == 1:
            return VolatilityRegime(_around(rng, 1.0 + 0.75 * level), length=int(rng.integers(20, 120)))
        return LiquidityGap(min(_around(rng, 0.04 * level), 0.9), gap_steps=int(rng.integers(1, 5)),
                            slippage=min(_around(rng, 0.005 * level), 0.5), halflife=float(rng.uniform(2.0, 20.0)))
    if family == "perturbation":
        if k % 2 == 0:
            return Perturbation(_around(rng, 0.0015 * level), norm="inf", length=int(rng.integers(10, 60)))
        return Perturbation(_around(rng, 0.03 * level), norm="one")
    if family == "historical":
        names = list(INTRADAY_EVENTS)
        return IntradayEvent(names[k % len(names)], scale=_around(rng, 0.4 + 0.3 * (level - 1)),
                             stretch=float(rng.uniform(0.5, 3.0)))
    raise ScenarioError(f"unknown family {family!r}; families: {', '.join(FAMILIES)}")


@dataclass(frozen=True, eq=False)
class ScenarioLibrary(Sequence):
    """An ordered, immutable collection of scenarios with unique ids (a sequence of :class:`Scenario`).

    Attributes
    ----------
    scenarios : tuple of Scenario
        In curriculum order (severity, then id).
    seed : int or None
        The seed that generated it (None for a hand-made library).
    """

    scenarios: tuple[Scenario, ...]
    seed: int | None = None

    def __post_init__(self):
        scenarios = tuple(self.scenarios)
        for k, scenario in enumerate(scenarios):
            if not isinstance(scenario, Scenario):
                raise ScenarioError(f"scenarios[{k}] must be a Scenario, got {type(scenario).__name__}")
        ids = [s.id for s in scenarios]
        if len(set(ids)) != len(ids):
            raise ScenarioError(f"scenario ids must be unique; repeated: {sorted({i for i in ids if ids.count(i) > 1})}")
        object.__setattr__(self, "scenarios", scenarios)

    def __len__(self) -> int:
        return len(self.scenarios)

    def __getitem__(self, index):
        return self.scenarios[index]

    def __eq__(self, other) -> bool:
        return isinstance(other, ScenarioLibrary) and (self.seed, self.scenarios) == (other.seed, other.scenarios)

    __hash__ = None

    @property
    def ids(self) -> list[str]:
        """Scenario ids, in order."""
        return [s.id for s in self.scenarios]

    def select(self, *, families=None, max_severity: float = 1.0) -> ScenarioLibrary:
        """The scenarios of the given families (all when None) with severity <= ``max_severity``, in order."""
        families = set(FAMILIES + ("baseline",) if families is None else families)
        kept = tuple(s for s in self.scenarios if s.family in families and s.severity <= max_severity)
        return ScenarioLibrary(kept, self.seed)

    def to_frame(self) -> pd.DataFrame:
        """One row per scenario: id, family, severity, spec class (``kind``) and the parameters as JSON."""
        return pd.DataFrame(
            [{**row, "params": json.dumps(row["params"])} for row in self._rows()],
            columns=list(_COLUMNS),
        )

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, seed: int | None = None) -> ScenarioLibrary:
        """Inverse of :meth:`to_frame`; raises :class:`ScenarioError` naming the bad row or column."""
        missing = [c for c in _COLUMNS if c not in frame.columns]
        if missing:
            raise ScenarioError(f"scenario library table lacks columns {missing}; expected {list(_COLUMNS)}")
        rows = []
        for k, row in enumerate(frame[list(_COLUMNS)].itertuples(index=False)):
            try:
                params = json.loads(row.params)
            except (TypeError, json.JSONDecodeError) as err:
                raise ScenarioError(f"scenario library row {k} ({row.id!r}) has unreadable params: {err}") from err
            rows.append({"id": row.id, "family": row.family, "severity": float(row.severity), "kind": row.kind,
                         "params": params})
        return cls._from_rows(rows, seed)

    def to_dict(self) -> dict:
        """JSON-serialisable form, schema :data:`SCHEMA`."""
        return {"schema": SCHEMA, "seed": self.seed, "scenarios": self._rows()}

    @classmethod
    def from_dict(cls, data: dict) -> ScenarioLibrary:
        """Inverse of :meth:`to_dict`; raises :class:`ScenarioError` naming the bad entry."""
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ScenarioError(f"not a scenario library: expected schema {SCHEMA!r}")
        return cls._from_rows(data.get("scenarios", []), data.get("seed"))

    def _rows(self) -> list[dict]:
        return [{"id": s.id, "family": s.family, "severity": s.severity, "kind": type(s.attack).__name__,
                 "params": s.attack.params()} for s in self.scenarios]

    @classmethod
    def _from_rows(cls, rows, seed) -> ScenarioLibrary:
        scenarios = []
        for k, row in enumerate(rows):
            try:
                params = dict(row["params"])
                family = params.pop("family")
                spec = SPECS[row["kind"]](**params)
                scenarios.append(Scenario(row["id"], family, row["severity"], spec))
            except (KeyError, TypeError) as err:
                raise ScenarioError(
                    f"scenario library entry {k} ({row.get('id', '?')!r}) is malformed: {err!r}"
                ) from err
        return cls(tuple(scenarios), seed)

    def save(self, path) -> Path:
        """Write the library atomically (temporary file, then rename); returns the path.

        A path ending in ``.parquet`` or ``.pq`` gets a Parquet table (one row per scenario, see
        :meth:`to_frame`; schema and seed in the file's metadata), any other path JSON
        (:meth:`to_dict`).
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                if _is_parquet(path):
                    table = pa.Table.from_pandas(self.to_frame(), preserve_index=False)
                    metadata = {**(table.schema.metadata or {}),
                                _PARQUET_KEY: json.dumps({"schema": SCHEMA, "seed": self.seed}).encode()}
                    pq.write_table(table.replace_schema_metadata(metadata), handle)
                else:
                    handle.write(json.dumps(self.to_dict()).encode())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def load(cls, path) -> ScenarioLibrary:
        """Read a library written by :meth:`save` (Parquet or JSON, by the file's suffix)."""
        path = Path(path)
        if not _is_parquet(path):
            try:
                data = json.loads(path.read_text())
            except (OSError, json.JSONDecodeError) as err:
                raise ScenarioError(f"cannot read scenario library {path}: {err}") from err
            return cls.from_dict(data)
        try:
            table = pq.read_table(path)
        except (OSError, pa.ArrowException) as err:
            raise ScenarioError(f"cannot read scenario library {path}: {err}") from err
        try:
            header = json.loads((table.schema.metadata or {})[_PARQUET_KEY])
        except (KeyError, json.JSONDecodeError) as err:
            raise ScenarioError(
                f"{path} is not a scenario library: no readable {_PARQUET_KEY.decode()!r} metadata"
            ) from err
        if header.get("schema") != SCHEMA:
            raise ScenarioError(
                f"{path} is not a scenario library: expected schema {SCHEMA!r}, got {header.get('schema')!r}"
            )
        return cls.from_frame(table.to_pandas(), header.get("seed"))


_COLUMNS = ("id", "family", "severity", "kind", "params")
_PARQUET_KEY = b"antifragile.scenario_library"


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def default_library(seed: int = 0, *, variants: int = 30, history: pd.Series | None = None) -> ScenarioLibrary:
    """The default scenario library.

    ``1 + 7 * 5 * variants`` randomised scenarios (1051 for the default 30: the baseline, then
    ``variants`` per family and level), plus one :class:`HistoricalReplay` per crash window
    inside ``history``; ids are ``"<family>/L<level>-<k>"`` and ``"historical/window-<name>"``.

    Parameters
    ----------
    seed : int
        Non-negative; the same seed gives the same library.
    variants : int
        Randomised scenarios per family and level (>= 1).
    history : pandas.Series, optional
        Real daily log returns by date for the crash-window replays; None adds none.

    Returns
    -------
    ScenarioLibrary
        Sorted by severity, then id (a curriculum from mild to severe).
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ScenarioError(f"seed must be a non-negative integer, got {seed!r}")
    if isinstance(variants, bool) or not isinstance(variants, int | np.integer) or variants < 1:
        raise ScenarioError(f"variants must be a positive integer, got {variants!r}")
    scenarios = [Scenario("baseline/none", "baseline", 0.0, NoAttack())]
    streams = np.random.SeedSequence(int(seed)).spawn(len(FAMILIES))
    for family, stream in zip(FAMILIES, streams):
        rng = np.random.default_rng(stream)
        for level in range(1, LEVELS + 1):
            for k in range(variants):
                attack = _draw(family, level, k, rng)
                scenario_id = f"{family}/L{level}-{k:02d}"
                scenarios.append(Scenario(scenario_id, family, stress_severity(attack, scenario_id), attack))
    if history is not None:
        for name in available_windows(history):
            attack = HistoricalReplay(name, crash_window(history, name))
            scenario_id = f"historical/window-{name}"
            scenarios.append(Scenario(scenario_id, "historical", stress_severity(attack, scenario_id), attack))
    scenarios.sort(key=lambda s: (s.severity, s.id))
    return ScenarioLibrary(tuple(scenarios), int(seed))
