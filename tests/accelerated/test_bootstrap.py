"""Block-bootstrap kernel against a slow NumPy reference and its defining invariants."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from accelerated.bootstrap import block_bootstrap_nb


def block_bootstrap_reference(returns, starts, block, n_steps):
    """Each path: its blocks ``returns[s : s + block]`` concatenated, cut to ``n_steps``."""
    return np.array(
        [np.concatenate([returns[s : s + block] for s in row])[:n_steps] for row in starts]
    )


def draw(seed, n_obs, n_paths, block, n_steps):
    rng = np.random.default_rng(seed)
    returns = rng.standard_t(4, size=n_obs) * 0.01
    starts = rng.integers(0, n_obs - block + 1, size=(n_paths, -(-n_steps // block)))
    return returns, starts


@given(
    seed=st.integers(0, 2**32 - 1),
    n_obs=st.integers(1, 60),
    n_paths=st.integers(1, 5),
    block_share=st.floats(0.0, 1.0),
    n_steps=st.integers(1, 90),
)
def test_kernel_equals_reference(seed, n_obs, n_paths, block_share, n_steps):
    block = 1 + int(block_share * (n_obs - 1))
    returns, starts = draw(seed, n_obs, n_paths, block, n_steps)
    out = block_bootstrap_nb(returns, starts, block, n_steps)
    assert out.shape == (n_paths, n_steps)
    assert out.dtype == np.float64
    assert_array_equal(out, block_bootstrap_reference(returns, starts, block, n_steps))


def test_known_small_case():
    returns = np.arange(10, dtype=np.float64)
    starts = np.array([[7, 0, 3], [2, 2, 9]], dtype=np.int64)
    out = block_bootstrap_nb(returns, starts, 3, 7)  # third block cut to one value
    assert_array_equal(out, [[7, 8, 9, 0, 1, 2, 3], [2, 3, 4, 2, 3, 4, 9]])


def test_block_one_is_plain_resampling():
    returns, starts = draw(3, 50, 4, 1, 30)
    assert_array_equal(block_bootstrap_nb(returns, starts, 1, 30), returns[starts])


def test_blocks_are_contiguous_runs_of_the_source():
    block, n_steps = 7, 40
    returns, starts = draw(5, 200, 6, block, n_steps)
    out = block_bootstrap_nb(returns, starts, block, n_steps)
    for p in range(out.shape[0]):
        for k in range(starts.shape[1]):
            chunk = out[p, k * block : (k + 1) * block]
            assert_array_equal(chunk, returns[starts[p, k] : starts[p, k] + chunk.size])


def test_does_not_touch_its_inputs():
    returns, starts = draw(9, 40, 3, 5, 23)
    before = returns.copy(), starts.copy()
    block_bootstrap_nb(returns, starts, 5, 23)
    assert_array_equal(returns, before[0])
    assert_array_equal(starts, before[1])
