/* Scrollytelling: the step crossing the middle of the screen (or focused with the keyboard)
 * becomes the active step of its chapter; its number goes to the chapter's `story-step`
 * store, and the server redraws the sticky visual for that step. No library, no CDN. */
(function () {
  "use strict";
  var current = {};  // chapter id -> active step number
  var observer = null;

  function activate(el) {
    var chapter = el.getAttribute("data-chapter");
    var step = parseInt(el.getAttribute("data-step"), 10);
    if (!chapter || isNaN(step)) { return; }
    var siblings = document.querySelectorAll('.story-step[data-chapter="' + CSS.escape(chapter) + '"]');
    siblings.forEach(function (s) { s.classList.toggle("is-active", s === el); });
    if (current[chapter] === step) { return; }
    current[chapter] = step;
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props({type: "story-step", chapter: chapter}, {data: step});
    }
  }

  function onIntersect(entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) { activate(entry.target); }
    });
  }

  function watch() {
    if (!observer) {
      // A thin band across the middle of the viewport: the step crossing it is the one read.
      // In an iframe (an embed) the band must be the frame's own viewport: with the implicit
      // root it would be the host page's, and a cross-origin frame's margins are ignored.
      var options = {rootMargin: "-45% 0px -45% 0px"};
      if (window.self !== window.top) { options.root = document; }
      observer = new IntersectionObserver(onIntersect, options);
    }
    document.querySelectorAll(".story-step:not([data-observed])").forEach(function (el) {
      el.setAttribute("data-observed", "1");
      var chapter = el.getAttribute("data-chapter");
      if (current[chapter] === undefined) { current[chapter] = 0; }
      observer.observe(el);
      el.addEventListener("focus", function () { activate(el); });
    });
  }

  function start() {
    if (!("IntersectionObserver" in window)) { return; }
    watch();
    // Dash renders pages after load and on navigation: watch for new steps.
    new MutationObserver(function () {
      if (!document.querySelector(".story-step")) { current = {}; }
      watch();
    }).observe(document.body, {childList: true, subtree: true});
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
