"""`python -m tender.cli` runs the `tender` command."""

from tender.cli.app import main

main()
