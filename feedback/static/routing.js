// Survey routing: a question asked only after a given answer (data-asked-if) is hidden until
// that answer is chosen. Without this script every question shows with a hint saying when to
// answer it, and the server drops answers to questions that were not asked.
(function () {
  var form = document.querySelector("form");
  if (!form) return;
  var routed = form.querySelectorAll("[data-asked-if]");
  function chosen(name) {
    var checked = form.querySelector("input[name='" + name + "']:checked");
    return checked ? checked.value : null;
  }
  function shown(group) {
    var earlier = form.querySelector("[data-asked-if] input[name='" + group.getAttribute("data-asked-if") + "']");
    if (earlier && earlier.closest("[data-asked-if]").hidden) return false;
    var answers = group.getAttribute("data-asked-answers").split(" ");
    return answers.indexOf(chosen(group.getAttribute("data-asked-if"))) !== -1;
  }
  function update() {
    for (var i = 0; i < routed.length; i++) routed[i].hidden = !shown(routed[i]);
  }
  form.addEventListener("change", update);
  update();
})();
