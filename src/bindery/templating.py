"""Jinja2 environments for the two template sets, with author overrides.

A book folder's own `templates/ebook/` and `templates/print/` override the
built-in templates file by file (ChoiceLoader). Both sets also find what they
share in `templates/shared/` (the fonts, the article macros), the book's
own before the built-in one, after the set's own folders. StrictUndefined makes a typo
in a template fail loudly; template errors become diagnostics with the
template file and line.

A book's templates are untrusted input like its articles: every template is
rendered in Jinja's `SandboxedEnvironment` (no attributes starting with `_`,
no unsafe callables, capped `range`, and here capped `*` and `**`), and
`FolderLoader` finds a template only inside the template folders: `..` is
refused, and so is a file (or a link) whose real path lies outside the
book's `templates/` folder and the built-in one, for `{% include %}`,
`{% extends %}` and `{% import %}` alike.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import CodeType
from typing import Any, Literal

import jinja2
import jinja2.bccache
import jinja2.exceptions
import jinja2.sandbox
from markupsafe import Markup

from bindery.diagnostics import BinderyError, Diagnostic, did_you_mean
from bindery.numerals import to_roman
from bindery.paths import display_path

Kind = Literal["ebook", "print"]
SHARED = "shared"  # the folder both sets read after their own: fonts, article macros
PACKAGE_DIR = Path(__file__).resolve().parent
MAX_PRODUCT = 10_000_000  # items a template may make with `*` (a string of 10 MB)
MAX_EXPONENT = 1_000  # the largest power a template may compute with `**`


def default_templates_dir() -> Path:
    """The built-in templates: packaged in a wheel, or the repo's `templates/`."""
    packaged = PACKAGE_DIR / "templates"
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent.parent / "templates"


def template_dirs(book_root: Path, kind: Kind) -> list[Path]:
    """Where a set's templates and assets are looked up, first match wins: the book's set, the book's
    shared folder, the built-in set, the built-in shared folder."""
    built_in = default_templates_dir()
    dirs = [book_root / "templates" / kind, book_root / "templates" / SHARED, built_in / kind, built_in / SHARED]
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


NUMBER_WORDS = ("Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve")


def number_word(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def allowed_roots(book_root: Path) -> tuple[Path, ...]:
    """Where a template file may really be: the book's `templates/` folder (inside the book) and the built-in one."""
    return (book_root.resolve() / "templates", default_templates_dir().resolve())


class TemplateOutside(jinja2.TemplateError):
    """A template name that leads outside the template folders (through a link)."""

    def __init__(self, name: str, path: Path, target: Path) -> None:
        super().__init__(f"template '{name}' is a link to a file outside the template folders ({target})")
        self.name = name
        self.path = path


class FolderLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that never leaves its folder's allowed roots (no `..`, no links out)."""

    def __init__(self, folder: Path, roots: tuple[Path, ...]) -> None:
        super().__init__(str(folder))
        self.folder = folder
        self.roots = roots

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)  # refuses '..' (TemplateNotFound)
        path = self.folder.joinpath(*pieces)
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        target = inside(template, path, self.roots).resolve()  # read what was checked, not the link again
        mtime = target.stat().st_mtime_ns
        source = target.read_bytes().decode(self.encoding)

        def uptodate() -> bool:
            try:
                return path.resolve() == target and target.stat().st_mtime_ns == mtime
            except OSError:
                return False

        return source, str(path), uptodate


def inside(name: str, path: Path, roots: tuple[Path, ...]) -> Path:
    """`path`, when its real location is inside one of `roots`; else TemplateOutside."""
    target = path.resolve()
    if not any(target == root or root in target.parents for root in roots):
        raise TemplateOutside(name, path, target)
    return path


class BookSandbox(jinja2.sandbox.SandboxedEnvironment):
    """Jinja's sandbox, plus caps on `*` (string and list repetition) and `**`."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > MAX_EXPONENT and not isinstance(left, float):
            raise jinja2.exceptions.SecurityError(f"a power over {MAX_EXPONENT} is not allowed in a template")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int) and len(seq) * count > MAX_PRODUCT:
                    raise jinja2.exceptions.SecurityError(f"a repetition of more than {MAX_PRODUCT:,} items is not allowed in a template")
        return super().call_binop(context, operator, left, right)


def bounded_range(*args: int) -> range:
    """`range` for templates: at most the sandbox's MAX_RANGE items, else a SecurityError (not an OverflowError)."""
    numbers = range(*args)
    if len(numbers) > jinja2.sandbox.MAX_RANGE:
        raise jinja2.exceptions.SecurityError(f"a range of more than {jinja2.sandbox.MAX_RANGE:,} items is not allowed in a template")
    return numbers


