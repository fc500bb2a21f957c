"""Entry point for ``python -m qmstrack``."""

from qmstrack.cli.app import main

if __name__ == "__main__":
    main()
