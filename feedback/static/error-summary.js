// The error summary, after the GOV.UK Design System's: it takes focus when the page loads, so a
// screen reader announces it and Tab starts from it; following one of its links focuses the answer
// and brings the whole question (its legend or label) into view, not just the first radio button.
(function () {
  var summary = document.querySelector(".error-summary");
  if (!summary) return;

  function question(input) {
    var fieldset = input.closest("fieldset");
    var legend = fieldset && fieldset.querySelector("legend");
    if (legend && (input.type === "radio" || input.type === "checkbox")) return legend;
    if (legend) { // a text box under a legend: show the legend only if the box stays in the top half
      var top = legend.getBoundingClientRect().top, box = input.getBoundingClientRect();
      if (box.bottom - top < window.innerHeight / 2) return legend;
    }
    return document.querySelector("label[for='" + input.id + "']") || input.closest("label");
  }

  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a");
    var input = link && link.hash && document.getElementById(link.hash.slice(1));
    var heading = input && question(input);
    if (!heading) return; // plain link behaviour
    event.preventDefault();
    heading.scrollIntoView();
    input.focus({ preventScroll: true });
  });

  summary.addEventListener("blur", function () { summary.removeAttribute("tabindex"); }, { once: true });
  summary.focus();
})();
