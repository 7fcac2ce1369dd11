/* Note and source previews for Brief's article pages.

   Hovering or focusing a note reference (a[role="doc-noteref"]) shows the note's
   text beside it; hovering or focusing a link of a citation in the text shows
   that source's entry of the source list. Escape, moving the pointer away or
   moving focus away closes the preview. On a touch screen the first tap on a
   reference shows the preview and a second tap on it follows the link (to the
   note, or to the source); a tap anywhere else closes it.

   Screen readers do not hear the preview: it is aria-hidden, and what it shows
   is reached through the link itself (the note reference leads to the note).
   Links inside a preview can be clicked but are not in the Tab order.

   Without this script the links work as they always do: a note reference jumps
   to the note, a citation opens the source. No inline style is written (the
   page's Content-Security-Policy forbids it): the preview is placed through
   the CSSOM, and styled by the stylesheet's .preview rules. */
(function () {
  "use strict";

  var HOVER_DELAY = 150;
  var LEAVE_DELAY = 250;
  var MARGIN = 8;
  var MAX_WIDTH = 416;

  var article = document.querySelector(".article");
  if (!article || !document.body.classList) return;

  /* What each trigger previews: its label and the element whose content is shown. */
  var targets = new Map();

  article.querySelectorAll('a[role="doc-noteref"]').forEach(function (link) {
    var id = decodeURIComponent((link.getAttribute("href") || "").slice(1));
    var note = id && document.getElementById(id);
    if (note) targets.set(link, { label: "Note " + link.textContent.trim(), source: note, kind: "note" });
  });

  var entries = new Map();
  document.querySelectorAll('[role="doc-bibliography"] li').forEach(function (entry) {
    var link = entry.querySelector("a.source-url");
    if (link && entry.querySelector(".outlet")) entries.set(link.getAttribute("href"), entry);
  });
  if (entries.size) {
    article.querySelectorAll(".article-body a[href], .notes li a[href]").forEach(function (link) {
      var entry = entries.get(link.getAttribute("href"));
      if (entry && !link.closest('[role="doc-bibliography"]')) {
        targets.set(link, { label: "Source", source: entry, kind: "source" });
      }
    });
  }
  if (!targets.size) return;

  var box = document.createElement("div");
  box.className = "preview";
  box.setAttribute("aria-hidden", "true");
  box.hidden = true;
  document.body.appendChild(box);

  var current = null; /* the trigger whose preview shows */
  var showTimer = 0;
  var hideTimer = 0;
  var touched = null; /* set by a touch on a trigger: {link, wasOpen} */
  var overBox = false; /* whether the pointer is over the preview */

  function fill(target) {
    box.textContent = "";
    var label = document.createElement("p");
    label.className = "preview-label";
    label.textContent = target.label;
    box.appendChild(label);
    var body = document.createElement("div");
    body.className = "preview-body preview-" + target.kind;
    target.source.childNodes.forEach(function (node) {
      body.appendChild(node.cloneNode(true));
    });
    body.querySelectorAll('[role="doc-backlink"], .source-address').forEach(function (el) {
      el.remove();
    });
    body.querySelectorAll("[id]").forEach(function (el) {
      el.removeAttribute("id");
    });
    body.querySelectorAll("a, button, [tabindex]").forEach(function (el) {
      el.setAttribute("tabindex", "-1");
    });
    box.appendChild(body);
  }

  function place(link) {
    var rect = link.getBoundingClientRect();
    var view = document.documentElement.clientWidth;
    box.style.setProperty("max-width", Math.min(MAX_WIDTH, view - 2 * MARGIN) + "px");
    var width = box.offsetWidth;
    var left = rect.left + rect.width / 2 - width / 2;
    left = Math.max(MARGIN, Math.min(left, view - width - MARGIN));
    var below = window.innerHeight - rect.bottom;
    var height = box.offsetHeight;
    var top = below >= height + MARGIN || below >= rect.top ? rect.bottom + 6 : rect.top - height - 6;
    box.style.setProperty("left", left + window.scrollX + "px");
    box.style.setProperty("top", Math.max(MARGIN, top + window.scrollY) + "px");
  }

  function show(link) {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    if (current === link && !box.hidden) return;
    current = link;
    fill(targets.get(link));
    box.hidden = false;
    place(link);
  }

  function hide() {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    box.hidden = true;
    current = null;
  }

  function hideSoon() {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, LEAVE_DELAY);
  }

  targets.forEach(function (target, link) {
    link.addEventListener("pointerenter", function (event) {
      if (event.pointerType !== "mouse") return;
      clearTimeout(hideTimer);
      clearTimeout(showTimer);
      showTimer = setTimeout(function () { show(link); }, HOVER_DELAY);
    });
    link.addEventListener("pointerleave", function (event) {
      if (event.pointerType === "mouse") hideSoon();
    });
    link.addEventListener("focus", function () {
      if (!touched) show(link);
    });
    link.addEventListener("blur", function (event) {
      /* Focus moving on closes it at once, unless the pointer is in it (to select or click). */
      if (current === link && !overBox && !box.contains(event.relatedTarget)) hide();
    });
    link.addEventListener("pointerdown", function (event) {
      touched = event.pointerType === "mouse" ? null : { link: link, wasOpen: current === link && !box.hidden };
    });
    link.addEventListener("pointercancel", function () {
      touched = null; /* the touch became a scroll */
    });
    link.addEventListener("click", function (event) {
      var tap = touched && touched.link === link ? touched : null;
      touched = null;
      if (!tap) return;
      if (tap.wasOpen) {
        hide(); /* the second tap follows the link */
        return;
      }
      event.preventDefault();
      show(link);
    });
  });

  box.addEventListener("pointerenter", function () {
    overBox = true;
    clearTimeout(hideTimer);
  });
  box.addEventListener("pointerleave", function (event) {
    overBox = false;
    if (event.pointerType === "mouse") hideSoon();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !box.hidden) hide();
  });
  document.addEventListener("pointerdown", function (event) {
    if (box.hidden || box.contains(event.target)) return;
    if (!targets.has(event.target.closest && event.target.closest("a"))) hide();
  });
  window.addEventListener("resize", function () {
    if (current && !box.hidden) place(current);
  });
})();
