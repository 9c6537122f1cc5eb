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
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from threading import Lock

_LOCK = Lock()
_depth = 0


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
