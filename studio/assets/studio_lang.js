/* The page's language on <html> (RGAA 8.3): the shell renders it on its frame; screen readers
   and axe read it on the document element, so copy it there whenever the frame changes. */
(function () {
  "use strict";
  function sync() {
    var frame = document.querySelector("#react-entry-point [lang]");
    var code = frame ? frame.getAttribute("lang") : null;
    if (code && document.documentElement.lang !== code) {
      document.documentElement.lang = code;
    }
  }
  document.documentElement.lang = document.documentElement.lang || "fr";
  new MutationObserver(sync).observe(document.documentElement, {subtree: true, childList: true});
})();
