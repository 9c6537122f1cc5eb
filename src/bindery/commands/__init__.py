"""One module per `bindery` verb; `bindery.cli` registers them."""
