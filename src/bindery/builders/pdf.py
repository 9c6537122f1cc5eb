"""The PDF builder: lays the print HTML out once with WeasyPrint.

WeasyPrint may only read files inside the book folder and the template
folders; every other URL (other files, http, attachments) is refused with a
warning, never fetched.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import ClassVar
from urllib.request import url2pathname

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetchingError

from bindery.builders.base import Artifact, Builder, BuildOutput
from bindery.diagnostics import Diagnostic
from bindery.render import render_print
from bindery.templating import Kind


class BookURLFetcher(URLFetcher):
    """Fetches `file:` and `data:` URLs inside the allowed folders only."""

    def __init__(self, allowed: list[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"))
        self.allowed = [p.resolve() for p in allowed]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        if url.startswith("file:"):
            path = Path(url2pathname(url.split("?")[0].split("#")[0].removeprefix("file:"))).resolve()
            if not any(path == root or root in path.parents for root in self.allowed):
                self.refused.append(url)
                raise URLFetchingError(f"refused to read {url}: outside the book folder")
        elif not url.startswith("data:"):
            self.refused.append(url)
            raise URLFetchingError(f"refused to fetch {url}: only files inside the book folder are used")
        return super().fetch(url, headers)


class PdfBuilder(Builder):
    name: ClassVar[str] = "pdf"
    format: ClassVar[str] = "PDF"
    template_kind: ClassVar[Kind] = "print"

    def output_path(self) -> Path:
        return self.output_dir / f"{self.book.slug}.pdf"

    def build(self) -> BuildOutput:
        rendering = render_print(self.book, self.xrefs, self.templates)
        fetcher = BookURLFetcher([Path(self.book.root), *self.templates.dirs])
        base_url = rendering.base_dir.resolve().as_uri() + "/"
        html = weasyprint.HTML(string=rendering.html, base_url=base_url, url_fetcher=fetcher)
        fonts = FontConfiguration()
        css = weasyprint.CSS(string=rendering.css, base_url=base_url, url_fetcher=fetcher, font_config=fonts)
        document = html.render(stylesheets=[css], font_config=fonts)
        buffer = io.BytesIO()
        document.write_pdf(buffer)
        diagnostics = [
            Diagnostic(f"refused to fetch {url}", severity="warning", hint="keep images and styles inside the book folder", code="pdf-url-refused")
            for url in sorted(set(fetcher.refused))
        ]
        return BuildOutput([Artifact(self.output_path(), buffer.getvalue(), pages=len(document.pages))], diagnostics)
