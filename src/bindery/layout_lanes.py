"""`--jobs N` for one book: the chunks laid out in N worker processes, each chunk always in the same one.

A process pool hands a job to whichever worker is free. A chunk's second job is mostly its
first layout with other cross-chunk page numbers (the contents, "see page P"), which the
process that laid it out can write in without a layout (`chunk_numbers`); in a pool it lands
on the other worker about half the time and is laid out again, and every job writes a PDF.

A lane is a pool of one process, and chunk k always goes to lane k mod N. Each lane keeps its
layouts as `serial_runner` does in one process (`layout_chunks.lay_out_in_lane`, within its
share of `PAGES_KEPT`), and writes each kept layout's PDF once, when the layout stage hands
the deferred results to `finish`; then the stage ends the lanes (`forget`), before the PDF is
joined. The layout stage gives the runner N jobs at a time, the next chunks in reading order,
so consecutive chunks go to different lanes.

Lanes need processes of this machine; a cluster (`--scheduler`) takes whole rounds through
`executors.executor_runner`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from types import TracebackType
from typing import TYPE_CHECKING

from bindery.executors import process_pool

if TYPE_CHECKING:
    from bindery.layout_chunks import ChunkJob, ChunkResult


class LaneRunner:
    """A `ChunkRunner` over `lanes` one-process pools (`make_lane` makes one; tests pass an
    in-process stand-in). Use it as a context manager: leaving it ends the processes."""

    spawns_workers = True  # read by pipeline.build: a small book is laid out in the build's own process

    def __init__(self, lanes: int, make_lane: Callable[[], Executor] = lambda: process_pool(1)) -> None:
        self.batch_size = lanes  # read by chunked_layout: one job per lane at a time
        self._count = lanes
        self._make_lane = make_lane
        self._lanes: list[Executor] = []

    def lane_of(self, job: ChunkJob) -> int:
        return job.index % self._count

    def __call__(self, jobs: Sequence[ChunkJob]) -> list[ChunkResult]:
        from bindery.layout_chunks import lay_out_in_lane  # the layout stage's module, loaded when used

        lanes = self._started()
        futures = [lanes[self.lane_of(job)].submit(lay_out_in_lane, job, self._count) for job in jobs]
        return [future.result() for future in futures]

    def finish(self, done: Sequence[tuple[ChunkJob, ChunkResult]]) -> list[ChunkResult]:
        """The deferred results with their PDFs, each written by the lane that kept its layout."""
        from bindery.layout_chunks import write_deferred

        shares: dict[int, list[int]] = {}
        for i, (job, _) in enumerate(done):
            shares.setdefault(self.lane_of(job), []).append(i)
        lanes = self._started()  # a warm build may have read every result back from the cache
        futures = {lane: lanes[lane].submit(write_deferred, [done[i] for i in share]) for lane, share in shares.items()}
        written: dict[int, ChunkResult] = {}
        for lane, share in shares.items():
            written.update(zip(share, futures[lane].result(), strict=True))
        return [written[i] for i in range(len(done))]

    def _started(self) -> list[Executor]:
        """The lanes, started with the first job (and again after `forget`)."""
        if not self._lanes:
            self._lanes = [self._make_lane() for _ in range(self._count)]
        return self._lanes

    def forget(self) -> None:
        """The lanes end with the layout stage, and with them every layout they kept: their memory
        is the system's again before the PDF is joined. A later job starts new ones."""
        self.close()

    def process_ids(self) -> list[int]:
        """The lanes' live worker processes (benchmarks read their CPU time and peak memory)."""
        return [pid for lane in self._lanes for pid in (getattr(lane, "_processes", None) or {})]

    def close(self) -> None:
        lanes, self._lanes = self._lanes, []
        for lane in lanes:
            lane.shutdown(cancel_futures=True)

    def __enter__(self) -> LaneRunner:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()
