"""PumpAndDump on the order-flow channel, and the scenario library saved as Parquet."""

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from scenarios.attacks import PumpAndDump
from scenarios.errors import ScenarioError
from scenarios.library import ScenarioLibrary, default_library
from scenarios.orderflow import OrderFlowPaths, order_flow_paths


@pytest.fixture(scope="module")
def flow():
    base = np.random.default_rng(2).normal(0.0, 0.001, size=(64, 80))
    return order_flow_paths(base, 0.001, rng=3)


def test_order_flow_price_channel_equals_apply_and_depths_unchanged(flow):
    attack = PumpAndDump(0.1, rise_steps=8, hold_steps=6, dump_steps=3)
    attacked = attack.apply_order_flow(flow, rng=5)
    assert isinstance(attacked, OrderFlowPaths) and attacked.seed == flow.seed
    assert_allclose(attacked.log_returns, attack.apply(flow.log_returns, 0.001, rng=5), atol=0)
    assert_array_equal(attacked.bid_depth, flow.bid_depth)
    assert_array_equal(attacked.ask_depth, flow.ask_depth)
    assert_array_equal(attacked.volume, attack.apply_order_flow(flow, rng=5).volume)  # seeded
    assert not np.array_equal(attacked.volume, attack.apply_order_flow(flow, rng=6).volume)


def test_volume_signature_rises_holds_and_spikes(flow):
    attack = PumpAndDump(0.1, rise_steps=8, hold_steps=6, dump_steps=3, rise_volume=2.0, hold_volume=1.5,
                         dump_volume=5.0, volume_noise=0.2, onset=(0.25, 0.25))  # onset step 20
    ratio = (attack.apply_order_flow(flow, rng=0).volume / flow.volume).mean(axis=0)
    assert_allclose(ratio[:20], 1.0, atol=0)
    assert_allclose(ratio[37:], 1.0, atol=0)
    rise, hold, dump = ratio[20:28], ratio[28:34], ratio[34:37]
    assert np.all(np.diff(rise) > 0) and rise[-1] == pytest.approx(3.0, rel=0.1)  # surge with the price
    assert hold == pytest.approx(2.5, rel=0.1)  # stays high
    assert dump == pytest.approx(6.0, rel=0.1)  # the spike of the sell-off
    assert dump.min() > rise.max() > hold.max()


def test_closed_form_on_flat_flow():
    ones = np.ones((1, 12))
    flat = OrderFlowPaths(np.zeros((1, 12)), ones, ones, ones)
    attack = PumpAndDump(0.2, rise_steps=2, hold_steps=1, dump_steps=2, overshoot=0.5, rise_volume=1.0,
                         hold_volume=0.5, dump_volume=4.0, volume_noise=0.0, onset=(0.0, 0.0))
    out = attack.apply_order_flow(flat, rng=0)
    assert_allclose(np.exp(np.cumsum(out.log_returns[0]))[[1, 2, 4]], [1.2, 1.2, 1.2**-0.5], rtol=1e-14)
    assert_allclose(out.volume[0], [1.5, 2.0, 1.5, 5.0, 5.0] + [1.0] * 7, rtol=1e-15)


@pytest.mark.parametrize("kwargs", [dict(dump_volume=-1.0), dict(volume_noise=4.0), dict(rise_volume=np.nan)])
def test_volume_fields_are_validated(kwargs):
    with pytest.raises(ScenarioError, match=next(iter(kwargs))):
        PumpAndDump(0.1, **kwargs)


def test_order_flow_needs_order_flow_paths():
    with pytest.raises(ScenarioError, match="OrderFlowPaths"):
        PumpAndDump(0.1).apply_order_flow(np.zeros((2, 10)))


def test_library_parquet_round_trip_one_row_per_scenario(tmp_path):
    library = default_library(3, variants=2)
    path = library.save(tmp_path / "library.parquet")
    assert ScenarioLibrary.load(path) == library
    table = pd.read_parquet(path)
    assert list(table.columns) == ["id", "family", "severity", "kind", "params"]
    assert table["id"].tolist() == library.ids
    assert table["kind"].tolist() == [type(s.attack).__name__ for s in library]
    assert [json.loads(p) for p in table["params"]] == [s.attack.params() for s in library]
    assert json.loads(pq.read_schema(path).metadata[b"antifragile.scenario_library"])["seed"] == 3
    # same seed, same library, same file content; JSON and Parquet agree
    again = default_library(3, variants=2).save(tmp_path / "again.pq")
    assert ScenarioLibrary.load(again) == ScenarioLibrary.load(library.save(tmp_path / "library.json"))
    assert pd.read_parquet(again).equals(table)
    assert ScenarioLibrary.load(again) != default_library(4, variants=2)


def test_library_parquet_rejects_foreign_tables(tmp_path):
    path = tmp_path / "other.parquet"
    pd.DataFrame({"id": ["a"], "family": ["x"]}).to_parquet(path)
    with pytest.raises(ScenarioError, match="not a scenario library"):
        ScenarioLibrary.load(path)
    (tmp_path / "broken.parquet").write_bytes(b"not parquet")
    with pytest.raises(ScenarioError, match="cannot read"):
        ScenarioLibrary.load(tmp_path / "broken.parquet")
    with pytest.raises(ScenarioError, match="lacks columns"):
        ScenarioLibrary.from_frame(pd.DataFrame({"id": ["a"]}))
