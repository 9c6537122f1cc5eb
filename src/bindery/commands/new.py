"""`bindery new DIR`: scaffold a book that builds at once.

The files come from the `bindery/scaffold/` folder (package data beside the
code, apart from the templates): a `book.yaml` with every option
commented, two example articles that relate to each other, and an empty
`templates/` folder for overrides. A few placeholders (`__TITLE__`, ...)
are filled in; nothing else is generated.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import click

from bindery.commands.common import reports_errors
from bindery.diagnostics import BinderyError, Diagnostic
from bindery.limits import check_text_length
from bindery.paths import slugify
from bindery.textinput import ILLEGAL_HINT, describe_char, find_illegal, is_visible

TEXT_SUFFIXES = (".yaml", ".md")


SCAFFOLD_DIR = Path(__file__).resolve().parent.parent / "scaffold"


def scaffold_dir() -> Path:
    return SCAFFOLD_DIR


def scaffold_files() -> list[Path]:
    """Every file of the scaffold, relative to it, in a stable order."""
    root = scaffold_dir()
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def create_book(target: Path, title: str | None = None, today: _dt.date | None = None) -> list[Path]:
    """Write the scaffold into `target` (absent or empty); return the files written."""
    try:
        target.exists()
    except OSError as exc:  # a name too long for the file system, a folder that cannot be read
        raise BinderyError(
            Diagnostic(f"cannot use this path: {exc.strerror}", file=str(target), hint="choose a shorter path", code="new-write")
        ) from None
    if target.exists() and not target.is_dir():
        raise BinderyError(
            Diagnostic("is a file, not a folder", file=str(target), hint="give the path of a new or empty folder", code="new-not-folder")
        )
    if target.is_dir() and any(target.iterdir()):
        raise BinderyError(
            Diagnostic(
                "folder is not empty; Bindery will not write over your files",
                file=str(target),
                hint="give a new folder name, e.g. 'bindery new my-book', or empty this one first",
                code="new-not-empty",
            )
        )
    title = title or _title_from(target)
    check_title(title)
    day = today or _dt.date.today()
    values = {
        "__TITLE__": json.dumps(title, ensure_ascii=False),
        "__DATE__": day.isoformat(),
        "__YEAR__": str(day.year),
        "__SLUG__": slugify(title),
    }
    written: list[Path] = []
    try:
        for rel in scaffold_files():
            data = (scaffold_dir() / rel).read_bytes()
            if rel.suffix in TEXT_SUFFIXES:
                text = data.decode("utf-8")
                for key, value in values.items():
                    text = text.replace(key, value)
                data = text.encode("utf-8")
            out = target / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            written.append(out)
    except OSError as exc:
        raise BinderyError(
            Diagnostic(
                f"cannot write the new book: {exc.strerror}",
                file=exc.filename or str(target),
                hint="check that the folder is writable",
                code="new-write",
            )
        ) from None
    return written


def check_title(title: str) -> None:
    """Refuse a --title the new book could not build with."""
    problem = check_text_length("title", title)
    if problem is None and not is_visible(title):
        problem = ("the title is empty (nothing a reader could see)", "give the title the cover shows, e.g. --title 'My Book'")
    found = find_illegal(title)
    if problem is None and found is not None:
        problem = (f"the title contains {describe_char(found[1])}, which an EPUB cannot hold", ILLEGAL_HINT)
    if problem is not None:
        raise BinderyError(Diagnostic(problem[0], key="--title", hint=problem[1], code="new-title"))


def _title_from(target: Path) -> str:
    name = target.resolve().name.replace("-", " ").replace("_", " ").strip()
    return name[:1].upper() + name[1:] if name else "My Book"


@click.command("new")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--title", default=None, help="The book's title (default: made from the folder name).")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@reports_errors
def new_command(directory: Path, title: str | None, debug: bool) -> None:
    """Start a new book in DIRECTORY (which must be new or empty)."""
    written = create_book(directory, title)
    click.echo(f"Created a new book in {directory}/:")
    for path in written:
        click.echo(f"  {path.relative_to(directory)}")
    click.echo(f"Next: cd {directory} && bindery serve   (live preview)   or   bindery build   (EPUB and PDF)")
