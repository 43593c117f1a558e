/*
 * The scorecard page (templates/hiring/scorecard_form.html).
 *
 * - Shows each competency's proposed rating live, as a hint only (the interviewer
 *   chooses every rating): the mean of its questions' ratings, rounded half up
 *   with integer arithmetic, floor((2·sum + n) / (2·n)), as
 *   hiring.services.proposed_rating does.
 * - Counts the ratings given ("5/8 rated"); "Next unrated" jumps to the next
 *   rating still to give. The submit button asks first (data-confirm, kata.js).
 * - Saves the draft as the interviewer types (1 s after the last change), and when
 *   the page is hidden or left (navigator.sendBeacon).
 * - Loses nothing on an expired session: every change is kept in localStorage
 *   until the server has it; when the session has expired the page says so with a
 *   login link that returns here, and on load newer unsaved content is restored
 *   into the form and saved. "Saved" shows only once something was saved.
 * - Never writes over a draft saved since in another window or device: each
 *   autosave sends the version it started from (`expected_saved_at`); on a
 *   conflict (409) autosaving stops, what was typed here is kept in localStorage
 *   (under its own key, which the other window's saves do not clear) and the page
 *   says to reload; after the reload the page offers to put that text back. The
 *   server compares content, not only versions: a copy it already holds (the save
 *   sent on leaving, arriving after the next page's restore) is no conflict.
 * - Read-only and submitted scorecards clear what this browser kept of them
 *   (computers may be shared).
 *
 * Plain JavaScript, no library. Without JavaScript the page still works: its
 * "Save draft" and "Submit" buttons post the form.
 */
