import sys

import nashpy
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gametheory import ConfigError, ZeroSumGame, certify
from solvers import solve_zero_sum
from solvers.iterative import run_iterative
from solvers.torch_backend import rm_plus_torch
from solvers.zero_sum import _indifference_polish

TEXTBOOK = [
    ([[1, -1], [-1, 1]], 0.0),
    ([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], 0.0),
    ([[2, -1], [-1, 1]], 0.2),
    ([[3, 1, 4], [2, 0, 1], [5, 2, 3]], 2.0),
    ([[4, 0], [0, 1], [0.5, 0.5]], 0.8),
]
ITERATIVE = ["rm+", "prm+", "pdhg"]
TIGHT = {"rm+": 1e-4, "prm+": 1e-8, "pdhg": 1e-8}  # plain RM+ stalls near 2e-5 on the dominated-row game


@pytest.mark.parametrize("method", ITERATIVE)
@pytest.mark.parametrize("payoff, value", TEXTBOOK)
def test_textbook_values_within_tolerance(payoff, value, method):
    tol = TIGHT[method]
    sol = solve_zero_sum(payoff, method, tol=tol)
    span = np.ptp(payoff)
    assert sol.success and sol.status == 0 and sol.method == method
    assert sol.exploitability <= tol * span
    assert abs(sol.value - value) <= tol * span
    assert sol.gap_history.shape == (sol.iterations,)


matrices = st.tuples(st.integers(1, 7), st.integers(1, 7)).flatmap(
    lambda shape: arrays(np.float64, shape, elements=st.floats(-10, 10, allow_nan=False, width=32))
)


@settings(max_examples=40)
@given(matrices, st.sampled_from(ITERATIVE + ["auto"]), st.sampled_from([1e-2, 1e-4, 1e-9]))
def test_random_games_certified_within_tolerance_and_value_matches_lp(a, method, tol):
    span = np.ptp(a)
    tol = max(tol, 1e-4) if method in ITERATIVE else tol  # exact answers are asked from "auto"
    sol = solve_zero_sum(a, method, tol=tol)
    exact = solve_zero_sum(a, "lp")
    assert sol.success
    assert sol.exploitability <= max(tol, 1e-9) * span + 1e-12
    assert sol.lower_bound - 1e-12 <= exact.value <= sol.upper_bound + 1e-12
    cert = certify(a, sol.row_strategy, sol.col_strategy)
    assert (cert.lower_bound, cert.upper_bound) == (sol.lower_bound, sol.upper_bound)


@pytest.mark.parametrize("seed", range(3))
def test_auto_exact_through_the_support_simplex_matches_the_lp(seed, monkeypatch):
    # Force the large-game route (predictive RM+, then the warm-started simplex on the supports).
    monkeypatch.setattr("solvers.zero_sum.AUTO_LP_CELLS", 0)
    a = np.random.default_rng(seed).random((90, 80))
    sol = solve_zero_sum(a, "auto")
    assert sol.method == "auto:prm+>support-simplex" and sol.success
    assert sol.exploitability <= 1e-9
    x, y = nashpy.Game(a).linear_program()
    assert sol.value == pytest.approx(float(x @ a @ y), abs=1e-8)


def test_support_simplex_on_a_degenerate_game_stays_certified(monkeypatch):
    # Duplicated rows and columns and a dominated block: supports are not unique, the polish may be singular.
    monkeypatch.setattr("solvers.zero_sum.AUTO_LP_CELLS", 0)
    base = np.random.default_rng(4).integers(0, 3, size=(30, 25)).astype(float)
    a = np.vstack([base, base[:10], base.min() - 1.0 + 0 * base[:5]])
    a = np.hstack([a, a[:, :7]])
    sol = solve_zero_sum(a, "auto")
    assert sol.success and sol.exploitability <= 1e-9 * np.ptp(a)
    assert sol.value == pytest.approx(solve_zero_sum(a, "lp").value, abs=1e-8)


def test_indifference_polish_recovers_the_lp_equilibrium_on_its_supports():
    a = np.random.default_rng(8).random((60, 60))
    exact = solve_zero_sum(a, "lp")
    rows, cols = np.flatnonzero(exact.row_strategy > 1e-9), np.flatnonzero(exact.col_strategy > 1e-9)
    assert rows.size == cols.size  # a random game is non-degenerate
    x, y = _indifference_polish(a, rows, cols)
    cert = certify(a, x, y)
    assert cert.exploitability <= 1e-12
    assert 0.5 * (cert.lower_bound + cert.upper_bound) == pytest.approx(exact.value, abs=1e-9)
    np.testing.assert_allclose(x, exact.row_strategy, atol=1e-9)
    np.testing.assert_allclose(y, exact.col_strategy, atol=1e-9)


