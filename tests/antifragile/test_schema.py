import copy
import json

import pytest

from antifragile.cli import main
from antifragile.schema import LimitsValidationError, validate_limits, validate_limits_file

GOOD = {
    "schema": "antifragile.limits/1",
    "version": "0.1.0",
    "created_utc": "2026-11-27T10:00:00+00:00",
    "seed": 0,
    "fingerprint": "0123456789abcdef",
    "data": {
        "train": {"name": "sp500:train", "source": "arch", "start": "1999-01-04", "end": "2014-12-31", "n_obs": 4025},
        "holdout": None,
    },
    "game": {"n_strategies": 2, "n_scenarios": 3, "n_paths": 8, "n_steps": 252, "utility": "log_growth"},
    "guarantee": {"value": 0.01, "lower_bound": 0.009, "upper_bound": 0.011, "exploitability": 0.002},
    "drawdown_budget": 0.15,
    "drawdown_definition": "max over scenarios and paths",
    "limits": [
        {"strategy": "trend_20", "weight": 0.6, "exposure_multiple": 0.5, "max_gross_exposure": 0.5,
         "worst_case_drawdown": 0.149, "binding_scenario": "historical/2008-10", "binding_path": 3,
         "drawdown_at_unit_multiple": 0.3, "capped": False, "in_equilibrium": True},
        {"strategy": "cash", "weight": 0.4, "exposure_multiple": 4.0, "max_gross_exposure": 0.0,
         "worst_case_drawdown": 0.0, "binding_scenario": "baseline/none", "binding_path": 0,
         "drawdown_at_unit_multiple": 0.0, "capped": True, "in_equilibrium": True},
    ],
}


def _broken(path, value):
    doc = copy.deepcopy(GOOD)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


def test_good_document_passes():
    assert validate_limits(copy.deepcopy(GOOD)) is not None


@pytest.mark.parametrize(
    "path, value, fragment",
    [
        (["schema"], "antifragile.limits/2", "schema"),
        (["seed"], -1, "seed"),
        (["fingerprint"], "xyz", "fingerprint"),
        (["limits"], [], "limits"),
        (["limits", 0, "weight"], 1.5, "limits/0/weight"),
        (["limits", 0, "worst_case_drawdown"], "big", "limits/0/worst_case_drawdown"),
        (["limits", 1, "strategy"], KeyError, "'strategy' is a required property"),
        (["limits", 0, "color"], "red", "Additional properties"),
        (["guarantee", "exploitability"], -1e-3, "guarantee/exploitability"),
        (["drawdown_budget"], 1.0, "drawdown_budget"),
        (["data", "train", "start"], "yesterday", "data/train/start"),
        (["game", "utility"], "sharpe", "game/utility"),
        (["limits", 0, "worst_case_drawdown"], 0.2, "exceeds drawdown_budget"),
        (["limits", 0, "weight"], 0.9, "weights sum"),
        (["guarantee", "value"], 0.5, "between lower_bound and upper_bound"),
    ],
)
def test_malformed_documents_are_refused_with_the_place(path, value, fragment):
    with pytest.raises(LimitsValidationError) as info:
        validate_limits(_broken(path, value))
    assert fragment in str(info.value)


def test_every_problem_is_listed():
    doc = _broken(["seed"], -1)
    doc["schema"] = "other"
    with pytest.raises(LimitsValidationError) as info:
        validate_limits(doc)
    assert len(info.value.problems) == 2


def test_validate_command(tmp_path, capsys):
    good = tmp_path / "limits.json"
    good.write_text(json.dumps(GOOD))
    assert main(["validate", str(good)]) == 0
    assert "valid antifragile.limits/1" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["validate", str(bad)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "missing.json")]) == 2
    assert "file not found" in capsys.readouterr().err
    with pytest.raises(LimitsValidationError):
        validate_limits_file(bad)
