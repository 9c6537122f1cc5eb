"""Every diagnostic code Bindery prints, with its severity, meaning and fix (rules: `diagnostic_codes`).

`docs/DIAGNOSTICS.md` is this table written out (`python3 -m bindery.diagnostic_codes`);
`tests/test_diagnostic_codes.py` checks every printed code is listed and every listed code printed.
Severity "check" names a rule of `bindery check`. Warnings and checks can be ignored by code
(`--ignore CODE`, `ignore_warnings:` in book.yaml); errors cannot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["error", "warning", "check"]


@dataclass(frozen=True)
class Code:
    code: str
    severity: Kind
    meaning: str
    fix: str


E: Kind = "error"
W: Kind = "warning"
C: Kind = "check"

CODES: dict[str, Code] = {
    c.code: c
    for c in (
        # -- book.yaml (bindery.manifest, bindery.yamlsource) ------------------
        Code(
            "manifest-missing",
            E,
            "no book.yaml at the path given, or no such file or folder",
            "run Bindery in the book folder or give its path",
        ),
        Code(
            "manifest-type",
            E,
            "a key has the wrong kind of value (text, list, mapping, true/false)",
            "write the value as the message's example shows",
        ),
        Code("manifest-unknown-key", E, "a key book.yaml does not know (often a typo)", "use the suggested key, or see docs/FORMATS.md"),
        Code("manifest-title-missing", E, "the book has no title", "add a line such as 'title: My Book'"),
        Code(
            "manifest-key-missing",
            E,
            "a required key is missing (an author's name, a part's title, a matter entry's file)",
            "add the key named in the message",
        ),
        Code("manifest-choice", E, "a value is not one of the allowed choices", "use one of the choices the message lists"),
        Code("manifest-language", E, "language is not a BCP 47 tag", "use a tag such as en, en-GB, fr"),
        Code("manifest-author-role", E, "an author's role is unknown", "use one of the roles the message lists"),
        Code("manifest-bad-date", E, "date is not a date", "write it as YYYY, YYYY-MM or YYYY-MM-DD"),
        Code("manifest-isbn", E, "the ISBN's check digit is wrong", "copy the ISBN again from your agency"),
        Code(
            "manifest-identifier",
            E,
            "identifier is neither an ISBN-13, a UUID nor a plain identifier",
            "fix it, or leave it out to derive a UUID",
        ),
        Code("manifest-series-position", E, "series.position is not a whole number from 1", "e.g. position: 2"),
        Code(
            "manifest-cover",
            E,
            "the cover image cannot be used (not an image, named as another type, hidden, unreadable)",
            "use a JPEG or PNG file in a visible folder such as images/",
        ),
        Code(
            "manifest-outside",
            E,
            "a file named in book.yaml is outside the book folder",
            "keep every file inside the book folder and use a relative path",
        ),
        Code(
            "manifest-missing-file",
            E,
            "a file named in book.yaml does not exist, or is a folder",
            "check the path; the message suggests files that exist",
        ),
        Code("manifest-duplicate", E, "an article is listed twice", "list each article once"),
        Code("manifest-matter-type", E, "a front or back matter entry has an unknown type", "use one of the types the message lists"),
        Code("manifest-structure", E, "parts and top-level chapters together, or an empty parts list", "use either parts: or chapters:"),
        Code("manifest-empty", E, "the book, a part or a grouped chapter has no articles", "list article files under it, or remove it"),
        Code("manifest-length", E, "a margin or size is not a length", "write a number with a unit: 0.75in, 18mm, 54pt"),
        Code(
            "manifest-trim",
            E,
            "pdf.trim is not a trim size, is outside what printers make, or is wider than tall",
            "use a named size such as 6x9, or WIDTH x HEIGHT",
        ),
        Code(
            "manifest-margin",
            E,
            "a margin is too small or too large for the page, or too narrow for bleed",
            "use a margin in the range the message gives",
        ),
        Code("manifest-font-size", E, "pdf.font_size is not a body text size", "use between 7pt and 16pt"),
        Code("manifest-epub-filename", E, "epub.filename is not a plain .epub file name", "e.g. filename: my-book.epub"),
        Code(
            "manifest-ignore-code",
            E,
            "ignore_warnings names an unknown code or an error",
            "name warning codes from docs/DIAGNOSTICS.md; errors cannot be ignored",
        ),
        Code("yaml-syntax", E, "the YAML cannot be parsed", "check indentation, colons and quotes on this line or the one before"),
        Code("yaml-duplicate-key", E, "a key is given twice in one mapping", "remove one of them"),
        Code("yaml-value", E, "a value YAML cannot read (e.g. an impossible date)", "write dates as YYYY-MM-DD, or quote the text"),
        Code("env-source-date-epoch", E, "SOURCE_DATE_EPOCH is not a Unix timestamp", "set it to whole seconds since 1970"),
        Code("manifest-too-long", E, "a text value of book.yaml is longer than Bindery allows (the limit is in the message)", "shorten it"),
        Code("manifest-pdf-filename", E, "pdf.filename is not a plain .pdf file name", "e.g. filename: my-book.pdf"),
        Code(
            "yaml-control-char",
            E,
            "the YAML holds a control character that an EPUB cannot hold",
            "delete the character (often pasted from another program)",
        ),
        Code(
            "yaml-too-large",
            E,
            "aliases (*name) expand the YAML beyond what Bindery reads",
            "write the values out instead of aliases of aliases",
        ),
        Code(
            "yaml-alias-loop",
            E,
            "an alias refers to the list or mapping that contains it",
            "an alias may only repeat a value defined before it and outside it",
        ),
        # -- articles (bindery.sources, bindery.content, bindery.model) --------
        Code(
            "source-too-large",
            E,
            "an article or export is larger than Bindery reads (the limit is in the message)",
            "split it into several articles",
        ),
        Code("source-too-deep", E, "lists and block quotes nested more deeply than Bindery allows", "flatten the deepest lists or quotes"),
        Code("source-length", E, "a front-matter text value is longer than Bindery allows", "shorten it"),
        Code("source-io", E, "an article cannot be read", "check the file's permissions"),
        Code("source-binary", E, "an article is a binary file", "articles must be Markdown or plain-text files"),
        Code("source-encoding", E, "an article is not UTF-8 text", "re-save the file as UTF-8"),
        Code("source-empty", E, "an article file is empty", "write the article, or remove it from book.yaml"),
        Code(
            "source-front-matter",
            E,
            "the front matter is missing, unclosed, not key: value lines, or has no title",
            "start the file with ---, key: value lines, and --- ; give a title",
        ),
        Code("source-type", E, "a front matter key has the wrong kind of value", "write the value as the message's example shows"),
        Code("source-bad-date", E, "a front matter date is not a date", "write dates as YYYY-MM-DD"),
        Code(
            "source-related",
            E,
            "a related: entry is malformed (not a list, no summary, unknown key)",
            "each entry is '- summary: ...' with optional date, category, ref",
        ),
        Code("source-unknown-key", W, "an unknown front matter key, ignored", "use the suggested key, or remove it"),
        Code("source-empty-body", W, "an article has front matter but no body text", "write the article below the front matter"),
        Code("import-not-article", E, "a .txt file is not an article export", "check the file, or convert it to Markdown"),
        Code("content-html", E, "an article's raw HTML is not well-formed", "close every raw HTML tag, or use Markdown"),
        Code("html-removed", W, "raw HTML that runs scripts or loads styles or frames was removed", "use Markdown"),
        Code("html-event-handler", W, "an event-handler attribute (onclick...) was removed", "articles may not run scripts"),
        Code("html-script-url", W, "a javascript: (or similar) URL was removed", "articles may not run scripts"),
        Code(
            "html-style",
            W,
            "a style declaration outside the allow-list (a property, a function, url(), an escape) was removed",
            "style the book in templates/, not in articles",
        ),
        Code(
            "html-markup",
            W,
            "a processing instruction, CDATA section or DOCTYPE/ENTITY declaration in raw HTML was removed",
            "articles hold HTML text, not XML markup",
        ),
        Code(
            "html-element",
            W,
            "a raw HTML element outside the allow-list was removed (its content kept)",
            "use Markdown or the elements listed in docs/FORMATS.md",
        ),
        Code(
            "html-attribute",
            W,
            "an attribute outside the allow-list (ping, srcset, ...) was removed",
            "keep to the attributes listed in docs/FORMATS.md",
        ),
        Code("html-rel", W, "a link relation that could attach or fetch a file (rel=attachment) was removed", "links may not attach files"),
        Code("html-duplicate-id", W, "an id is used twice in one article; the second was removed", "give each element its own id"),
        Code(
            "svg-reference",
            W,
            "an SVG reference outside the drawing (href, url()) was removed",
            "keep SVG references inside the drawing (#id)",
        ),
        Code(
            "content-control-character",
            W,
            "a control character that XML forbids was removed from the article",
            "delete the stray character (often pasted from another program)",
        ),
        Code("content-html-depth", E, "raw HTML nested more deeply than a page can show (over 100 elements)", "flatten the nesting"),
        Code("content-open-brackets", E, "thousands of '[' in a paragraph that never close", "write a text bracket as \\["),
        Code("content-long-word", W, "a word too long to break on a printed line", "break it, or put it in a code block"),
        Code("content-wide-table", W, "a table with more columns than a printed page shows", "split the table or turn it"),
        Code("footnote-unused", W, "a footnote is defined but never cited", "cite it with [^name] or remove it"),
        Code("footnote-duplicate", W, "a footnote is defined twice; only the last is used", "give each footnote its own name"),
        Code(
            "link-not-in-book",
            W,
            "a link to a file that is not an article of the book was removed",
            "link to an article listed in book.yaml, or to a web address",
        ),
        Code("link-dangling", W, "a link to a heading or id that does not exist", "check the heading's anchor"),
        Code(
            "image-hidden", E, "an image in a hidden file or folder (.git, a dotfile)", "move the image to a visible folder such as images/"
        ),
        Code(
            "image-svg-cleaned",
            W,
            "an SVG image file held scripts, styles or outside references, which were removed",
            "export the drawing again without them",
        ),
        Code(
            "url-outside",
            W,
            "a link or source pointing outside the book (file:, ../) was removed",
            "link to the web, or to files inside the book folder",
        ),
        Code(
            "image-refused",
            W,
            "an image without a usable source was left out",
            "copy the image into the book folder and use a relative path",
        ),
        Code("image-missing", E, "an image file does not exist", "check the path; it is relative to the article"),
        Code("image-outside", E, "an image links to a file outside the book folder", "copy the image into the book folder"),
        Code("image-invalid", E, "an image file is not a readable image", "re-export it as JPEG, PNG, GIF or SVG"),
        Code(
            "image-no-alt",
            W,
            "an image has no alt text (the EPUB then claims no WCAG conformance)",
            "describe it: ![What the image shows](path)",
        ),
        Code("model-duplicate-id", E, "two articles ask for the same id", "give each article its own id"),
        # -- cross-references and index -----------------------------------------
        Code(
            "xref-unknown-ref", W, "a related entry's ref: names no article of the book", "use an article id or a file listed in book.yaml"
        ),
        Code("xref-ambiguous", W, "a related entry's summary matches several articles", "add 'ref: FILE' to the entry to choose one"),
        Code("xref-self", W, "a related entry points at its own article", "remove it or point it at another article"),
        Code("index-yaml", E, "index.yaml is not valid", "fix the key the message names"),
        Code("index-mark", W, "an index mark in an article is malformed", 'use []{.index term="..."}'),
        Code(
            "index-see-missing",
            W,
            "a see/see also reference names no index entry",
            "mark that term, add it to index.yaml, or fix the spelling",
        ),
        Code("index-unused", W, "an index.yaml term is found nowhere in the book", "check its spelling, or remove it"),
        Code("index-many-locators", W, "an index entry has too many pages to be useful", "split it into sub-entries"),
        # -- templates and outputs ----------------------------------------------
        Code(
            "pdf-weasyprint",
            W,
            "WeasyPrint reported a problem while laying out the print edition",
            "check the PDF where the message points",
        ),
        Code("template-missing", E, "a template or asset does not exist", "check the name; the message lists the template folders"),
        Code("template-encoding", E, "a template is not UTF-8 text", "save it as UTF-8"),
        Code("template-syntax", E, "a template has a Jinja syntax error", "fix it, or delete your override"),
        Code("template-undefined", E, "a template uses an unknown variable", "use the variables docs/FORMATS.md lists"),
        Code("template-unsafe", E, "a template did something the sandbox forbids", "templates may only show the book's data"),
        Code("template-outside", E, "a template reads a file outside the template folders", "copy the file into templates/"),
        Code("template-error", E, "a template failed while rendering", "fix the template line the message names"),
        Code("cover-template", E, "the generated ebook cover cannot be drawn", "check the cover template, or set cover: in book.yaml"),
        Code(
            "pdf-chunks-unsettled",
            W,
            "the print edition, laid out chunk by chunk, did not settle: a page number may be off",
            "build again; if it stays, lay the book out as one document (--jobs 1)",
        ),
        Code("pdf-image-resolution", W, "an image prints below 300 DPI", "use a larger image, or print it smaller"),
        Code("pdf-url-refused", W, "the PDF renderer was refused a file outside the book", "keep images and styles inside the book folder"),
        Code(
            "pdf-page-count",
            W,
            "the print PDF has fewer or more pages than printers take (also a bindery check rule)",
            "add or split content, or use the digital profile",
        ),
        Code("output-dir", E, "the output folder cannot be used", "fix its permissions or choose another with --output"),
        Code("output-write", E, "an output file cannot be written", "check the disk and the folder's permissions"),
        Code(
            "cache-unwritable",
            W,
            "the build cache (output/.bindery-cache, or its key file in the user's cache folder) cannot be written; the build went on without it",
            "delete the folder or make it writable, or build with --no-cache",
        ),
        Code(
            "strict",
            E,
            "--strict is on and the build has warnings; nothing was written",
            "fix or ignore the warnings, or build without --strict",
        ),
        Code(
            "ignore-code",
            E,
            "--ignore names an unknown code or an error",
            "name warning codes from docs/DIAGNOSTICS.md; errors cannot be ignored",
        ),
        # -- --jobs, --scheduler and catalogs (bindery.executors, bindery.catalog) --
        Code("jobs", E, "--jobs is below 1", "give 1 (this process) or more (a process pool)"),
        Code("scheduler-address", E, "--scheduler is not a tcp://HOST:PORT address", "give the Dask scheduler's address"),
        Code(
            "scheduler-unreachable",
            E,
            "the Dask scheduler did not answer within the connect timeout",
            "start the scheduler, check host and port, or build without --scheduler",
        ),
        Code("scheduler-no-workers", E, "the Dask scheduler has no workers to run the jobs", "start a worker: dask worker ADDRESS"),
        Code("dask-missing", E, "--scheduler needs Dask, which is not installed", "pip install 'bindery-books[dask]'"),
        Code(
            "catalog-output", E, "two books of a catalog would share an output folder", "give each book once, in folders of different names"
        ),
        Code("catalog-worker", E, "the worker building a book of a catalog failed", "build that book alone with --jobs 1 to see why"),
        Code("catalog-failed", E, "some books of a catalog failed; the others were built", "fix the errors listed for each failed book"),
        # -- bindery import, new, serve -----------------------------------------
        Code(
            "new-title",
            E,
            "the title given to bindery new cannot be a book title (a control character, too long)",
            "give a title of plain text",
        ),
        Code(
            "import-add",
            E,
            "bindery import --add cannot add the articles to book.yaml (a book with parts:, no book.yaml)",
            "paste the printed lines into book.yaml yourself",
        ),
        Code("import-io", E, "an export cannot be read, or an article cannot be written", "check the file name and permissions"),
        Code("import-name-clash", E, "two exports would be written to one file", "import them into different folders, or change a title"),
        Code("import-edited", E, "the article differs from a fresh import (edited since?)", "use --force to overwrite it"),
        Code("new-not-empty", E, "bindery new: the folder is not empty", "give a new folder name"),
        Code("new-not-folder", E, "bindery new: the path is a file", "give the path of a new or empty folder"),
        Code("new-write", E, "bindery new: the scaffold cannot be written", "check that the folder is writable"),
        Code("serve-port", E, "the preview cannot listen on the port", "try --port 0 to pick a free one"),
        Code(
            "serve-timeout",
            E,
            "a preview rebuild took longer than --build-timeout and was stopped",
            "find what takes so long, or raise --build-timeout",
        ),
        Code("serve-crash", E, "the preview's build process died", "run bindery build --debug and report the output"),
        Code("internal", E, "a bug in Bindery", "run again with --debug and report the output"),
        # -- bindery check rules ------------------------------------------------
        Code(
            "cover-annotations",
            C,
            "the print cover spread has bookmarks, links or annotations",
            "printers take no interactive elements; rebuild with Bindery's cover",
        ),
        Code("epubcheck", C, "EPUBCheck on the EPUB (warns on EPUBCheck warnings)", "fix what EPUBCheck reports"),
        Code("ace", C, "DAISY Ace accessibility check on the EPUB", "fix the violations Ace lists"),
        Code("pdf-readable", C, "the PDF can be opened", "build again"),
        Code("pdf-boxes", C, "every page's TrimBox (and BleedBox) matches book.yaml", "build again with the current book.yaml"),
        Code("pdf-fonts", C, "every font is embedded", "use fonts that may be embedded"),
        Code("cover-fonts", C, "every font of the cover spread is embedded", "use fonts that may be embedded"),
        Code("pdf-gutter", C, "the inside margin suits the page count", "set pdf.margins.inside, or leave it to Bindery"),
        Code("pdf-images", C, "every image prints at 300 DPI or more (warns)", "use larger images"),
        Code("pdf-annotations", C, "the print PDF has no links, bookmarks or form fields", "build with the print profile"),
        Code("pdf-blank-pages", C, "no long runs of blank pages", "remove empty articles or parts"),
        Code("cover-size", C, "the cover spread's size matches trim, spine and bleed", "build the cover again after the interior"),
        Code("cover-barcode-area", C, "the back cover keeps the barcode area clear", "move text out of the barcode area"),
        Code("index", C, "the back-of-book index has no warnings (warns)", "see the index-* warnings it lists"),
        Code("typography", C, "the PDF's text can be read for the typographic rules", "build again"),
        Code(
            "typography-short-page", C, "pages that end short while the chapter continues (warns)", "keep tables and code blocks breakable"
        ),
        Code(
            "typography-stranded-heading",
            C,
            "a heading or lead-in at the foot of a page (warns)",
            "keep it with what follows (break-after: avoid)",
        ),
        Code("typography-hyphen-page-turn", C, "a word hyphenated across a page turn (warns)", "avoid hyphenating a page's last line"),
        Code("typography-widow-orphan", C, "widows and orphans (warns)", "keep at least two lines of a paragraph together"),
        Code("typography-overfull", C, "text outside the text block (warns)", "let long words, code and table cells wrap"),
        Code("typography-display-hyphen", C, "hyphens in headings, contents and running heads (warns)", "set hyphens: none on them"),
        Code("typography-running-head", C, "running heads over one line (warns)", "shorten the running head"),
        Code("typography-toc-number", C, "contents page numbers alone on a line (warns)", "keep the number on the entry's last line"),
        Code("typography-blank-pages", C, "runs of blank pages (warns)", "remove empty articles or parts"),
        Code(
            "typography-text-layer",
            C,
            "words the PDF's text layer does not reproduce (warns)",
            "fix the font's ToUnicode map (often ligatures)",
        ),
    )
}
