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
 * - A POST form is sent once: a second submit while the first is on its way (a
 *   double click, Enter pressed twice) is dropped, so that nothing is created
 *   twice. The form takes submits again when the page is shown again (the back
 *   button) or after a minute (a download leaves the page where it is).
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

  var SENDING_FOR_MS = 60000;

  // Before any other listener: a form already on its way is not sent again.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (form.dataset.sending) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  // After the confirm above. A listener after this one may still cancel the
  // submit: once they all had their say, a cancelled form takes submits again.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var method = (form.getAttribute("method") || "").toLowerCase();
    if (method !== "post" || event.defaultPrevented) {
      return;
    }
    form.dataset.sending = "true";
    window.setTimeout(function () {
      if (event.defaultPrevented) {
        delete form.dataset.sending;
      }
    }, 0);
    window.setTimeout(function () {
      delete form.dataset.sending;
    }, SENDING_FOR_MS);
  });

  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      delete form.dataset.sending;
    });
  });
})();
