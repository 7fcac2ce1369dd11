// Brief's preview: reload this page when a rebuild changed it, and show the problems of a
// build that failed over it. Served only by `brief serve`; published pages never load it.
(function () {
  "use strict";
  var here = decodeURIComponent(location.pathname).replace(/^\/+/, "");
  if (here === "" || here.charAt(here.length - 1) === "/") {
    here += "index.html";
  }
  var overlay = null;
  // The page the preview answers with before any build has succeeded.
  var notBuilt = document.title === "Not built yet" && !document.querySelector("link[rel=canonical]");

  function hide() {
    if (overlay !== null) {
      overlay.remove();
      overlay = null;
    }
  }

  function show(problems) {
    hide();
    overlay = document.createElement("div");
    overlay.setAttribute("role", "alert");
    overlay.id = "brief-preview-problems";
    var s = overlay.style;
    s.position = "fixed";
    s.left = "0";
    s.right = "0";
    s.bottom = "0";
    s.maxHeight = "60vh";
    s.overflow = "auto";
    s.zIndex = "2147483647";
    s.margin = "0";
    s.padding = "1em 1.5em";
    s.background = "#2b0a0a";
    s.color = "#ffe9e9";
    s.borderTop = "4px solid #e5484d";
    s.font = "14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
    s.boxShadow = "0 -6px 24px rgba(0, 0, 0, 0.4)";
    var title = document.createElement("p");
    title.textContent = "The last save could not be built; this page shows the last good build. " +
      "Fix the problem" + (problems.length === 1 ? "" : "s") + " below and save again:";
    title.style.margin = "0 0 0.6em";
    title.style.fontWeight = "bold";
    overlay.appendChild(title);
    var list = document.createElement("ul");
    list.style.margin = "0";
    list.style.paddingLeft = "1.2em";
    problems.forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      item.style.whiteSpace = "pre-wrap";
      list.appendChild(item);
    });
    overlay.appendChild(list);
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Hide";
    close.style.position = "absolute";
    close.style.top = "0.6em";
    close.style.right = "1em";
    close.addEventListener("click", hide);
    overlay.appendChild(close);
    document.body.appendChild(overlay);
  }

  var events = new EventSource("/__brief__/events?page=" + encodeURIComponent(here));
  events.addEventListener("changed", function (event) {
    var data = JSON.parse(event.data);
    if (data.all || notBuilt || data.paths.indexOf(here) !== -1 || data.paths.some(function (path) {
      return path.indexOf("static/") === 0;
    })) {
      location.reload();
    }
  });
  events.addEventListener("problems", function (event) {
    show(JSON.parse(event.data).problems);
  });
  events.addEventListener("ok", hide);
})();
