"""The back-of-book index: marking terms (`markup`, `terms`), building and
sorting the entries (`entries`, `collation`) and grouping page numbers (`pages`)."""
