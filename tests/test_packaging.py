"""The wheel carries the default templates and fonts, so Bindery works outside the repo."""

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
    wheel = next(tmp_path.glob("bindery-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    repo_templates = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*") if p.is_file())
    for name in repo_templates:
        assert f"bindery/{name}" in names, name
    assert "bindery/templates/print/fonts/CharisSIL-Regular.ttf" in names
