"""One module per group of CLI commands; each is imported only when one of its commands runs."""
