import os

import numpy as np
import pandas as pd
import pytest

from antifragile.config import RunConfig
from antifragile.pipeline import run
from antifragile.scale import SerialRunner, chunks, runner
from gametheory import ConfigError


def test_chunks_cover_the_range_in_order():
    assert [list(c) for c in chunks(7, 3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert chunks(0, 3) == []


def test_bad_worker_count():
    with pytest.raises(ConfigError, match="workers"):
        with runner(workers=0):
            pass


def test_block_size_does_not_change_the_numbers():
    config = RunConfig.quick_defaults(n_paths=16, holdout_fraction=0.0)
    a = run(config, progress=False, block=2)
    b = run(config, progress=False, block=100)
    pd.testing.assert_frame_equal(a.tables.utility, b.tables.utility)
    assert a.limits == b.limits


def test_two_process_dask_cluster_gives_the_same_numbers():
    config = RunConfig.quick_defaults(n_paths=16, holdout_fraction=0.0)
    serial = run(config, progress=False, runner=SerialRunner(), block=4)
    with runner(workers=2) as dask_runner:
        assert dask_runner.workers == 2
        distributed = run(config, progress=False, runner=dask_runner, block=4)
    np.testing.assert_array_equal(serial.attacked, distributed.attacked)
    pd.testing.assert_frame_equal(serial.tables.utility, distributed.tables.utility)
    assert serial.solution.value == distributed.solution.value
    assert serial.limits == distributed.limits
    assert "NUMBA_NUM_THREADS" not in os.environ  # this process's environment is untouched
