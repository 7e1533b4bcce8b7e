"""End to end: ``antifragile run --quick`` writes valid, reproducible, certified outputs."""

import json

import numpy as np
import pandas as pd
import pytest

from accelerated.reference import payoff_tables_reference
from antifragile.cli import main
from antifragile.schema import validate_limits_file
from gametheory import certify, default_strategies, encode
from scenarios import apply_scenarios, foundation_scenarios, load_market, make_paths

FILES = ["limits.json", "limits.csv", "limits.parquet", "solution.json", "report.md", "report.html", "figures/payoff_heatmap.png",
         "figures/equilibrium_mix.png", "figures/equity_worst_case.png", "figures/holdout_equity.png", "figures/certified_radius.png",
         "figures/detector_timeline.png"]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    assert main(["run", "--quick", "--out", str(out), "--seed", "3", "--no-progress"]) == 0
    return out


def test_writes_every_file_and_no_temporaries(quick_run):
    for name in FILES:
        assert (quick_run / name).stat().st_size > 0, name
    assert not list(quick_run.rglob("*.tmp"))
    html = (quick_run / "report.html").read_text()
    assert "data:image/png;base64," in html and "<img src='http" not in html  # self-contained


def test_the_report_scores_the_live_guard(quick_run):
    report = (quick_run / "report.md").read_text()
    assert "## Live guard" in report and "| flash_crash, medium |" in report
    guard = json.loads((quick_run / "solution.json").read_text())["live_guard"]
    medium = {row["family"]: row["detected"] for row in guard["detection"] if row["severity"] == "medium"}
    assert set(medium) == {"flash_crash", "pump_and_dump", "spoofing", "coordinated"}
    assert min(medium.values()) >= 0.8
    days = pd.to_datetime(list(guard["daily_alarms"]))
    assert len(days) <= 10 and days.isin(load_market("sp500").prices.index).all()  # real trading days
    assert set(guard["daily_alarms"].values()) <= {"flash_crash", "pump_and_dump"}  # price channel only


def test_limits_follow_the_schema_and_the_certificate_is_recomputable(quick_run):
    doc = validate_limits_file(quick_run / "limits.json")
    solution = json.loads((quick_run / "solution.json").read_text())
    assert doc["seed"] == 3 and doc["schema"] == "antifragile.limits/1"
    utility = solution["utility"]  # {strategy: {scenario: value}}
    rows = list(utility)
    a = np.array([[utility[r][c] for c in solution["zero_sum"]["col_strategy"]] for r in rows])
    x = np.array([solution["zero_sum"]["row_strategy"][r] for r in rows])
    y = np.array(list(solution["zero_sum"]["col_strategy"].values()))
    cert = certify(a, x, y)
    assert cert.exploitability <= 1e-9
    assert doc["guarantee"]["lower_bound"] == pytest.approx(cert.lower_bound, abs=1e-12)
    assert doc["guarantee"]["exploitability"] == pytest.approx(cert.exploitability, abs=1e-12)


def test_limits_hold_when_recomputed_independently(quick_run):
    """Rebuild the attacked paths from public pieces and re-evaluate drawdowns with the NumPy reference."""
    doc = json.loads((quick_run / "limits.json").read_text())
    train, _ = load_market("sp500").split(doc["data"]["train"]["end"])
    paths = make_paths(train, doc["game"]["n_paths"], doc["game"]["n_steps"], model="mixed", rng=doc["seed"])
    scenarios = foundation_scenarios(train.log_returns, quick=True)
    attacked = np.expm1(apply_scenarios(scenarios, paths.log_returns, paths.sigma, doc["seed"]))
    strategies = {s.name: s for s in default_strategies(quick=True)}
    budget = doc["drawdown_budget"]
    for limit in doc["limits"]:
        kinds, params = encode([strategies[limit["strategy"]]])
        worst = payoff_tables_reference(attacked, kinds, params, np.array([limit["exposure_multiple"]]),
                                        paths.sigma, doc["game"]["cost"], 252)[3].max()
        assert worst <= budget + 1e-12, limit["strategy"]
        assert worst == pytest.approx(limit["worst_case_drawdown"], rel=1e-9, abs=1e-15)
        if strategies[limit["strategy"]].kind == "fixed" and not limit["capped"]:
            # Drawdown grows with a fixed exposure, so a slightly larger limit breaks the budget.
            above = payoff_tables_reference(attacked, kinds, params, np.array([limit["exposure_multiple"] * 1.01]),
                                            paths.sigma, doc["game"]["cost"], 252)[3].max()
            assert above > budget


def test_limit_tables_match_the_json(quick_run):
    doc = json.loads((quick_run / "limits.json").read_text())
    csv = pd.read_csv(quick_run / "limits.csv")
    parquet = pd.read_parquet(quick_run / "limits.parquet")
    pd.testing.assert_frame_equal(csv, parquet, check_dtype=False)
    assert list(parquet["strategy"]) == [limit["strategy"] for limit in doc["limits"]]
    np.testing.assert_array_equal(parquet["exposure_multiple"], [l["exposure_multiple"] for l in doc["limits"]])
    assert set(parquet["fingerprint"]) == {doc["fingerprint"]} and set(parquet["seed"]) == {3}


def test_same_seed_same_numbers_other_seed_other_numbers(quick_run, tmp_path):
    assert main(["run", "--quick", "--out", str(tmp_path / "again"), "--seed", "3", "--no-progress"]) == 0
    assert main(["run", "--quick", "--out", str(tmp_path / "other"), "--seed", "4", "--no-progress"]) == 0

    def numbers(folder):
        doc = json.loads((folder / "limits.json").read_text())
        doc.pop("created_utc")
        return doc

    assert numbers(tmp_path / "again") == numbers(quick_run)
    assert numbers(tmp_path / "other")["limits"] != numbers(quick_run)["limits"]
    assert numbers(tmp_path / "other")["fingerprint"] != numbers(quick_run)["fingerprint"]


def test_bad_data_file_is_refused_with_the_row(tmp_path, capsys):
    bad = tmp_path / "prices.csv"
    rows = ["date,close"] + [f"2020-01-{d:02d},{100 + d}" for d in range(1, 29)] * 3
    rows[5] = "2020-01-05,-3"
    bad.write_text("\n".join(rows))
    out = tmp_path / "out"
    assert main(["run", "--quick", "--data", str(bad), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "MarketDataError" in err and "row 4" in err
    assert not out.exists()


def test_bad_config_is_refused(tmp_path, capsys):
    assert main(["run", "--quick", "--budget", "1.5", "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    assert "drawdown_budget" in capsys.readouterr().err
