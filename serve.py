"""Serve the shipped scenarios: `python serve.py --help` lists the flags."""

import sys

from mockllm.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
