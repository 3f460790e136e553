"""`python -m mockllm` runs the command line."""

import sys

from mockllm.cli import main

sys.exit(main())
