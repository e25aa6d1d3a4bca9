"""`python -m tender.cli` runs the `tender` command."""

from tender.cli.entry import main

main()