def test_auto_falls_back_to_the_full_lp_without_highspy(monkeypatch):
    monkeypatch.setattr("solvers.zero_sum.AUTO_LP_CELLS", 0)
    monkeypatch.setitem(sys.modules, "highspy", None)  # import highspy now raises ImportError
    a = np.random.default_rng(9).random((40, 50))
    sol = solve_zero_sum(a, "auto")
    assert sol.method == "auto:lp" and sol.success and "full LP" in sol.message
    assert sol.exploitability <= 1e-9


@pytest.mark.parametrize("tol", [1e-2, 1e-4])
def test_auto_approximate_meets_requested_tolerance(tol):
    a = 5 + 3 * np.random.default_rng(11).normal(size=(300, 260))
    sol = solve_zero_sum(ZeroSumGame(a), "auto", tol=tol)
    assert sol.method == "auto:prm+" and sol.success
    assert sol.exploitability <= tol * np.ptp(a)


@pytest.mark.parametrize("method", ["rm+", "prm+"])
def test_float32_route_returns_a_float64_certified_answer(method, monkeypatch):
    monkeypatch.setattr("solvers.iterative.FLOAT32_CELLS", 0)  # a 300 x 300 game takes the large-game route
    a = 3 - 7 * np.random.default_rng(12).random((300, 300))
    run = run_iterative(a, method, tol=1e-4)
    assert run.precision == "float32" and run.converged
    assert certify(a, run.row_strategy, run.col_strategy).exploitability <= 1e-4 * np.ptp(a)
    for route in (method, "auto"):
        sol = solve_zero_sum(a, route, tol=1e-4)
        assert sol.success and sol.exploitability <= 1e-4 * np.ptp(a)
        assert sol.exploitability == certify(a, sol.row_strategy, sol.col_strategy).exploitability


def test_float32_route_falls_back_to_float64_when_its_certificate_misses(monkeypatch):
    monkeypatch.setattr("solvers.iterative.FLOAT32_CELLS", 0)
    monkeypatch.setattr("solvers.iterative._FLOAT32_TARGET", 50.0)  # float32 stops at 50 x tol: certificate misses
    a = np.random.default_rng(13).random((200, 150))
    run = run_iterative(a, "prm+", tol=1e-4)
    assert run.precision == "float64" and run.converged
    assert certify(a, run.row_strategy, run.col_strategy).exploitability <= 1e-4 * np.ptp(a)
    assert run_iterative(a, "prm+", tol=1e-7).precision == "float64"  # below FLOAT32_MIN_TOL: float64 only


def test_iteration_limit_reports_failure():
    a = np.random.default_rng(2).random((30, 30))
    sol = solve_zero_sum(a, "rm+", tol=1e-12, max_iter=5)
    assert not sol.success and sol.status == 1 and sol.iterations == 5
    assert "iteration limit" in sol.message


def test_bad_arguments():
    with pytest.raises(ConfigError, match="tol"):
        solve_zero_sum([[1.0, 0.0]], "rm+", tol=-1.0)
    with pytest.raises(ConfigError, match="max_iter"):
        solve_zero_sum([[1.0, 0.0]], "rm+", max_iter=0)
    with pytest.raises(ConfigError, match="device"):
        solve_zero_sum([[1.0, 0.0]], "lp", device="cpu")
    with pytest.raises(ConfigError, match="unknown iterative"):
        run_iterative([[1.0]], "mwu")


def test_constant_game():
    sol = solve_zero_sum(np.full((3, 4), 2.5), "prm+")
    assert sol.value == 2.5 and sol.exploitability == 0.0 and sol.success


@pytest.mark.parametrize("predictive", [False, True])
def test_torch_backend_on_cpu_reproduces_the_kernel(predictive):
    a = np.random.default_rng(5).random((40, 35))
    method = "prm+" if predictive else "rm+"
    numba_run = run_iterative(a, method, tol=1e-3)
    torch_run = rm_plus_torch(a, tol=1e-3, device="cpu", predictive=predictive)
    assert torch_run.iterations == numba_run.iterations and torch_run.method == f"{method}@cpu"
    np.testing.assert_allclose(torch_run.row_strategy, numba_run.row_strategy, atol=1e-12)
    np.testing.assert_allclose(torch_run.col_strategy, numba_run.col_strategy, atol=1e-12)
    np.testing.assert_allclose(torch_run.gaps, numba_run.gaps, atol=1e-12)
    sol = solve_zero_sum(a, method, tol=1e-3, device="cpu")
    assert sol.success and sol.exploitability <= 1e-3 * np.ptp(a)


@pytest.mark.gpu
def test_torch_backend_on_gpu_matches_cpu():
    a = np.random.default_rng(6).random((500, 400))
    gpu = rm_plus_torch(a, tol=1e-6, device="cuda")
    cpu = rm_plus_torch(a, tol=1e-6, device="cpu")
    assert gpu.converged and abs(gpu.iterations - cpu.iterations) <= 2
    np.testing.assert_allclose(gpu.row_strategy, cpu.row_strategy, atol=1e-6)
    assert certify(a, gpu.row_strategy, gpu.col_strategy).exploitability <= 1e-6 * np.ptp(a)
