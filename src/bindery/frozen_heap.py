"""WeasyPrint's layout and PDF write without Python's full garbage collections of what was alive before.

A WeasyPrint layout allocates millions of objects (boxes, styles, text
layouts), so Python's cyclic garbage collector runs full (generation 2)
collections while it works, and each one walks every object alive in the
process: the book model, the templates, and the previous layout's
document, which the build keeps until the next layout is done. That walk
was 10 to 17 % of `lay_out_print`'s CPU time on a generated book of 10
articles (benchmarks/feature_costs.py, measured with `gc.callbacks`).

`frozen_heap()` moves the objects alive when it is entered into the
collector's permanent generation (`gc.freeze`) and back when it is left
(`gc.unfreeze`), so collections during the block only walk what the block
allocates. It changes no result: what is alive stays alive, garbage
allocated in the block is still collected, and garbage that was already
waiting is collected after the block. Blocks may nest and run in threads;
only the outermost one freezes and unfreezes.

The other side of it: a laid-out document that dies after the block is already
in the oldest generation, and the freezes of the blocks that follow keep
their collections from it, so a process that lays out document after document
(a chunk per job) would keep them all. The caller says when one is dropped
(`dropped`), and a full collection runs once `COLLECT_AFTER_PAGES` pages of
them are waiting, or a quarter of the pages the caller keeps alive if that is
more: often enough to keep a worker small (a 500-article book with `--jobs
2`: each worker peaked at 1.0 to 1.2 GB before), rarely enough that the walk
over what is alive (the chunks `--jobs 1` keeps, up to 600 MB) costs little
(a full collection after every dropped chunk cost a 200-article book's
`--jobs 1` build 65 s of its 200 s of CPU).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from threading import Lock

_LOCK = Lock()
_depth = 0
_dropped_pages = 0

#: Pages of dropped laid-out documents (about 0.6 MB each) after which a full collection runs.
COLLECT_AFTER_PAGES = 30


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Within this block, the garbage collector leaves alone every object alive when it began."""
    global _depth
    with _LOCK:
        _depth += 1
        if _depth == 1:
            gc.freeze()
    try:
        yield
    finally:
        with _LOCK:
            _depth -= 1
            if _depth == 0:
                gc.unfreeze()


def dropped(pages: int, alive: int = 0) -> None:
    """A laid-out document of `pages` pages is no longer referenced: free the dropped ones once
    `COLLECT_AFTER_PAGES` pages of them wait, or a quarter of the `alive` pages of laid-out
    documents the caller keeps (a full collection walks those too), outside any frozen block."""
    global _dropped_pages
    with _LOCK:
        _dropped_pages += pages
        due = _dropped_pages >= max(COLLECT_AFTER_PAGES, alive // 4) and _depth == 0
        if due:
            _dropped_pages = 0
    if due:
        gc.collect()
