"""The system libraries WeasyPrint needs (Pango, HarfBuzz, fontconfig), checked in one place.

WeasyPrint loads Pango with ctypes-like `dlopen` when it is imported; without
it the import raises OSError deep in WeasyPrint. `require_weasyprint` is called
by the command line before any command imports WeasyPrint, and turns that into
one message naming what to install, never a traceback.
"""

from __future__ import annotations

import contextlib
import io
import sys

#: What to install, by platform, so WeasyPrint finds its libraries.
INSTALL_HINTS = (
    "Debian/Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0",
    "Fedora: sudo dnf install pango",
    "macOS: brew install pango",
)


def missing_libraries_message(exc: OSError) -> str:
    """The message for a WeasyPrint import that failed on a shared library."""
    return (
        f"error: WeasyPrint (the PDF layout engine) cannot load the Pango library it needs: {exc}\n"
        "  install it with your system's package manager, then run the command again:\n"
        + "".join(f"    {hint}\n" for hint in INSTALL_HINTS)
        + "  (Bindery needs Python 3.11 or newer and Pango 1.44 or newer; see README.md)"
    )


def require_weasyprint() -> None:
    """Import WeasyPrint once; on a missing shared library print what to install and exit 1."""
    chatter = io.StringIO()  # WeasyPrint prints its own notice to stdout before raising
    try:
        with contextlib.redirect_stdout(chatter):
            import weasyprint  # noqa: F401
    except OSError as exc:
        print(missing_libraries_message(exc), file=sys.stderr)
        raise SystemExit(1) from None
