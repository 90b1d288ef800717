/* Note editor: autosave the unsaved text to the server (every ~10 s while typing, and when the
   page is hidden or closed), offer an autosave back, and keep the text in this browser when
   the server refuses it (an expired login). The server stores one autosave per user and note;
   it is never a published change and never a revision. */
(function () {
  "use strict";
  /* Admin media load in <head>: start once the form exists. */
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  function start() {
    var INTERVAL = 10000;
    var FIELDS = ["title", "tags", "body", "summary"];
    var status = document.getElementById("editing-status");
    var form = document.getElementById("article_form");
    if (!status || !form || !status.dataset.autosaveUrl) return; /* view-only: nothing to keep */

    var url = status.dataset.autosaveUrl;
    var article = status.dataset.article || "";
    var localKey = "notes-autosave:" + (article || "new");
    var state = document.getElementById("autosave-state");
    var timer = null;
    var submitting = false;
    var refused = false; /* the server turned an autosave down: keep the local copy */

    function field(name) {
      return form.elements.namedItem(name);
    }
    function values() {
      var result = {};
      FIELDS.forEach(function (name) {
        result[name] = field(name) ? field(name).value : "";
      });
      return result;
    }
    var lastSent = JSON.stringify(values());

    function csrf() {
      return form.querySelector("[name=csrfmiddlewaretoken]").value;
    }
    function payload(data) {
      var body = new FormData();
      body.append("csrfmiddlewaretoken", csrf());
      body.append("article", article);
      body.append("base_version", status.dataset.version || "");
      Object.keys(data).forEach(function (name) {
        body.append(name, data[name]);
      });
      return body;
    }
    function say(text) {
      if (state) state.textContent = text;
    }
    /* The messages, translated by the change form template (data-msg-*). */
    function message(name, fallback, values) {
      var text = status.dataset["msg" + name] || fallback;
      Object.keys(values || {}).forEach(function (key) {
        text = text.replace("%(" + key + ")s", values[key]);
      });
      return text;
    }
    function keepLocally(data) {
      try {
        localStorage.setItem(localKey, JSON.stringify({ at: Date.now(), values: data }));
      } catch (error) {
        /* storage full or disabled: the message below still tells the author */
      }
    }

    function save() {
      timer = null;
      var data = values();
      var snapshot = JSON.stringify(data);
      if (snapshot === lastSent) return;
      fetch(url, { method: "POST", body: payload(data), credentials: "same-origin" })
        .then(function (response) {
          if (response.ok) {
            lastSent = snapshot;
            refused = false;
            localStorage.removeItem(localKey);
            say(message("Saved", "Autosaved at %(time)s (not published).", {
              time: new Date().toLocaleTimeString()
            }));
          } else if (response.status === 403) {
            refused = true;
            status.dataset.sessionLost = "1";
            keepLocally(data);
            say(message("Refused", "Autosave refused: your login may have expired. Your text " +
                "is kept in this browser; log in again in another tab, then come back and save."));
          } else if (response.status === 429) {
            schedule();
          } else {
            say(message("Failed", "Autosave failed (%(status)s); it will be tried again.", {
              status: response.status
            }));
            keepLocally(data);
          }
        })
        .catch(function () {
          keepLocally(data);
          say(message("Offline", "Autosave failed (offline?); your text is kept in this browser."));
          schedule();
        });
    }
    function schedule() {
      if (!timer) timer = setTimeout(save, INTERVAL);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("submit", function () {
      submitting = true;
      /* After a refusal the login may be gone and this save with it: keep the copy. */
      if (refused || status.dataset.sessionLost) keepLocally(values());
      else localStorage.removeItem(localKey);
    });
    function flush() {
      var data = values();
      if (submitting || JSON.stringify(data) === lastSent) return;
      keepLocally(data);
      if (navigator.sendBeacon(url, payload(data))) lastSent = JSON.stringify(data);
    }
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") flush();
    });

    /* Offers: the server's autosave (rendered with a diff) and this browser's copy. */
    function fill(data) {
      FIELDS.forEach(function (name) {
        var input = field(name);
        if (input && typeof data[name] === "string") {
          input.value = data[name];
          input.dispatchEvent(new Event("input", { bubbles: true })); /* refreshes the preview */
        }
      });
    }
    function wire(panelId, restoreId, discardId, data, onDiscard) {
      var panel = document.getElementById(panelId);
      if (!panel) return;
      panel.hidden = false;
      document.getElementById(restoreId).addEventListener("click", function () {
        fill(data);
        panel.hidden = true;
        say(message("Restored", "Autosaved text restored into the form: save to keep it."));
      });
      document.getElementById(discardId).addEventListener("click", function () {
        onDiscard();
        panel.hidden = true;
      });
    }

    var serverNode = document.getElementById("autosave-data");
    var server = serverNode ? JSON.parse(serverNode.textContent) : null;
    if (server) {
      wire("autosave-offer", "autosave-restore", "autosave-discard", server, function () {
        fetch(status.dataset.discardUrl, {
          method: "POST", body: payload({}), credentials: "same-origin"
        });
      });
    }
    var local = null;
    try {
      local = JSON.parse(localStorage.getItem(localKey) || "null");
    } catch (error) {
      local = null;
    }
    if (local && local.values) {
      var newer = !server || local.at > server.saved_at + 1000;
      if (newer && JSON.stringify(local.values) !== lastSent) {
        wire("local-offer", "local-restore", "local-discard", local.values, function () {
          localStorage.removeItem(localKey);
        });
      } else {
        localStorage.removeItem(localKey); /* the server's copy or the form is as new */
      }
    }
  }
})();
