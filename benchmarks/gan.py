"""GAN stage training throughput: iterations per second on the CPU and, where present, on CUDA.

    python benchmarks/gan.py [--batches 256 4096 --iterations 10 --steps 64 --threads 2]

One iteration is a critic step, a step of every adversary and a policy step (see
:mod:`solvers.gan.training`). Each device's rate is measured by differencing two runs, of ``k`` and
``k + iterations`` iterations, so set-up and the final exploitability check cancel out. Both devices
run the same seed, base paths and config in one process; the table prints the CUDA/CPU ratio.
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

import numpy as np  # noqa: E402
import torch  # noqa: E402

from scenarios.data import load_market  # noqa: E402
from scenarios.paths import make_paths  # noqa: E402
from solvers.gan.training import GANConfig, train_gan  # noqa: E402

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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[256, 4096], help="paths per iteration")
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
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
