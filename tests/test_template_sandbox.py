"""A book's templates are untrusted: the Jinja sandbox and the template folder boundary.

Unit tests render through `Templates` directly (fast); one test runs the real
command on a book whose title page override tries the classic Jinja escape.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bindery.diagnostics import BinderyError
from bindery.templating import Templates
from conftest import BOOKS

ESCAPE = "{{ cycler.__init__.__globals__.os.popen('touch %s').read() }}"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    root = Path(shutil.copytree(BOOKS / "minimal", tmp_path / "book"))
    (root / "templates" / "ebook").mkdir(parents=True)
    return root


def render_error(root: Path, name: str, **context: object) -> BinderyError:
    with pytest.raises(BinderyError) as caught:
        Templates(root, "ebook").render(name, **context)
    return caught.value


def test_the_globals_escape_is_refused_and_runs_nothing(book: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    (book / "templates" / "ebook" / "page.j2").write_text("<p>one</p>\n" + ESCAPE % marker + "\n")
    [diagnostic] = render_error(book, "page.j2").diagnostics
    assert diagnostic.code == "template-unsafe"
    assert diagnostic.file and diagnostic.file.endswith("templates/ebook/page.j2") and diagnostic.line == 2
    assert "__init__" in diagnostic.message and "nothing was run" in (diagnostic.hint or "")
    assert not marker.exists()


@pytest.mark.parametrize(
    "expression",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ self._TemplateReference__context }}",
        "{{ lipsum.__globals__ }}",
        "{{ 'x' * 100000000 }}",
        "{{ [0] * 100000000 }}",
        "{{ 10 ** 100000000 }}",
        "{% for i in range(100000000) %}{% endfor %}",
    ],
)
def test_python_internals_and_huge_values_are_refused(book: Path, expression: str) -> None:
    (book / "templates" / "ebook" / "page.j2").write_text(expression + "\n")
    [diagnostic] = render_error(book, "page.j2").diagnostics
    assert diagnostic.code == "template-unsafe", diagnostic
    assert diagnostic.line == 1


def test_ordinary_template_code_still_works(book: Path) -> None:
    (book / "templates" / "ebook" / "page.j2").write_text(
        "{{ '%s-%d'|format('a', 2) }} {{ 'ab' * 3 }} {{ 2 ** 10 }} "
        "{{ ', '.join(['x', 'y']) }} {{ {'k': 1}.items()|list|length }} {{ range(3)|list }}\n"
    )
    text = Templates(book, "ebook").render("page.j2")
    assert text == "a-2 ababab 1024 x, y 1 [0, 1, 2]\n"


@pytest.mark.parametrize("tag", ['{% include "leak.j2" %}', '{% extends "leak.j2" %}', '{% import "leak.j2" as leak %}'])
def test_a_link_out_of_the_template_folders_is_refused(book: Path, tmp_path: Path, tag: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET\n")
    (book / "templates" / "ebook" / "leak.j2").symlink_to(secret)
    (book / "templates" / "ebook" / "page.j2").write_text("<p>start</p>\n" + tag + "\n")
    [diagnostic] = render_error(book, "page.j2").diagnostics
    assert diagnostic.code == "template-outside"
    assert diagnostic.file and diagnostic.file.endswith("templates/ebook/page.j2") and diagnostic.line == 2
    assert "leak.j2" in diagnostic.message and "outside the template folders" in diagnostic.message
    assert "TOP SECRET" not in str(diagnostic)


def test_a_linked_folder_out_of_the_template_folders_is_refused(book: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.j2").write_text("TOP SECRET\n")
    (book / "templates" / "ebook" / "partials").symlink_to(outside)
    (book / "templates" / "ebook" / "page.j2").write_text('{% include "partials/secret.j2" %}\n')
    [diagnostic] = render_error(book, "page.j2").diagnostics
    assert diagnostic.code == "template-outside" and diagnostic.line == 1 and "TOP SECRET" not in str(diagnostic)


def test_an_override_that_links_out_is_refused(book: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET\n")
    (book / "templates" / "ebook" / "chapter.xhtml.j2").symlink_to(secret)
    [diagnostic] = render_error(book, "chapter.xhtml.j2").diagnostics
    assert diagnostic.code == "template-outside" and diagnostic.file and diagnostic.file.endswith("templates/ebook/chapter.xhtml.j2")
    with pytest.raises(BinderyError) as caught:  # assets (fonts, CSS) are found through the same check
        Templates(book, "ebook").find("chapter.xhtml.j2")
    assert caught.value.diagnostics[0].code == "template-outside"


def test_a_templates_folder_that_links_out_of_the_book_is_refused(book: Path, tmp_path: Path) -> None:
    shutil.rmtree(book / "templates")
    elsewhere = tmp_path / "elsewhere" / "ebook"
    elsewhere.mkdir(parents=True)
    (elsewhere / "page.j2").write_text("from outside\n")
    (book / "templates").symlink_to(elsewhere.parent)
    [diagnostic] = render_error(book, "page.j2").diagnostics
    assert diagnostic.code == "template-outside"


def test_links_inside_the_template_folders_are_followed(book: Path) -> None:
    (book / "templates" / "ebook" / "real.j2").write_text("shared {{ 1 + 1 }}\n")
    (book / "templates" / "ebook" / "alias.j2").symlink_to("real.j2")
    (book / "templates" / "ebook" / "page.j2").write_text('{% include "alias.j2" %}')
    assert Templates(book, "ebook").render("page.j2") == "shared 2\n"


@pytest.mark.parametrize("name", ["../../secret.txt", "../book.yaml", "sub/../../x.j2"])
def test_dot_dot_names_are_refused_with_the_line(book: Path, tmp_path: Path, name: str) -> None:
    (tmp_path / "secret.txt").write_text("TOP SECRET\n")
    (book / "templates" / "ebook" / "page.j2").write_text(f'<p>start</p>\n{{% include "{name}" %}}\n')
    [diagnostic] = render_error(book, "page.j2").diagnostics
    assert diagnostic.code == "template-missing" and diagnostic.line == 2
    assert "'..'" in (diagnostic.hint or "")


@pytest.mark.slow
def test_the_escape_in_a_real_build_exits_1_with_file_and_line(book: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    built_in = Path(__file__).resolve().parents[1] / "templates" / "ebook" / "titlepage.xhtml.j2"
    lines = built_in.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "{% block content %}" in line) + 1
    lines.insert(at, "<p>" + ESCAPE % marker + "</p>\n")
    (book / "templates" / "ebook" / "titlepage.xhtml.j2").write_text("".join(lines))
    done = subprocess.run(
        [sys.executable, "-m", "bindery", "build", str(book), "--format", "epub", "--no-page-list", "--output", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"},
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    assert f"book/templates/ebook/titlepage.xhtml.j2:{at + 1}: template does something the sandbox forbids" in done.stderr
    assert "nothing was run" in done.stderr and "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert not marker.exists() and not (tmp_path / "out").exists()


def test_templates_are_compiled_once_per_process_and_again_when_edited(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second build in one process (the preview server, a catalog worker) reuses the compiled
    templates; an edited override is compiled again and renders its new text."""
    from bindery.templating import BookSandbox

    compiled: list[str | None] = []
    original = BookSandbox.compile

    def counting(self: BookSandbox, source: str, name: str | None = None, *args: object, **kwargs: object) -> object:
        compiled.append(name)
        return original(self, source, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(BookSandbox, "compile", counting)
    page = book / "templates" / "ebook" / "page.j2"
    page.write_text("<p>one {{ 6 * 7 }}</p>\n")
    assert Templates(book, "ebook").render("page.j2") == "<p>one 42</p>\n"
    assert Templates(book, "ebook").render("page.j2") == "<p>one 42</p>\n"
    assert compiled == ["page.j2"]
    page.write_text("<p>two {{ 6 * 7 }}</p>\n")
    assert Templates(book, "ebook").render("page.j2") == "<p>two 42</p>\n"
    assert compiled == ["page.j2", "page.j2"]
