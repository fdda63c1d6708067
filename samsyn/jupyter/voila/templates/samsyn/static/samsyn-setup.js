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
