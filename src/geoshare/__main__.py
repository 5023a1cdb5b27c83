"""`python -m geoshare ...` runs the same command line as `geoshare ...`."""

from geoshare.cli.main import cli

cli()
