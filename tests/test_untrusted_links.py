"""Symbolic links in a book folder: judged by where they lead, and never a traceback.

A hidden file (`.secret.png`, anything under `.git/`) is never published; a link
with a visible name that leads to one was published. A link that leads back to
itself made Python's path resolution raise, which came out as an internal error.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from click.testing import Result

from test_bad_inputs import MANIFEST, run_build, with_front, write_book
from test_untrusted_documents import PNG

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name != "posix", reason="symbolic links as on Linux and macOS")


def clear_error(result: Result, says: str) -> str:
    out = result.output
    assert "Traceback" not in out and "internal error" not in out, out
    assert result.exit_code == 1, out
    [line] = [ln.strip() for ln in out.splitlines() if says in ln]
    return line


def no_outputs(book: Path) -> bool:
    return not (book / "output").exists() or not [p for p in (book / "output").iterdir() if p.is_file()]


@pytest.mark.parametrize(
    ("hidden", "link", "target", "shown"),
    [
        (".secret.png", "images/pic.png", "../.secret.png", "images/pic.png"),  # a file linked into a hidden one
        (".hid/pic.png", "images/vis", "../.hid", "images/vis/pic.png"),  # a folder linked into a hidden one
    ],
    ids=["file", "folder"],
)
def test_an_image_linked_into_a_hidden_place_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hidden: str, link: str, target: str, shown: str
) -> None:
    body = f"![A pic](../{shown})\n"
    book = write_book(tmp_path, {hidden: PNG, "chapters/two.md": with_front("Two", body=body)})
    (book / "images").mkdir()
    (book / link).symlink_to(target)
    line = clear_error(run_build(tmp_path, monkeypatch), "is in a hidden file or folder")
    assert line.startswith(f"error: book/chapters/two.md:5: image '{shown}'"), line
    assert no_outputs(book)


def test_a_visible_link_to_a_visible_image_is_published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule is about where a link leads, not links as such."""
    book = write_book(tmp_path, {"art/pic.png": PNG, "chapters/two.md": with_front("Two", body="![A pic](../images/pic.png)\n")})
    (book / "images").mkdir()
    (book / "images" / "pic.png").symlink_to("../art/pic.png")
    result = run_build(tmp_path, monkeypatch, "--format", "epub")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(book / "output" / "a-small-test-book.epub") as epub:
        assert any(name.endswith("pic.png") for name in epub.namelist())


@pytest.mark.parametrize("cover", [".git/c.png", "images/cover.png"], ids=["hidden-path", "link-to-hidden"])
def test_a_hidden_cover_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cover: str) -> None:
    book = write_book(tmp_path, {"book.yaml": MANIFEST + f"cover: {cover}\n", ".git/c.png": PNG})
    if cover.startswith("images/"):
        (book / "images").mkdir()
        (book / "images" / "cover.png").symlink_to("../.git/c.png")
    line = clear_error(run_build(tmp_path, monkeypatch), "is in a hidden file or folder")
    assert line.startswith("error: book/book.yaml:6: cover: the cover image"), line
    assert no_outputs(book)


def test_an_article_that_links_to_itself_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = write_book(tmp_path, {"chapters/two.md": None})
    (book / "chapters" / "two.md").symlink_to("two.md")
    line = clear_error(run_build(tmp_path, monkeypatch), "a link that leads back to itself")
    assert line.startswith("error: book/book.yaml:5: chapters[1]: article 'chapters/two.md' cannot be read"), line


def test_an_image_that_links_to_itself_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = write_book(tmp_path, {"chapters/two.md": with_front("Two", body="![A pic](../images/loop.png)\n")})
    (book / "images").mkdir()
    (book / "images" / "loop.png").symlink_to("loop.png")
    line = clear_error(run_build(tmp_path, monkeypatch), "leads back to itself")
    assert line.startswith("error: book/chapters/two.md:5: image 'images/loop.png'"), line


def test_a_folder_or_a_pipe_in_place_of_a_file_is_named_as_such(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both were called missing, which sent the author looking for a file that is there."""
    book = write_book(tmp_path, {"chapters/two.md": with_front("Two", body="![A pic](../images/pic.png)\n")})
    (book / "images" / "pic.png").mkdir(parents=True)
    line = clear_error(run_build(tmp_path, monkeypatch), "is a folder or a pipe, not an image file")
    assert line.startswith("error: book/chapters/two.md:5: image 'images/pic.png'"), line
    (book / "chapters" / "two.md").unlink()
    os.mkfifo(book / "chapters" / "two.md")
    line = clear_error(run_build(tmp_path, monkeypatch), "is a pipe or a device, not a file")
    assert line.startswith("error: book/book.yaml:5: chapters[1]: article 'chapters/two.md'"), line
