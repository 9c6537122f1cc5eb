"""What WeasyPrint logs while it works (its logger): the one place that listens to it.

`layout` and the PDF writer collect the messages for the build report;
`parsed_stylesheets` keeps a parse only when it said nothing. Several may
listen at once: every handler gets each message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def weasyprint_messages() -> Iterator[list[str]]:
    """WeasyPrint's own warnings and errors while it works (its logger), collected for the build report."""
    said: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append(record.getMessage())

    logger = logging.getLogger("weasyprint")
    handler = Collect(level=logging.WARNING)
    logger.addHandler(handler)
    try:
        yield said
    finally:
        logger.removeHandler(handler)
