"""Stage 6: the builders that turn a rendered book into output files."""
