/* The search page: starts Pagefind's search interface (published with the site's search
   index, in pagefind/) and tidies each result.

   Without JavaScript, opened from a file, or with no index published, the page keeps its
   message saying so. Results show the article's authors, issue and date; an excerpt never
   shows the hidden part of the index (the other script's forms of Chinese terms, marked
   with U+2042, see brief/search.py): when a result matched only there, the excerpt shows
   where the matched term stands in the article's own text. */
(function () {
  "use strict";

  var HIDDEN = "\u2042";
  var HAN = /\p{Script=Han}/u;
  var META = ["authors", "issue", "date"];
  var root = document.getElementById("search");
  var fallback = document.getElementById("search-fallback");
  if (!root || !fallback || window.location.protocol === "file:") {
    return;
  }
  var terms = [];

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  function chars(text) {
    return Array.from(text);
  }

  /* Where in the article's own text a query term stands, as [start, end] in characters,
     or null. A Chinese term may be written there in the other script: each group of the
     hidden part is "⁂⁂run ⁂form ..." with the run's other forms as long as the run. */
  function locate(own, hidden, term) {
    var lower = own.toLowerCase();
    if (!HAN.test(term)) {
      var at = lower.search(new RegExp("(^|[^\\p{L}\\p{N}])" + term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "u"));
      if (at < 0) {
        return null;
      }
      if (lower.charAt(at) !== term.charAt(0)) {
        at += 1;
      }
      return [at, at + term.length];
    }
    var direct = own.indexOf(term);
    if (direct >= 0) {
      return [direct, direct + term.length];
    }
    var groups = hidden.split(HIDDEN + HIDDEN);
    for (var g = 1; g < groups.length; g++) {
      var words = groups[g].trim().split(/\s+/);
      var run = chars(words[0]);
      for (var w = 1; w < words.length; w++) {
        var form = chars(words[w].replace(HIDDEN, ""));
        if (form.length !== run.length) {
          continue;
        }
        var offset = form.join("").indexOf(term);
        if (offset < 0) {
          continue;
        }
        var start = chars(form.join("").slice(0, offset)).length;
        var piece = run.slice(start, start + chars(term).length).join("");
        var found = own.indexOf(words[0]);
        if (found >= 0) {
          var inner = chars(words[0]).slice(0, start).join("").length;
          return [found + inner, found + inner + piece.length];
        }
      }
    }
    return null;
  }

  /* An excerpt of the article's own text around the first term found, with every term marked. */
  function excerpt(own, hidden) {
    var spans = [];
    terms.forEach(function (term) {
      var span = locate(own, hidden, term.toLowerCase());
      if (span) {
        spans.push(span);
      }
    });
    if (!spans.length) {
      return escapeHtml(own.slice(0, 200)) + (own.length > 200 ? " …" : "");
    }
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var from = Math.max(0, spans[0][0] - 90);
    var to = Math.min(own.length, spans[0][1] + 110);
    if (from > 0) {
      var space = own.indexOf(" ", from);
      from = space >= 0 && space < spans[0][0] ? space + 1 : from;
    }
    var out = from > 0 ? "… " : "";
    var at = from;
    spans.forEach(function (span) {
      if (span[0] < at || span[1] > to) {
        return;
      }
      out += escapeHtml(own.slice(at, span[0])) + "<mark>" + escapeHtml(own.slice(span[0], span[1])) + "</mark>";
      at = span[1];
    });
    return out + escapeHtml(own.slice(at, to)) + (to < own.length ? " …" : "");
  }

  function tidy(result) {
    var meta = result.meta || {};
    var shown = { title: meta.title };
    META.forEach(function (key) {
      if (meta[key]) {
        shown[key] = meta[key];
      }
    });
    result.meta = shown;
    var text = result.excerpt || "";
    var mark = text.indexOf(HIDDEN);
    if (mark < 0) {
      return result;
    }
    var content = result.content || "";
    var cut = content.indexOf(HIDDEN);
    var own = cut < 0 ? content : content.slice(0, cut);
    var before = text.slice(0, mark).replace(/<mark>\s*$/, "");
    if (before.indexOf("<mark>") >= 0) {
      if ((before.match(/<mark>/g) || []).length > (before.match(/<\/mark>/g) || []).length) {
        before += "</mark>";
      }
      result.excerpt = before.replace(/\s+$/, "") + " …";
    } else {
      result.excerpt = excerpt(own, cut < 0 ? "" : content.slice(cut));
    }
    return result;
  }

  function missing() {
    document.getElementById("search-missing").hidden = false;
  }

  function start() {
    if (typeof window.PagefindUI !== "function") {
      missing();
      return;
    }
    var ui = new window.PagefindUI({
      element: "#search",
      bundlePath: new URL(root.getAttribute("data-bundle"), window.location.href).pathname,
      showImages: false,
      showSubResults: false,
      processTerm: function (term) {
        terms = term.split(/\s+/).filter(function (t) { return t.length > 0; });
        return term;
      },
      processResult: tidy
    });
    fallback.hidden = true;
    var input = root.querySelector("input[type=text], input[type=search], input:not([type])");
    if (input) {
      input.setAttribute("aria-labelledby", "search-heading");  // the page's heading names the field
    }
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) {
      // Load every filter before the first search: a search that answers while some filters are
      // still loading shows only the groups loaded by then, for as long as the page is open.
      // (The interface loads the same module, so the filters are loaded once.)
      var bundle = new URL(root.getAttribute("data-bundle"), window.location.href).href;
      import(bundle + "pagefind.js").then(function (pagefind) {
        return pagefind.filters();
      }).catch(function () {
        return null;  // the interface reports what it cannot load
      }).then(function () {
        ui.triggerSearch(query);
      });
    }
  }

  var script = document.createElement("script");
  script.src = root.getAttribute("data-bundle") + "pagefind-ui.js";
  script.onload = start;
  script.onerror = missing;
  document.head.appendChild(script);
})();
