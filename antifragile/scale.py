"""Scale-out: run independent blocks of work in this process or as Dask tasks, with the same numbers.

Every block (a chunk of scenarios to attack, a strategy chunk x scenario chunk of the payoff, one
strategy's limit search) is a pure function of its inputs and of seeds fixed by scenario ids, so the
results do not depend on where, in which order or on how many workers the blocks run.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

from gametheory.errors import ConfigError

__all__ = ["SerialRunner", "DaskRunner", "runner", "chunks"]


def chunks(n: int, size: int) -> list[range]:
    """Split ``range(n)`` into consecutive ranges of at most ``size`` items."""
    return [range(start, min(start + size, n)) for start in range(0, n, size)]


class SerialRunner:
    """Runs blocks one after the other in this process."""

    workers = 1

    def map(self, fn, items, **shared) -> list:
        return [fn(item, **shared) for item in items]


def _single_threaded(fn, item, **shared):
    """Run one block on a Dask worker with Numba held to one thread (workers share the cores)."""
    import numba

    numba.set_num_threads(1)
    return fn(item, **shared)


class DaskRunner:
    """Runs blocks as Dask tasks; large shared arrays are scattered to the workers once."""

    def __init__(self, client):
        self.client = client
        self.workers = max(len(client.scheduler_info().get("workers", {})), 1)

    def map(self, fn, items, **shared) -> list:
        # hash=False: a fresh key per call, so releasing an earlier call's copy cannot cancel this one.
        scattered = {key: self.client.scatter(value, broadcast=True, hash=False) for key, value in shared.items()}
        futures = [self.client.submit(_single_threaded, fn, item, pure=False, **scattered) for item in items]
        return self.client.gather(futures)


@contextmanager
def runner(workers: int | None = None, address: str | None = None):
    """The runner a run asks for: serial, a local Dask cluster of ``workers`` processes, or a cluster.

    ``address`` (or the ``DASK_SCHEDULER_ADDRESS`` environment variable when ``workers`` is None)
    connects to a running scheduler. Every block holds Numba to one thread on its worker
    (``numba.set_num_threads(1)``); environment variables are left alone, since Dask's
    pre-spawn environment would also change this process's.
    """
    address = address or (os.environ.get("DASK_SCHEDULER_ADDRESS") if workers is None else None)
    if workers is None and not address:
        yield SerialRunner()
        return
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise ConfigError(f"workers must be a positive integer, got {workers!r}")
    from distributed import Client, LocalCluster

    if address:
        with Client(address) as client:
            yield DaskRunner(client)
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            yield DaskRunner(client)
