"""The postbridge command line (typer)."""
