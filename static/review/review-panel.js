/* The review panel sits inside the note's change form, where no form of its own may nest, and
   its buttons must not become the form's default (Enter in the title would press them). So
   each is a plain button: a click posts the panel's fields of its own prefix, with the
   change form's CSRF token, in a form made for it. */
(function () {
  "use strict";
  var panel = document.getElementById("review-panel");
  if (!panel) return;
  panel.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-review-action]");
    if (button) {
      post(button.dataset.reviewAction, button.dataset.reviewFields);
      return;
    }
    var copy = event.target.closest("button[data-copy]");
    if (copy) {
      var input = document.getElementById(copy.dataset.copy);
      input.select();
      if (navigator.clipboard) navigator.clipboard.writeText(input.value);
    }
  });
  function post(action, prefix) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = action;
    form.hidden = true;
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    add(form, "csrfmiddlewaretoken", token ? token.value : "");
    if (prefix) {
      panel.querySelectorAll("[name^='" + prefix + "-']").forEach(function (field) {
        add(form, field.name, field.value);
      });
    }
    document.body.appendChild(form);
    form.submit();
  }
  function add(form, name, value) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }
})();
