"""Jinja2 environments for the two template sets, with author overrides.

A book folder's own `templates/ebook/` and `templates/print/` override the
built-in templates file by file (ChoiceLoader). StrictUndefined makes a typo
in a template fail loudly; template errors become diagnostics with the
template file and line.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Literal

import jinja2
from markupsafe import Markup

from bindery.diagnostics import BinderyError, Diagnostic, did_you_mean
from bindery.manifest import display_path

Kind = Literal["ebook", "print"]
PACKAGE_DIR = Path(__file__).resolve().parent


def default_templates_dir() -> Path:
    """The built-in templates: packaged in a wheel, or the repo's `templates/`."""
    packaged = PACKAGE_DIR / "templates"
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent.parent / "templates"


def template_dirs(book_root: Path, kind: Kind) -> list[Path]:
    dirs = [book_root / "templates" / kind, default_templates_dir() / kind]
    unique: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def css_string(value: Any) -> Markup:
    """A CSS string literal (for running heads in paged CSS).

    CSS escapes are a backslash and up to six hex digits and a space (`\\e9 `),
    not JSON's `\\u00e9`, which CSS reads as the letter u and "00e9"."""
    text = str(value)
    escaped = "".join(c if c.isalnum() and c.isascii() or c in " .,:;!?'-_()&" else f"\\{ord(c):x} " for c in text)
    return Markup(f'"{escaped}"')


def roman(n: int) -> str:
    out = ""
    for value, letters in (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ):
        while n >= value:
            out += letters
            n -= value
    return out


NUMBER_WORDS = ("Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve")


def number_word(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


class Templates:
    def __init__(self, book_root: Path, kind: Kind) -> None:
        self.kind = kind
        self.dirs = template_dirs(book_root, kind)
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in self.dirs]),
            undefined=jinja2.StrictUndefined,
            autoescape=True,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["css_string"] = css_string
        self.env.filters["roman"] = roman
        self.env.filters["number_word"] = number_word

    def find(self, name: str) -> Path:
        """The file that provides `name` (an override or the built-in one)."""
        for d in self.dirs:
            if (d / name).is_file():
                return d / name
        raise BinderyError(
            Diagnostic(
                f"no template or asset named '{name}'",
                hint=f"the template folders are: {', '.join(map(str, self.dirs))}",
                code="template-missing",
            )
        )

    def render(self, name: str, **context: Any) -> str:
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            raise BinderyError(
                Diagnostic(
                    f"template syntax error: {exc.message}",
                    file=display_path(Path(exc.filename)) if exc.filename else exc.name,
                    line=exc.lineno,
                    hint="fix the template, or delete your override to use the built-in one",
                    code="template-syntax",
                )
            ) from None
        except jinja2.TemplateNotFound as exc:
            raise BinderyError(
                Diagnostic(f"template '{exc.name}' not found", hint=f"looked in {', '.join(map(str, self.dirs))}", code="template-missing")
            ) from None
        except jinja2.UndefinedError as exc:
            file, line = _template_frame(exc)
            raise BinderyError(
                Diagnostic(
                    f"template uses an unknown variable: {exc.message}",
                    file=file,
                    line=line,
                    hint=_undefined_hint(exc.message or "", context),
                    code="template-undefined",
                )
            ) from None
        except jinja2.TemplateError as exc:
            file, line = _template_frame(exc)
            raise BinderyError(Diagnostic(f"template error: {exc}", file=file, line=line, code="template-error")) from None
        except UnicodeDecodeError as exc:
            bad = next((p for d in self.dirs for p in sorted(d.rglob("*.j2")) if not _is_utf8(p)), None)
            raise BinderyError(
                Diagnostic(
                    f"template is not UTF-8 text ({exc.reason})",
                    file=display_path(bad) if bad else name,
                    hint="save the template as UTF-8",
                    code="template-encoding",
                )
            ) from None


def _undefined_hint(message: str, context: dict[str, Any]) -> str:
    """Did-you-mean for a misspelt variable or attribute, else the variables there are."""
    match = re.search(r"'(\w+)' is undefined|has no attribute '(\w+)'", message)
    if match and match.group(1):
        return did_you_mean(match.group(1), context) or "this template gets: " + ", ".join(sorted(context))
    if match and match.group(2):
        names = {n for value in context.values() for n in dir(value) if not n.startswith("_")}
        return did_you_mean(match.group(2), names) or "check the spelling against docs/FORMATS.md"
    return "check the spelling; this template gets: " + ", ".join(sorted(context))


def _is_utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except (UnicodeDecodeError, OSError):
        return False
    return True


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost template file and line in a Jinja traceback."""
    file = line = None
    tb = exc.__traceback__ or sys.exc_info()[2]
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2") or "/templates/" in name:
            file, line = name, tb.tb_lineno
        tb = tb.tb_next
    return (display_path(Path(file)) if file else None), line
