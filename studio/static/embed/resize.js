/* Studio embed page: apply the theme from the address, and tell the host page our height
   (it listens with /embed.js). Only the height is sent; any host may read it. */
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  if (params.get("theme") === "dark") {
    document.documentElement.setAttribute("data-bs-theme", "dark");
  }
  if (window.parent === window) { return; }
  var last = 0;
  function post() {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height > 0 && height !== last) {
      last = height;
      window.parent.postMessage({ type: "studio:embed-height", height: height }, "*");
    }
  }
  function start() {
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(post).observe(document.body);
    } else {
      window.setInterval(post, 500);
    }
    post();
  }
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
