"""Browser tests: the built sample site in a real Chromium (see ``conftest.py``)."""
