"""``python -m playground`` starts the app."""

import sys

from playground.app import main

if __name__ == "__main__":
    sys.exit(main())
