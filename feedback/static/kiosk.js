// Kiosk mode: after a thank-you, return to a fresh form so the next person starts clean.
(function () {
  var note = document.getElementById("kiosk-reset");
  if (!note) return;
  var seconds = parseInt(note.getAttribute("data-seconds"), 10) || 10;
  window.setTimeout(function () {
    window.location.replace(note.getAttribute("data-restart"));
  }, seconds * 1000);
})();
