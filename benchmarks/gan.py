"""GAN stage training throughput: iterations per second on the CPU and, where present, on CUDA.

    python benchmarks/gan.py [--batches 256 4096 --iterations 10 --steps 64 --threads 2]
    python benchmarks/gan.py --goals [--seed 11]

One iteration is a critic step, a step of every adversary and a policy step (see
:mod:`solvers.gan.training`). Each device's rate is measured by differencing two runs, of ``k`` and
``k + iterations`` iterations, so set-up and the final exploitability check cancel out. Both devices
run the same seed, base paths and config in one process; the table prints the CUDA/CPU ratio.

``--goals`` measures the issue's two quality goals instead, on the CPU (about two minutes): the full
GAN stage (``antifragile run --gan full`` settings, at most 500 iterations) on 64 bootstrap paths of
64 days from the S&P 500 up to 2014, refining the invested quick game; it prints the iterations to
convergence, the exploitability estimate as a share of the game's value range (goal: <= 5 %), and the
worst case of the robust mix on held-out attacks (historical windows after 2014, a 30 % two-day flash
crash and a 9-sigma black swan, none in the game) before and after refinement (goal: after >= before).
As in :func:`solvers.gan.refine.refine_game`, the policy trains against the game's scenarios as well as the
generators, and the crash budget is raised to the scenarios' deepest fall; the header line prints both.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing
os.environ.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".numba_cache"))

import numpy as np
import torch

from gametheory.strategies import default_strategies
from scenarios.attacks import BlackSwan, FlashCrash
from scenarios.data import load_market
from scenarios.paths import make_paths
from scenarios.scenario_set import Scenario, foundation_scenarios
from solvers.gan.refine import refine_game
from solvers.gan.training import GANConfig, train_gan

WARM = 2


def _rate(paths, market, config: GANConfig, iterations: int) -> float:
    """Training iterations per second: ``iterations / (t(WARM + iterations) - t(WARM))``."""
    seconds = []
    for n in (WARM, WARM + iterations):
        if config.device.startswith("cuda"):
            torch.cuda.synchronize()
        start = time.perf_counter()
        train_gan(paths.log_returns, paths.sigma, market=market, config=replace(config, iterations=n), rng=0)
        if config.device.startswith("cuda"):
            torch.cuda.synchronize()
        seconds.append(time.perf_counter() - start)
    return iterations / max(seconds[1] - seconds[0], 1e-9)


def goals(seed: int) -> None:
    """Print the convergence and held-out figures of one full refinement (see the module docstring)."""
    train, holdout = load_market("sp500").split("2014-12-31")
    paths = make_paths(train, 64, 64, model="bootstrap", rng=seed)
    scenarios = foundation_scenarios(train.log_returns, quick=True)
    held_out = [s for s in foundation_scenarios(holdout.log_returns) if s.family == "historical"]
    held_out += [Scenario.of("flash_crash/d30-f2", FlashCrash(0.30, fall_steps=2)),
                 Scenario.of("black_swan/s9", BlackSwan(9.0))]
    strategies = [s for s in default_strategies(quick=True) if s.max_exposure > 0]
    config = GANConfig(iterations=500, batch_paths=64, check_every=25, best_response_steps=40, eval_paths=64)
    result = refine_game(strategies, scenarios, paths, holdout_scenarios=held_out, market=train, config=config,
                         rng=seed)
    gan, value_range = result.gan, float(np.ptp(result.payoff_before.to_numpy()))
    print(f"GAN goals, seed {seed}, channels returns + volume (volume budget {config.volume_budget}), "
          f"{gan.seconds:.0f} s of training; the policy also trained against the game's {len(scenarios)} scenarios, "
          f"crash budget {gan.config.crash_budget:.1f} sigma (config {config.crash_budget}; the library's deepest "
          f"fall), policy leverage <= {gan.config.max_leverage}")
    print(f"iterations {gan.iterations} ({gan.status}); exploitability estimate {gan.exploitability:.4f} = "
          f"{gan.exploitability / value_range:.1%} of the value range {value_range:.4f} (goal <= 5 %); "
          f"estimates at the checks: {np.round(gan.log.exploitability, 4).tolist()}")
    print(f"{'held-out scenario':>24} {'before':>9} {'after':>9}")
    for name in result.holdout_before.index:
        print(f"{name:>24} {result.holdout_before[name]:>9.4f} {result.holdout_after[name]:>9.4f}")
    print(f"{'worst case':>24} {result.holdout_worst_before:>9.4f} {result.holdout_worst_after:>9.4f}"
          f"   (goal: after >= before; game value {result.before.value:.4f} -> {result.after.value:.4f})")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[256, 4096], help="paths per iteration")
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--goals", action="store_true", help="measure the convergence and held-out goals instead")
    parser.add_argument("--seed", type=int, default=11, help="seed of --goals")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    if args.goals:
        goals(args.seed)
        return
    market = load_market("sp500")
    paths = make_paths(market, max(args.batches), args.steps, model="bootstrap", rng=0)
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    print(f"GAN training, {args.steps} steps, 2 adversaries, torch {torch.__version__}, {args.threads} CPU threads"
          + (f", {torch.cuda.get_device_name()}" if "cuda" in devices else ", no CUDA device"))
    print(f"{'batch paths':>12} {'cpu it/s':>10} {'cuda it/s':>10} {'cuda/cpu':>9}")
    for batch in args.batches:
        config = GANConfig(batch_paths=batch, eval_paths=min(batch, 256), check_every=10**6, best_response_steps=1)
        rates = {device: _rate(paths, market, replace(config, device=device), args.iterations) for device in devices}
        cuda = rates.get("cuda", np.nan)
        print(f"{batch:>12} {rates['cpu']:>10.2f} {cuda:>10.2f} {cuda / rates['cpu']:>9.1f}")


if __name__ == "__main__":
    main()
