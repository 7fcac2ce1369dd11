"""``brief serve``: the preview server.

It keeps a build of the site in memory and rebuilds what each saved file touches,
through the same stages and caches as ``brief build`` (:mod:`brief.pipeline`):

* :mod:`.session` holds the build's state between builds and turns a build's
  result into what the browser needs to hear (pages changed, problems);
* :mod:`.server` serves the preview's output folder over HTTP and pushes those
  events to the open pages (server-sent events, read by ``live.js``);
* :mod:`.watch` watches the content, templates and static files;
* :mod:`.command` runs the three together until Ctrl-C.
"""

from .command import run_serve

__all__ = ["run_serve"]
