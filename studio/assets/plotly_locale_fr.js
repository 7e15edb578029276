/* plotly.js in French: the toolbar's tooltips, its messages and the dates of time axes
   (plotly's own locale files are not in the Python package; this one is served locally).
   plotly.js registers `window.PlotlyLocales` when it loads (dcc.Graph loads it lazily, after
   this file); the charts choose it with `config.locale` (components/chart.py). */
(function () {
  "use strict";
  var fr = {
    moduleType: "locale",
    name: "fr",
    dictionary: {
      "Autoscale": "Échelle automatique",
      "Box Select": "Sélection rectangulaire",
      "Compare data on hover": "Comparer les données au survol",
      "Double-click on legend to isolate one trace": "Double-cliquez sur la légende pour isoler une série",
      "Double-click to zoom back out": "Double-cliquez pour revenir au zoom initial",
      "Download plot as a PNG": "Télécharger le graphique en PNG",
      "Download plot as a png": "Télécharger le graphique en PNG",
      "Download plot": "Télécharger le graphique",
      "Download plot as JSON": "Télécharger le graphique en JSON",
      "Image download succeeded": "Image téléchargée",
      "Lasso Select": "Sélection au lasso",
      "Pan": "Déplacer",
      "Preparing image - this may take a few seconds": "Préparation de l'image, quelques secondes…",
      "Taking snapshot - this may take a few seconds": "Préparation de l'image, quelques secondes…",
      "Snapshot succeeded": "Image téléchargée",
      "Sorry, there was a problem downloading your image!": "Désolé, l'image n'a pas pu être téléchargée.",
      "Sorry, there was a problem downloading your snapshot!": "Désolé, l'image n'a pas pu être téléchargée.",
      "Reset": "Réinitialiser",
      "Reset axes": "Réinitialiser les axes",
      "Reset view": "Réinitialiser la vue",
      "Reset views": "Réinitialiser les vues",
      "Show closest data on hover": "Afficher la donnée la plus proche au survol",
      "Toggle Spike Lines": "Afficher ou masquer les repères",
      "Toggle show closest data on hover": "Afficher ou masquer la donnée au survol",
      "Zoom": "Zoom",
      "Zoom in": "Zoom avant",
      "Zoom out": "Zoom arrière",
      "trace": "série",
      "new text": "nouveau texte",
      "min:": "min. :",
      "max:": "max. :",
      "mean:": "moyenne :",
      "median:": "médiane :",
      "lat:": "lat. :",
      "lon:": "lon. :"
    },
    format: {
      days: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
      shortDays: ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
      months: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
               "septembre", "octobre", "novembre", "décembre"],
      shortMonths: ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
                    "sept.", "oct.", "nov.", "déc."],
      date: "%d/%m/%Y",
      decimal: ",",
      thousands: "\u202f",
      year: "%Y",
      month: "%b %Y",
      dayMonth: "%-d %b",
      dayMonthYear: "%-d %b %Y"
    }
  };
  if (window.Plotly && typeof window.Plotly.register === "function") {
    window.Plotly.register(fr);
  } else {
    window.PlotlyLocales = window.PlotlyLocales || [];
    window.PlotlyLocales.push(fr);
  }
})();
