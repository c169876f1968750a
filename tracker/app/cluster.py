"""``analyze --scheduler tcp://HOST:PORT``: a clinic's archive on a Dask cluster.

Why Dask and not a home-made pool: a scheduler with workers on several machines already
knows how to hand out tasks, notice a worker that died and give its task to another. Each
task analyses one file on a worker (which reads it from the shared storage by its path);
only this process writes: CSV rows, summaries and the history are saved here, in input
order, as results arrive, so a batch stopped half-way keeps everything before it and a
worker that dies costs only the file it was working on, which is run again.
"""
from __future__ import annotations

from tracker.errors import InputError, UsageError

CONNECT_TIMEOUT_S = 10


def _client(address: str):
    try:
        from distributed import Client
    except ImportError as exc:
        raise UsageError("--scheduler needs Dask distributed: pip install 'footdrop-tracker[cluster]'") from exc
    try:
        return Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"no Dask scheduler answers at {address} ({type(exc).__name__}); start one with "
                         "'dask scheduler' and its workers with 'dask worker ADDRESS', or check the address") from exc


def run_on_cluster(files, kw: dict, address: str, done, failed, task, extra: tuple = ()) -> None:
    """``task((path, kw, *extra))`` for every file on the cluster; ``done(result)`` /
    ``failed(message)`` are called here, in input order."""
    client = _client(address)
    # keys are Dask's own random ones: a key made from the file name could hand this run the
    # result of another run's file of the same name on a shared scheduler (another patient's)
    futures = [client.submit(task, (str(f), kw, *extra), pure=False) for f in files]
    try:
        for f, fut in zip(files, futures):
            try:
                path, res, err = fut.result()
            except Exception as exc:  # the task's workers kept dying (KilledWorker), or it could not run
                failed(f"{f}: not analysed on the cluster ({type(exc).__name__}: {str(exc)[:120]})")
                continue
            done(res) if err is None else failed(f"{path}: {err}")
    finally:
        client.cancel([fut for fut in futures if not fut.done()])
        client.close()