(function () {
  "use strict";

  var DELAY_MS = 1000;
  var RETRY_MS = 10000;

  function storageGet(key) {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  }

  function storageSet(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (error) {
      // Storage full or disabled: autosave still works while the session lasts.
    }
  }

  function storageRemove(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (error) {
      // Nothing to do.
    }
  }

  function conflictKeyOf(key) {
    return key + ".conflict";
  }

  // A read-only page (submitted, or not this viewer's to write): what this browser
  // kept of the scorecard is obsolete, and may be another person's notes.
  var submitted = document.getElementById("scorecard-submitted");
  if (submitted) {
    storageRemove(submitted.dataset.storageKey);
    storageRemove(conflictKeyOf(submitted.dataset.storageKey));
  }

  var form = document.getElementById("scorecard-form");
  if (!form) {
    return;
  }

  var config = form.dataset;
  var storageKey = config.storageKey;
  var conflictKey = conflictKeyOf(storageKey);
  var revision = config.revision;
  var serverSavedAt = parseInt(config.savedAt, 10) || 0;
  // The draft's version this page writes over (ISO time, exact to the microsecond).
  var expectedSavedAt = config.expectedSavedAt || "";
  var texts = JSON.parse(document.getElementById("scorecard-messages").textContent);
  var statusElement = document.getElementById("autosave-status");
  var expiredAlert = document.getElementById("autosave-expired");
  var restoredAlert = document.getElementById("autosave-restored");
  var conflictAlert = document.getElementById("autosave-conflict");
  var keptAlert = document.getElementById("autosave-kept");
  var competencyRows = Array.prototype.slice.call(
    form.querySelectorAll("[data-competency]")
  );
  var progressElement = document.getElementById("rating-progress");
  var nextUnrated = document.getElementById("next-unrated");
  var ratingFieldsets = Array.prototype.slice.call(
    form.querySelectorAll("fieldset[id^='field-']")
  );

  var timer = null;
  var inFlight = false;
  var dirty = false;
  var leaving = false;
  var beaconSent = false;
  var conflicted = false;

  // --- Proposed competency ratings ---------------------------------------------

  function checkedValue(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? parseInt(input.value, 10) : null;
  }

  function proposal(row) {
    var ratings = row.dataset.questions
      .split(" ")
      .filter(Boolean)
      .map(checkedValue)
      .filter(function (rating) {
        return rating !== null;
      });
    if (!ratings.length) {
      return null;
    }
    var sum = ratings.reduce(function (total, rating) {
      return total + rating;
    }, 0);
    var n = ratings.length;
    return Math.floor((2 * sum + n) / (2 * n));
  }

  function showProposal(row, proposed) {
    var label = proposed === null ? texts.none : texts.ratings[proposed];
    row.querySelector("[data-proposal]").textContent = texts.proposal.replace(
      "%(rating)s",
      label
    );
    // Marked on the scale, never chosen: the interviewer clicks the rating.
    Array.prototype.forEach.call(row.querySelectorAll("label[data-value]"), function (
      label
    ) {
      var isProposed = String(proposed) === label.dataset.value;
      label.classList.toggle("rating-proposed", isProposed);
      if (isProposed) {
        label.title = texts.proposalHint;
      } else {
        label.removeAttribute("title");
      }
    });
  }

  // --- Progress: ratings given, and a jump to the next one to give -------------

  function unratedFieldsets() {
    return ratingFieldsets.filter(function (fieldset) {
      return !fieldset.querySelector("input[type=radio]:checked");
    });
  }

  function showProgress() {
    var unrated = unratedFieldsets().length;
    var total = ratingFieldsets.length;
    progressElement.textContent = texts.progress
      .replace("%(rated)s", String(total - unrated))
      .replace("%(total)s", String(total));
    progressElement.dataset.rated = String(total - unrated);
    nextUnrated.hidden = unrated === 0;
  }

  nextUnrated.addEventListener("click", function () {
    var unrated = unratedFieldsets();
    if (!unrated.length) {
      return;
    }
    // The first one below what is in view, else the first from the top.
    var target =
      unrated.filter(function (fieldset) {
        return fieldset.getBoundingClientRect().top > window.innerHeight / 3;
      })[0] || unrated[0];
    ratingFieldsets.forEach(function (fieldset) {
      fieldset.classList.remove("rating-jumped");
    });
    target.classList.add("rating-jumped");
    target.scrollIntoView({ block: "center" });
    target.querySelector("input[type=radio]").focus({ preventScroll: true });
  });

  function rowsForQuestion(name) {
    return competencyRows.filter(function (row) {
      return row.dataset.questions.split(" ").indexOf(name) !== -1;
    });
  }

  // --- What the form holds -------------------------------------------------------

  function snapshot() {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.name === "csrfmiddlewaretoken") {
        return;
      }
      if (element.type === "radio") {
        if (element.checked) {
          fields[element.name] = element.value;
        }
      } else if (element.tagName === "TEXTAREA") {
        fields[element.name] = element.value;
      }
    });
    return fields;
  }

  function restore(entry) {
    Object.keys(entry.fields).forEach(function (name) {
      var value = entry.fields[name];
      var radio = form.querySelector(
        'input[type="radio"][name="' + name + '"][value="' + value + '"]'
      );
      if (radio) {
        radio.checked = true;
        return;
      }
      var textarea = form.querySelector('textarea[name="' + name + '"]');
      if (textarea) {
        textarea.value = value;
      }
    });
    refreshRatings();
  }

  function refreshRatings() {
    competencyRows.forEach(function (row) {
      showProposal(row, proposal(row));
    });
    showProgress();
  }

  function remember() {
    if (conflicted) {
      keepConflict();
      return;
    }
    storageSet(storageKey, {
      revision: revision,
      base: serverSavedAt,
      typedAt: Date.now(),
      fields: snapshot(),
    });
  }

  function keepConflict() {
    // Only the fields changed on this page: putting them back later keeps what
    // the other window saved in the others.
    var now = snapshot();
    var fields = {};
    Object.keys(now).forEach(function (name) {
      if (now[name] !== loaded[name]) {
        fields[name] = now[name];
      }
    });
    storageSet(conflictKey, {
      revision: revision,
      typedAt: Date.now(),
      partial: true,
      fields: fields,
    });
  }

  function csrfFromCookie() {
    var name = config.csrfCookie + "=";
    var found = document.cookie.split("; ").filter(function (cookie) {
      return cookie.indexOf(name) === 0;
    })[0];
    return found ? decodeURIComponent(found.slice(name.length)) : "";
  }

  function formData() {
    var data = new FormData(form);
    // After a login in another tab the page's token is stale; the cookie's is not.
    var token = csrfFromCookie();
    if (token) {
      data.set("csrfmiddlewaretoken", token);
    }
    if (expectedSavedAt) {
      data.set("expected_saved_at", expectedSavedAt);
    }
    return data;
  }

  // --- Status and errors ---------------------------------------------------------

  function setStatus(state, text) {
    statusElement.dataset.state = state;
    statusElement.textContent = text;
    var bad = state === "error" || state === "expired";
    statusElement.classList.toggle("text-danger", bad);
    statusElement.classList.toggle("text-secondary", !bad);
  }

  function clearErrors() {
    Array.prototype.forEach.call(
      form.querySelectorAll('[id^="error-"]'),
      function (element) {
        element.textContent = "";
      }
    );
  }

  function showErrors(errors) {
    clearErrors();
    Object.keys(errors || {}).forEach(function (name) {
      var element = document.getElementById("error-" + name);
      if (!element) {
        element = document.getElementById("error-__all__");
      }
      element.textContent = errors[name].join(" ");
    });
  }

  // --- Saving --------------------------------------------------------------------

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY_MS);
  }

  function isLoginPage(response) {
    if (!response.redirected) {
      return false;
    }
    try {
      return new URL(response.url).pathname === config.loginPath;
    } catch (error) {
      return false;
    }
  }

  function expired() {
    dirty = true;
    expiredAlert.classList.remove("d-none");
    setStatus("expired", texts.notSaved);
  }

  function saved(body) {
    expiredAlert.classList.add("d-none");
    clearErrors();
    serverSavedAt = body.saved_at_ms || serverSavedAt;
    expectedSavedAt = body.saved_at || expectedSavedAt;
    if (dirty) {
      remember(); // Changed again while saving: keep the newer text.
    } else {
      storageRemove(storageKey);
    }
    setStatus("saved", body.status);
  }

  function failed(body) {
    dirty = true;
    if (body && body.errors) {
      showErrors(body.errors);
    } else if (body && body.error) {
      showErrors({ __all__: [body.error] });
    }
    setStatus("error", texts.notSaved);
  }

  function showMessage(element, text, actions) {
    element.textContent = text + " ";
    actions.forEach(function (action) {
      var control = document.createElement(action.href ? "a" : "button");
      control.textContent = action.label;
      if (action.href) {
        control.href = action.href;
        control.className = "alert-link me-2";
      } else {
        control.type = "button";
        control.className = "btn btn-sm btn-outline-secondary me-2";
        control.addEventListener("click", action.click);
      }
      element.appendChild(control);
    });
    element.classList.remove("d-none");
  }

  function conflict(body) {
    // Saved in another window since this page loaded: stop, keep, explain.
    conflicted = true;
    window.clearTimeout(timer);
    var kept = storageGet(storageKey);
    if (kept && kept.base === serverSavedAt) {
      // This page's unsaved copy: it moves to the conflict key.
      storageRemove(storageKey);
    }
    keepConflict();
    expiredAlert.classList.add("d-none");
    showMessage(conflictAlert, body.error + " " + texts.conflictKept, [
      { label: texts.reload, href: window.location.pathname },
    ]);
    setStatus("error", texts.notSaved);
  }

  function save() {
    timer = null;
    if (!dirty || leaving || conflicted) {
      return;
    }
    if (inFlight) {
      schedule();
      return;
    }
    inFlight = true;
    dirty = false;
    setStatus("saving", texts.saving);
    window
      .fetch(config.autosaveUrl, {
        method: "POST",
        body: formData(),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
      .then(function (response) {
        var status = response.status;
        // Only a login page or a 401 means the session has expired; a 403 (not
        // this viewer's, a stale form) is an error, said as such.
        if (isLoginPage(response) || status === 401) {
          expired();
          return;
        }
        if (response.status >= 500) {
          throw new Error(response.statusText);
        }
        return response.json().then(function (body) {
          if (response.ok) {
            saved(body);
          } else if (status === 409 && body.conflict) {
            conflict(body);
          } else {
            failed(body);
          }
        });
      })
      .catch(function () {
        // Offline or a server error: try again a little later.
        failed(null);
        window.clearTimeout(timer);
        timer = window.setTimeout(save, RETRY_MS);
      })
      .then(function () {
        inFlight = false;
      });
  }

  function changed() {
    dirty = true;
    remember();
    if (conflicted) {
      return; // Kept in this browser; nothing more is sent.
    }
    if (statusElement.dataset.state !== "expired") {
      setStatus("pending", texts.unsaved);
    }
    schedule();
  }

  function saveOnLeave() {
    if (!dirty || leaving || conflicted || !navigator.sendBeacon) {
      return;
    }
    // The answer cannot be read: what is in localStorage stays until a later
    // load finds the server draft newer than it. The server takes this copy even
    // after the next page's restore has saved the same content.
    beaconSent = navigator.sendBeacon(config.autosaveUrl, formData());
  }

  // --- Wiring --------------------------------------------------------------------

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.type !== "radio") {
      return;
    }
    rowsForQuestion(target.name).forEach(function (questionRow) {
      showProposal(questionRow, proposal(questionRow));
    });
    target.closest("fieldset").classList.remove("rating-jumped");
    showProgress();
    changed();
  });

  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA") {
      changed();
    }
  });

  form.addEventListener("submit", function (event) {
    if (conflicted) {
      // It would write this page's copy over the other window's: reload first.
      event.preventDefault();
      conflictAlert.scrollIntoView({ block: "center" });
    }
  });

  // After kata.js's listener (it asks before submitting): a cancelled submit
  // leaves the page as it was, autosaving.
  document.addEventListener("submit", function (event) {
    if (event.target !== form || event.defaultPrevented) {
      return;
    }
    // The post itself carries everything: no beacon, no autosave after it.
    leaving = true;
    window.clearTimeout(timer);
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      saveOnLeave();
    }
  });
  window.addEventListener("pagehide", saveOnLeave);
  window.addEventListener("pageshow", function (event) {
    // Back to this page from the browser's cache: it is being edited again.
    if (event.persisted) {
      leaving = false;
      if (beaconSent) {
        // Whether the copy sent on leaving arrived is unknown: send it again now,
        // so that this page learns the draft's version before the next change.
        beaconSent = false;
        dirty = true;
        save();
      }
    }
  });

  // --- On load: restore what the server does not have yet ----------------------

  function sameFields(fields, other) {
    var names = Object.keys(fields).concat(Object.keys(other));
    return names.every(function (name) {
      return (fields[name] || "") === (other[name] || "");
    });
  }

  var loaded = snapshot(); // The draft as the server gave it to this page.
  var kept = storageGet(storageKey);
  if (kept && kept.fields) {
    var sameDraft = String(kept.revision) === String(revision);
    var newer = kept.base === serverSavedAt || kept.typedAt > serverSavedAt;
    if (sameDraft && newer && !sameFields(kept.fields, loaded)) {
      restore(kept);
      restoredAlert.textContent = texts.restored;
      restoredAlert.classList.remove("d-none");
      dirty = true;
      save();
    } else {
      // Obsolete, or the server already has it: nothing to put back.
      storageRemove(storageKey);
    }
  }
  refreshRatings();

  // Text refused by a conflict (here or in another window): offered, never forced.
  var refused = storageGet(conflictKey);
  if (refused && refused.fields) {
    var obsolete = String(refused.revision) !== String(revision);
    if (obsolete || !Object.keys(refused.fields).length) {
      storageRemove(conflictKey); // Empty, or submitted or corrected since.
    } else {
      showMessage(keptAlert, texts.keptFromOther, [
        {
          label: texts.putBack,
          click: function () {
            storageRemove(conflictKey);
            keptAlert.classList.add("d-none");
            restore(refused);
            changed();
          },
        },
        {
          label: texts.discard,
          click: function () {
            storageRemove(conflictKey);
            keptAlert.classList.add("d-none");
          },
        },
      ]);
    }
  }
})();
