// Samsyn: Voila's page helpers (voila_setup_helper_functions) as a file, so that the
// Content-Security-Policy can forbid inline scripts.
window.voila_heartbeat = function () {};
window.update_loading_text = function (cellIndex, cellCount, text) {
  var spinner = document.getElementById("loading");
  if (spinner && spinner.style.display === "none") {
    spinner.style.display = "flex";
  }
  var el = document.getElementById("loading_text");
  if (el) {
    el.textContent = text || "";
  }
};
window.display_cells = function () {
  if (!window.themeLoaded) {
    window.cellLoaded = true;
    return;
  }
  var el = document.getElementById("loading");
  if (el) {
    el.parentNode.removeChild(el);
  }
  el = document.getElementById("rendered_cells");
  if (el) {
    el.style.display = "";
  }
};
window.voila_process = window.update_loading_text;
window.voila_finish = window.display_cells;

// Samsyn: what ipywidgets cannot say in HTML, said once the widgets are drawn (and again whenever
// they change). The page's language and title come from its .samsyn-page-meta element
// (widgets/common.py page_meta); every .samsyn-fieldset becomes a named group (role=group,
// named by its legend); a weight in the factor grid is named with its factor; ToggleButtons
// tell which button is pressed (aria-pressed); a chart drawn by Vega is named by its caption.
(function () {
  var counter = 0;
  function apply() {
    var meta = document.querySelector("[data-samsyn-lang]");
    if (meta) {
      var lang = meta.getAttribute("data-samsyn-lang");
      if (lang && document.documentElement.lang !== lang) {
        document.documentElement.lang = lang;
      }
      var title = meta.getAttribute("data-samsyn-title");
      if (title && document.title !== title) {
        document.title = title;
      }
    }
    var groups = document.querySelectorAll(".samsyn-fieldset:not([role])");
    for (var i = 0; i < groups.length; i++) {
      var legend = groups[i].querySelector(".samsyn-legend");
      if (!legend) {
        continue;
      }
      if (!legend.id) {
        legend.id = "samsyn-legend-" + (++counter);
      }
      groups[i].setAttribute("role", "group");
      groups[i].setAttribute("aria-labelledby", legend.id);
    }
    // A weight's list in the factor grid is named by its scale and its factor ("Allvarlighet
    // Smällar på handen …"): the visible label first, then the factor the row is about.
    var rows = document.querySelectorAll(".samsyn-factor-row");
    for (var r = 0; r < rows.length; r++) {
      var factor = rows[r].querySelector(".samsyn-factor .widget-label-basic span");
      if (!factor) {
        continue;
      }
      if (!factor.id) {
        factor.id = "samsyn-factor-name-" + (++counter);
      }
      var selects = rows[r].querySelectorAll("select");
      for (var k = 0; k < selects.length; k++) {
        var label = selects[k].id ? rows[r].querySelector('label[for="' + selects[k].id + '"]') : null;
        if (!label) {
          continue;
        }
        if (!label.id) {
          label.id = "samsyn-weight-label-" + (++counter);
        }
        var names = label.id + " " + factor.id;
        if (selects[k].getAttribute("aria-labelledby") !== names) {
          selects[k].setAttribute("aria-labelledby", names);
        }
      }
    }
    // A chart the browser draws (Vega) is named by its caption, which has its numbers in words.
    var boxes = document.querySelectorAll(".samsyn-chart");
    for (var b = 0; b < boxes.length; b++) {
      var svg = boxes[b].querySelector("svg");
      var caption = boxes[b].querySelector(".samsyn-chart-caption");
      if (!svg || !caption || svg.closest("[role=img][aria-label]")) {
        continue;
      }
      if (!caption.id) {
        caption.id = "samsyn-chart-caption-" + (++counter);
      }
      if (svg.getAttribute("aria-labelledby") !== caption.id) {
        svg.setAttribute("aria-labelledby", caption.id);
      }
    }
    var toggles = document.querySelectorAll(".widget-toggle-button");
    for (var j = 0; j < toggles.length; j++) {
      var pressed = toggles[j].classList.contains("mod-active") ? "true" : "false";
      if (toggles[j].getAttribute("aria-pressed") !== pressed) {
        toggles[j].setAttribute("aria-pressed", pressed);
      }
    }
  }
  var pending = false;
  new MutationObserver(function () {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () { pending = false; apply(); });
    }
  }).observe(document.documentElement, {childList: true, subtree: true, attributes: true, attributeFilter: ["class"]});
})();
