/*
 * Behaviour shared by every page, loaded by base.html. The Content-Security-Policy
 * allows no inline script or onclick="…", so pages ask for behaviour with data
 * attributes instead:
 *
 * - <select data-autosubmit> submits its form when it changes (the language
 *   switcher, the period of a leaderboard); a <noscript> button does it without
 *   JavaScript.
 * - <form data-confirm="Question?"> asks before it is submitted; so does a
 *   <button type="submit" data-confirm="Question?">, for its own submit only.
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
    var submitter = event.submitter;
    var form = event.target.closest("form[data-confirm]");
    var question =
      submitter && submitter.dataset.confirm
        ? submitter.dataset.confirm
        : form && form.dataset.confirm;
    if (question && !event.defaultPrevented && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
