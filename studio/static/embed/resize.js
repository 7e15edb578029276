/* Studio embed page: apply the theme from the address, and tell the host page our height
   (it listens with /embed.js). Only the height is sent; any host may read it. */
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  document.documentElement.setAttribute("lang", params.get("lang") === "en" ? "en" : "fr");
  if (params.get("theme") === "dark") {
    document.documentElement.setAttribute("data-bs-theme", "dark");
  }
  if (window.parent === window) { return; }
  // A story scrolls inside its iframe (sticky visuals need a scrolling frame): the host page
  // gives it a fixed height, so it reports none.
  if (window.location.pathname.indexOf("/embed/stories/") !== -1) { return; }
  var last = 0;
  var pending = false;
  function height() {
    // The content's extent, overflow included; not the viewport (it would never shrink).
    var body = document.body;
    return Math.ceil(Math.max(body.scrollHeight, body.getBoundingClientRect().height));
  }
  function post() {
    pending = false;
    var value = height();
    if (value > 0 && value !== last) {
      last = value;
      window.parent.postMessage({ type: "studio:embed-height", height: value }, "*");
    }
  }
  function schedule() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(post);
    }
  }
  function start() {
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(schedule).observe(document.body);
    }
    // Tiles drawn inside fixed grid cells can grow without resizing the body.
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
    window.addEventListener("load", schedule);
    schedule();
  }
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
