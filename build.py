"""Build the site: the same as ``brief build`` (content/ → _site/). Extra arguments are passed on."""

import sys

from brief.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
