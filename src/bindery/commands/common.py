"""What every command shares: turning BinderyError into messages and exit codes."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from bindery.diagnostics import BinderyError

F = TypeVar("F", bound=Callable[..., Any])


def human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def reports_errors(func: F) -> F:
    """Turn BinderyError into messages and an exit code; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = bool(kwargs.get("debug"))
        try:
            return func(*args, **kwargs)
        except BinderyError as exc:
            if debug:
                traceback.print_exc()
            for diagnostic in exc.diagnostics:
                click.echo(f"error: {diagnostic}" if diagnostic.severity == "error" else str(diagnostic), err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:
            raise  # the reader went away (`| head`): Click exits quietly, without "internal error"
        except KeyboardInterrupt:
            click.echo("interrupted; nothing was written", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 (last line of defence for users)
            if debug:
                traceback.print_exc()
            click.echo(
                f"internal error: {type(exc).__name__}: {exc} (this is a bug in Bindery; run again with --debug and report the output)",
                err=True,
            )
            sys.exit(70)

    return wrapper  # type: ignore[return-value]
