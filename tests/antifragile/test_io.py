import json

import numpy as np
import pytest

from antifragile.io import atomic_write_json, atomic_write_text


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "sub" / "out.json"
    atomic_write_json(target, {"a": np.float64(1.5), "b": np.arange(3), "c": (1, 2)})
    assert json.loads(target.read_text()) == {"a": 1.5, "b": [0, 1, 2], "c": [1, 2]}


def test_failed_write_keeps_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "limits.json"
    atomic_write_text(target, "old")
    with pytest.raises(ValueError, match="non-finite"):
        atomic_write_json(target, {"value": float("nan")})
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["limits.json"]
