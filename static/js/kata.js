/*
 * Behaviour shared by every page, loaded by base.html. The Content-Security-Policy
 * allows no inline script or onclick="…", so pages ask for behaviour with data
 * attributes instead:
 *
 * - <select data-autosubmit> submits its form when it changes (the language
 *   switcher, the period of a leaderboard); a <noscript> button does it without
 *   JavaScript.
 * - <form data-confirm="Question?"> asks before it is submitted.
 */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) {
      select.form.submit();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();
