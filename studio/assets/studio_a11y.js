/* Accessibility repairs of third-party widgets (RGAA 4.1), applied whenever the page changes:
   - Dash 4's dropdown puts an `aria-hidden` input in the tab order that hands the focus on to
     its (untabbable) button: the button becomes the tab stop and the hidden input leaves the
     tab order, so no focusable element is hidden from screen readers (RGAA 10.8);
   - its open list (a dialog and a listbox) is named like its button (each option still
     wraps a focusable radio or checkbox: axe's nested-interactive, left to upstream);
   - dcc.Upload's file input has no name: it takes its zone's visible text (RGAA 11.1);
   - dbc.Tabs renders every tab with the id and `aria-controls` of a pane "null" and none in
     the tab order: each tab gets its pane's ids, `aria-selected`, a roving tab stop and the
     arrow keys (WAI-ARIA tabs pattern; RGAA 7.1, 12.8);
   - dbc's close buttons (modals, alerts) are named "Close" in English: named in the page's
     language (RGAA 8.7);
   - a dropdown's button is named by its value only ("Tous"): the label just before the
     dropdown (whose `for` cannot name a pattern-matching id) joins its name (RGAA 11.1);
   - a responsive table's scrolling box (dbc.Table(responsive=True)) can be scrolled with the
     keyboard: it is a tab stop, a region named by the heading before it (RGAA 12.8). */
(function () {
  "use strict";

  function repairDropdowns(root) {
    root.querySelectorAll(".dash-dropdown-focus-target").forEach(function (target) {
      if (target.tabIndex !== -1) target.tabIndex = -1;
      var button = target.nextElementSibling;
      if (button && button.tagName === "BUTTON" && !button.disabled && button.tabIndex !== 0) {
        button.tabIndex = 0;
      }
    });
  }

  var labelCount = 0;
  function nameDropdownsByTheirLabel(root) {
    root.querySelectorAll(".dash-dropdown-wrapper").forEach(function (wrapper) {
      var label = wrapper.previousElementSibling;
      var button = wrapper.querySelector("button.dash-dropdown");
      if (!label || label.tagName !== "LABEL" || !button) return;
      if (!label.id) label.id = "studio-dropdown-label-" + (++labelCount);
      var names = (button.getAttribute("aria-labelledby") || "").split(" ");
      if (names[0] !== label.id) {
        button.setAttribute("aria-labelledby", [label.id].concat(names).join(" ").trim());
      }
    });
  }

  function nameOpenDropdowns(root) {
    root.querySelectorAll(".dash-dropdown-content[id]").forEach(function (content) {
      var button = document.querySelector('button[aria-controls="' + content.id + '"]');
      var names = button ? (button.getAttribute("aria-labelledby") || "").split(" ") : [];
      var label = names.length ? document.getElementById(names[0]) : null;
      if (label && label.tagName === "LABEL") {
        [content].concat(Array.prototype.slice.call(
          content.querySelectorAll(".dash-options-list"))).forEach(function (box) {
          if (box.getAttribute("aria-labelledby") !== label.id) {
            box.setAttribute("aria-labelledby", label.id);
          }
        });
      }
    });
  }

  function repairUploads(root) {
    root.querySelectorAll("input[type=file]:not([aria-label])").forEach(function (input) {
      var zone = input.parentElement;
      var text = zone ? zone.textContent.replace(/\s+/g, " ").trim() : "";
      if (text) input.setAttribute("aria-label", text);
    });
  }

  function repairTabs(root) {
    root.querySelectorAll("ul.nav-tabs[role=tablist]").forEach(function (list) {
      var content = list.nextElementSibling;
      if (!content || !content.classList.contains("tab-content")) return;
      var tabs = list.querySelectorAll("[role=tab]");
      var panes = content.querySelectorAll(":scope > [role=tabpanel]");
      tabs.forEach(function (tab, i) {
        var pane = panes[i];
        var active = tab.classList.contains("active");
        if (pane) {
          var tabId = pane.getAttribute("aria-labelledby");
          if (tabId && tab.id !== tabId) tab.id = tabId;
          if (tab.getAttribute("aria-controls") !== pane.id) tab.setAttribute("aria-controls", pane.id);
        }
        if (tab.getAttribute("aria-selected") !== String(active)) {
          tab.setAttribute("aria-selected", String(active));
        }
        var stop = active ? 0 : -1;
        if (tab.tabIndex !== stop) tab.tabIndex = stop;
        if (tab.parentElement && tab.parentElement.getAttribute("role") !== "presentation") {
          tab.parentElement.setAttribute("role", "presentation");
        }
      });
      if (!list.dataset.studioKeys) {
        list.dataset.studioKeys = "1";
        list.addEventListener("keydown", onTabKey);
      }
    });
  }

  function onTabKey(event) {
    var keys = {ArrowLeft: -1, ArrowRight: 1, Home: "first", End: "last"};
    if (!(event.key in keys) || !event.target.matches("[role=tab]")) return;
    var tabs = Array.prototype.slice.call(event.currentTarget.querySelectorAll("[role=tab]"));
    var at = tabs.indexOf(event.target);
    var step = keys[event.key];
    var next = step === "first" ? 0 : step === "last" ? tabs.length - 1
      : (at + step + tabs.length) % tabs.length;
    event.preventDefault();
    tabs[next].focus();
    tabs[next].click();
  }

  var CLOSE = {fr: "Fermer", en: "Close"};
  function repairCloseButtons(root) {
    var name = CLOSE[(document.documentElement.lang || "fr").slice(0, 2)] || CLOSE.fr;
    root.querySelectorAll(".btn-close").forEach(function (button) {
      if (button.getAttribute("aria-label") !== name) button.setAttribute("aria-label", name);
    });
  }

  function headingBefore(element) {
    for (var node = element; node && node !== document.body; node = node.parentElement) {
      for (var prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (/^H[1-6]$/.test(prev.tagName)) return prev.textContent.trim();
      }
    }
    return "";
  }
  function repairScrollingTables(root) {
    root.querySelectorAll(".table-responsive:not([tabindex])").forEach(function (box) {
      box.tabIndex = 0;
      var name = headingBefore(box);
      if (name) {
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", name);
      }
    });
  }

  var pending = false;
  function repair() {
    pending = false;
    repairDropdowns(document);
    nameDropdownsByTheirLabel(document);
    nameOpenDropdowns(document);
    repairUploads(document);
    repairTabs(document);
    repairCloseButtons(document);
    repairScrollingTables(document);
  }
  function schedule() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(repair);
    }
  }
  new MutationObserver(schedule).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["tabindex", "class"],
  });
  schedule();
})();
