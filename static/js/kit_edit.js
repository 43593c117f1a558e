/*
 * The interview kit editor (templates/hiring/kit_edit.html). Without JavaScript
 * every group of the question bank shows; with it, a competency can be picked.
 * Typing a position ticks the question.
 */
(function () {
  "use strict";

  var filter = document.getElementById("bank-filter");
  if (filter) {
    filter.hidden = false;
    document.querySelector("[data-bank-filter-label]").hidden = false;
    filter.addEventListener("change", function () {
      document.querySelectorAll("[data-bank-group]").forEach(function (group) {
        var shown = !filter.value || group.dataset.bankGroup === filter.value;
        group.hidden = !shown;
        if (shown && filter.value) {
          group.open = true;
        }
      });
    });
  }
  document.querySelectorAll("input[data-include]").forEach(function (input) {
    input.addEventListener("input", function () {
      var box = document.getElementById(input.dataset.include);
      if (box && input.value) {
        box.checked = true;
      }
    });
  });
})();
