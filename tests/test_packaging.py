"""The wheel carries the default templates, fonts and the scaffold of `bindery new`, so Bindery works outside the repo."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT


def test_wheel_contains_the_templates_and_fonts(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    wheel = next(tmp_path.glob("bindery_books-*.whl"))  # the distribution is bindery-books; the package is bindery
    names = zipfile.ZipFile(wheel).namelist()
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "\nName: bindery-books\n" in metadata
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    assert "bindery = bindery.cli:main" in entry_points
    repo_templates = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*") if p.is_file())
    for name in repo_templates:
        assert f"bindery/{name}" in names, name
    assert "bindery/templates/shared/fonts/CharisSIL-Regular.ttf" in names
    repo_scaffold = sorted(str(p.relative_to(ROOT / "src")) for p in (ROOT / "src" / "bindery" / "scaffold").rglob("*") if p.is_file())
    assert repo_scaffold, "the scaffold of `bindery new` is missing from src/bindery/scaffold/"
    for name in repo_scaffold:
        assert name in names, name
    assert not any(n.startswith("bindery/templates/scaffold/") for n in names), "the scaffold is not part of the theme"
