"""Volume signature of a pump and dump: kernel against a reference, closed form on a flat volume path."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from accelerated.attacks import pump_and_dump_volume_nb

ONSETS = np.array([0, 3, 17, 28, 29], dtype=np.int64)
PHASES = (6, 4, 3)  # rise, hold, dump steps


def volume_reference(volume, onsets, z, rise_steps, hold_steps, dump_steps, rise_v, hold_v, dump_v, noise):
    """Plain NumPy: the extra-volume profile of one attack, laid on each path from its onset."""
    profile = np.concatenate([rise_v * np.arange(1, rise_steps + 1) / rise_steps,
                              np.full(hold_steps, hold_v), np.full(dump_steps, dump_v)])
    out = volume.copy()
    for i, onset in enumerate(onsets):
        m = min(profile.size, volume.shape[1] - onset)
        factor = np.exp(noise * z[i, onset:onset + m] - 0.5 * noise**2)
        out[i, onset:onset + m] *= 1.0 + profile[:m] * factor
    return out


@pytest.mark.parametrize("noise", [0.0, 0.4])
def test_kernel_matches_reference(noise):
    rng = np.random.default_rng(0)
    volume = rng.lognormal(0.0, 0.5, size=(ONSETS.size, 30))
    z = rng.standard_normal(volume.shape)
    args = (*PHASES, 2.0, 1.5, 6.0, noise)
    out = pump_and_dump_volume_nb(volume, ONSETS, z, *args)
    assert_allclose(out, volume_reference(volume, ONSETS, z, *args), rtol=1e-14)
    assert out is not volume and not np.shares_memory(out, volume)


def test_closed_form_on_flat_volume():
    volume = np.full((1, 20), 2.0)
    out = pump_and_dump_volume_nb(volume, np.array([4], dtype=np.int64), np.zeros((1, 20)), 4, 3, 2,
                                  2.0, 1.5, 5.0, 0.0)[0]
    rise = 2.0 * (1.0 + 2.0 * np.array([0.25, 0.5, 0.75, 1.0]))  # surges with the rise, 6 at the top
    expected = np.concatenate([[2.0] * 4, rise, [2.0 * 2.5] * 3, [2.0 * 6.0] * 2, [2.0] * 7])
    assert_allclose(out, expected, rtol=1e-15)
    assert_array_equal(volume, 2.0)  # input untouched


def test_noise_is_mean_one():
    n = 4000
    z = np.random.default_rng(1).standard_normal((n, 12))
    out = pump_and_dump_volume_nb(np.ones((n, 12)), np.zeros(n, dtype=np.int64), z, 4, 3, 2, 2.0, 1.5, 5.0, 0.3)
    flat = pump_and_dump_volume_nb(np.ones((1, 12)), np.zeros(1, dtype=np.int64), np.zeros((1, 12)), 4, 3, 2,
                                   2.0, 1.5, 5.0, 0.0)[0]
    assert_allclose(out.mean(axis=0), flat, rtol=0.03)
    assert (out >= 1.0).all()  # volume only ever added
