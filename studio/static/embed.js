/* Studio embeds: include this script on a page with Studio iframes; each iframe whose
   address is on this Studio server takes the height its content reports.

   <iframe src="https://studio.example.fr/embed/dashboards/12" data-studio-embed
           style="width:100%;border:0" title="…"></iframe>
   <script src="https://studio.example.fr/embed.js" async></script>  */
(function () {
  "use strict";
  var script = document.currentScript;
  var studio = script ? new URL(script.src, window.location.href).origin : null;
  if (!studio || window.__studioEmbedListening) { return; }
  window.__studioEmbedListening = true;
  window.addEventListener("message", function (event) {
    if (event.origin !== studio) { return; }
    var data = event.data;
    if (!data || data.type !== "studio:embed-height") { return; }
    var height = Number(data.height);
    if (!isFinite(height) || height <= 0 || height > 100000) { return; }
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frames[i].style.height = Math.ceil(height) + "px";
      }
    }
  });
})();
