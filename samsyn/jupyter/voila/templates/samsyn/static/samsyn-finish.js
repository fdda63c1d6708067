// Samsyn: every cell is rendered; show them (Voila's inline "window.voila_finish()").
window.voila_finish();
