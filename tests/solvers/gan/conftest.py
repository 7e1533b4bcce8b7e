"""Shared fixtures of the GAN stage tests: one torch thread, tiny paths on real data."""

import pytest
import torch

from scenarios.data import load_market
from scenarios.paths import make_paths


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def market():
    return load_market("sp500")


@pytest.fixture(scope="session")
def paths(market):
    """32 bootstrap paths of 64 days."""
    return make_paths(market, 32, 64, model="bootstrap", rng=1)
