"""Bindery: compile a set of articles into an EPUB 3 and a print-ready PDF."""

__version__ = "0.1.0"
