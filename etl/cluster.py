"""Extraction on a Dask cluster (``backfill --cluster local:2`` or ``tcp://HOST:8786``).

The driver sends references, never page bytes: a file's path, or a WARC file and a record's
offset (the offsets come from a task on a worker, which reads the file). Workers read their
own inputs (the paths must be visible to them: a shared disk, or ``s3://``), extract, and
send rows back; dedup and writing stay in the one writer in the driver (``etl.pipeline``).

Tasks are batches of ``BATCH`` inputs: with one page a task, Dask's per-task overhead (~3 ms in
the scheduler, ~6 ms of driver CPU a page) made a LocalCluster(2) half as fast as Pool(2).
At most ``IN_FLIGHT_PER_WORKER`` batches per worker are submitted and not yet consumed, and
results are consumed in submission order: the run is the same whatever the timing.

Each page keeps its CPU budget: a task runs in a Dask worker's thread, where no timer signal
can interrupt it, so with a budget the batch's pages go to one forked process (``etl.workers``),
ended and replaced when a page runs over, as on one machine. The task reads its inputs itself
(not the forked process: an S3 client must not cross a fork).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from etl.crawl.warc_input import is_warc, read_record, record_offsets
from etl.extract.extract import preload
from etl.models import RawDocument, Reject
from etl.pipeline import Extracted, extract_each
from etl.read import input_name, iter_files, open_input, open_record, read_path

log = logging.getLogger(__name__)
BATCH = 32
IN_FLIGHT_PER_WORKER = 4
# Imported by the fork server of a LocalCluster's workers, before it forks them.
FORK_SERVER_PRELOAD = ["distributed", "etl.extract.preloaded", "etl.cluster"]

# An input as the driver names it: a file, a WARC record (file, offset), or a Reject to pass on.
Ref = str | tuple[str, int] | Reject


@contextlib.contextmanager
def connect(address: str) -> Iterator[Any]:
    """A Dask client: ``local:N`` starts a LocalCluster of N one-thread worker processes,
    anything else is a scheduler's address (``tcp://HOST:8786``)."""
    from distributed import Client, LocalCluster  # the optional `cluster` extra

    if not log.isEnabledFor(logging.DEBUG):  # Dask's INFO lines would bury the run's own
        logging.getLogger("distributed").setLevel(logging.WARNING)
    if address.startswith("local:"):
        import dask
        from distributed.utils import get_mp_context

        workers = int(address.removeprefix("local:"))
        settings = {
            "distributed.worker.daemon": False,  # they fork (the page budget)
            "distributed.worker.multiprocessing-method": "forkserver",
        }
        with dask.config.set(settings):
            # Workers forked from one server that loaded the extraction share its ~250 MB
            # (spawned, each loads its own): a LocalCluster(2) run peaks ~150 MB lower.
            get_mp_context().set_forkserver_preload(FORK_SERVER_PRELOAD)
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
        with cluster, Client(cluster) as client:
            client.run(warm_up)
            yield client
    else:
        with Client(address) as client:
            client.run(warm_up)
            yield client


def warm_up() -> None:
    """On each worker before the run: the extraction modules, the language model and the
    stoplists, loaded once (a worker that joins later loads them with its first task)."""
    preload()


def references(paths: Iterable[str], client: Any) -> Iterator[Ref]:
    """The inputs under ``paths`` in ``etl.read.read_inputs`` order, as references. A WARC's
    record offsets are found by a task on a worker (it reads the file, the driver does not)."""
    for item in iter_files(paths):
        if isinstance(item, Reject):
            yield item
        elif is_warc(str(item)):
            warc = input_name(item)
            for offset in client.submit(record_offsets, warc, open_input, pure=False).result():
                yield offset if isinstance(offset, Reject) else (warc, offset)
        else:
            yield input_name(item)


def extract_batch(refs: list[Ref], budget: float | None = None) -> list[Extracted | Reject]:
    """A task: read and extract each input (on a worker), each page under ``budget`` CPU s."""
    if budget and multiprocessing.current_process().daemon:
        raise RuntimeError(
            "a page budget needs Dask workers that may start processes: start `dask worker` "
            "with DASK_DISTRIBUTED__WORKER__DAEMON=False, or give --page-budget 0"
        )
    return list(extract_each((load(ref) for ref in refs), budget))


def load(ref: Ref) -> RawDocument | Reject:
    if isinstance(ref, Reject):
        return ref
    if isinstance(ref, tuple):
        return read_record(ref[0], ref[1], open_record)
    return read_path(Path(ref))


def results(
    refs: Iterable[Ref], client: Any, budget: float | None = None, batch: int = BATCH
) -> Iterator[Extracted | Reject]:
    """Each input's result, in input order, extracted on the cluster's workers."""
    workers = max(len(client.scheduler_info().get("workers", {})), 1)
    pending: deque[Any] = deque()
    try:
        for chunk in _batched(refs, batch):
            pending.append(client.submit(extract_batch, chunk, budget, pure=False))
            if len(pending) >= IN_FLIGHT_PER_WORKER * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        for future in pending:  # interrupted: what is not consumed is not needed
            future.cancel()


def _batched(items: Iterable[Ref], size: int) -> Iterator[list[Ref]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
