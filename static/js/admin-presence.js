/* Note editor: a heartbeat every ~30 s tells the server this note is open here; the answer
   names the other editors who have it open and the note's stored version, so a form that
   someone else has saved over says so before its author saves. Nothing is blocked. */
(function () {
  "use strict";
  /* Admin media load in <head>: start once the form exists. */
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  function start() {
    var INTERVAL = 30000;
    var status = document.getElementById("editing-status");
    var form = document.getElementById("article_form");
    if (!status || !form || !status.dataset.presenceUrl) return;

    var url = status.dataset.presenceUrl;
    var loadedVersion = Number(status.dataset.version);
    var notice = document.getElementById("presence-notice");
    var names = document.getElementById("presence-names");
    var stale = document.getElementById("stale-notice");

    function body(leaving) {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      if (leaving) data.append("leave", "1");
      return data;
    }
    function show(answer) {
      var others = answer.editors || [];
      names.textContent = others.join(", ");
      notice.hidden = others.length === 0;
      if (answer.version > loadedVersion) stale.hidden = false;
    }
    function beat() {
      fetch(url, { method: "POST", body: body(false), credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 403) {
            /* Login expired (or its CSRF token rotated): saving this form would fail. The
               autosave script keeps the text in this browser when the form is submitted. */
            status.dataset.sessionLost = "1";
            var state = document.getElementById("autosave-state");
            if (state) {
              /* translated by the change form template */
              state.textContent = status.dataset.msgExpired || "Your login has expired. Log " +
                "in again in another tab; your text is kept in this browser and offered when " +
                "you reopen the note.";
            }
            return null;
          }
          delete status.dataset.sessionLost;
          return response.ok ? response.json().then(show) : null;
        })
        .catch(function () {
          /* offline: the next beat tries again */
        });
    }

    setInterval(beat, INTERVAL);
    window.addEventListener("pagehide", function () {
      navigator.sendBeacon(url, body(true));
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) beat();
    });
  }
})();
