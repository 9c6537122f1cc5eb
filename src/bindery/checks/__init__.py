"""`bindery check`: reading what `bindery build` wrote back, as its readers would.

`run.py` decides which checks run on which outputs (building them first when
missing); `epubcheck.py` and `ace.py` run the outside validators on the EPUB;
`pdf_interior.py` preflights the PDF as a printer would; `cover.py` the print
cover spread. Every check returns a `results.Check`. The typographic preflight
(`bindery.typography`) and the index rule (`bindery.indexing.check`) are
called from `run.py` too.
"""
