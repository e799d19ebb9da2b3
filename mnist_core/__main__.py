"""`python -m mnist_core`: see mnist_core/cli.py."""

import sys

from .cli import main

sys.exit(main())