class CompiledTemplates(jinja2.bccache.BytecodeCache):
    """Templates compiled once per process, by file and source checksum (Jinja's bytecode cache,
    kept in memory as code objects).

    Compiling the ~30 templates of a book is about half of a small book's build; a preview
    server, a catalog worker or a test process builds many. The key is the template's name and
    file and the checksum of its source, so an edited template or override is compiled again.
    Every `Templates` environment has the same options (the code Jinja generates depends on
    them), so one cache serves them all."""

    MAX_ENTRIES = 1024  # template versions kept: an author editing templates under `serve` never fills memory

    def __init__(self) -> None:
        self._code: dict[tuple[str, str], CodeType] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get((bucket.key, bucket.checksum))
        if code is not None:
            bucket.code = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.code is None:
            return
        if len(self._code) >= self.MAX_ENTRIES:
            self._code.clear()
        self._code[(bucket.key, bucket.checksum)] = bucket.code


COMPILED = CompiledTemplates()


class Templates:
    def __init__(self, book_root: Path, kind: Kind) -> None:
        self.kind = kind
        self.dirs = template_dirs(book_root, kind)
        self.roots = allowed_roots(book_root)
        self.env = BookSandbox(
            loader=jinja2.ChoiceLoader([FolderLoader(d, self.roots) for d in self.dirs]),
            undefined=jinja2.StrictUndefined,
            autoescape=True,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=COMPILED,
        )
        self.env.globals["range"] = bounded_range
        self.env.filters["css_string"] = css_string
        self.env.filters["roman"] = to_roman
        self.env.filters["number_word"] = number_word

    def find(self, name: str) -> Path:
        """The file that provides `name` (an override or the built-in one)."""
        for d in self.dirs:
            if (d / name).is_file():
                try:
                    return inside(name, d / name, self.roots)
                except TemplateOutside as exc:
                    raise BinderyError(_outside(exc, None, None)) from None
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
        except jinja2.TemplateError as exc:
            raise BinderyError(self._template_error(exc, context)) from None
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
        except (ArithmeticError, LookupError, TypeError, ValueError) as exc:  # raised by an expression in a template
            file, line = _template_frame(exc)
            if file is None:
                raise
            raise BinderyError(
                Diagnostic(
                    f"template error: {type(exc).__name__}: {exc}", file=file, line=line, hint="fix the expression", code="template-error"
                )
            ) from None

    def _template_error(self, exc: jinja2.TemplateError, context: dict[str, Any]) -> Diagnostic:
        """The diagnostic for an error Jinja2 (or the template loader) raised while rendering."""
        if isinstance(exc, jinja2.TemplateSyntaxError):
            return Diagnostic(
                f"template syntax error: {exc.message}",
                file=display_path(Path(exc.filename)) if exc.filename else exc.name,
                line=exc.lineno,
                hint="fix the template, or delete your override to use the built-in one",
                code="template-syntax",
            )
        file, line = _template_frame(exc)
        if isinstance(exc, jinja2.TemplateNotFound):
            climbs = ".." in str(exc.name).replace("\\", "/").split("/")
            hint = "a template name may not contain '..'; put the file in the book's templates/ folder" if climbs else ""
            return Diagnostic(
                f"template '{exc.name}' not found",
                file=file,
                line=line,
                hint=hint or f"looked in {', '.join(map(str, self.dirs))}",
                code="template-missing",
            )
        if isinstance(exc, jinja2.UndefinedError):
            return Diagnostic(
                f"template uses an unknown variable: {exc.message}",
                file=file,
                line=line,
                hint=_undefined_hint(exc.message or "", context),
                code="template-undefined",
            )
        if isinstance(exc, TemplateOutside):
            return _outside(exc, file, line)
        if isinstance(exc, jinja2.exceptions.SecurityError):
            return Diagnostic(
                f"template does something the sandbox forbids: {exc}",
                file=file,
                line=line,
                hint="a template may only show the book's data: no attributes starting with '_', no Python internals; "
                "nothing was run. Delete your override or remove that expression",
                code="template-unsafe",
            )
        return Diagnostic(f"template error: {exc}", file=file, line=line, code="template-error")


def _outside(exc: TemplateOutside, file: str | None, line: int | None) -> Diagnostic:
    """The diagnostic for a template link out of the template folders: where it is used, else the link itself."""
    return Diagnostic(
        str(exc),
        file=file or _link_path(exc.path),
        line=line,
        hint="templates are read only from the book's templates/ folder and Bindery's own; copy the file there instead of linking to it",
        code="template-outside",
    )


def _link_path(path: Path) -> str:
    """A link's own path for a message (not its target), relative to the working folder when inside it."""
    absolute = Path.cwd() / path if not path.is_absolute() else path
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


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
