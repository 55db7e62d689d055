#!/usr/bin/env python3
"""Build the graph and its outputs: the same code and options as ``reformkg build``."""

import sys

from reformkg.cli import main

if __name__ == "__main__":
    main(["build", *sys.argv[1:]], prog_name="build_graph.py")
