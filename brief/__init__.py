"""Brief: a static site generator for research-brief publications."""

__version__ = "0.1.0"
