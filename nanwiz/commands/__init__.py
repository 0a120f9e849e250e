"""One module per command; each returns its exit code."""
