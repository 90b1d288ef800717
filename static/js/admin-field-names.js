/* Note form: accessible names the admin's own widgets leave out. The date and time inputs of a
   split date-time field sit after plain text ("Date:", "Time:") under a <label> without "for";
   select2's combobox is named only by its (empty) selection. Each gets its field's label. */
(function () {
  "use strict";

  function labelText(row) {
    var label = row && row.querySelector("label");
    return label ? label.textContent.replace(/[:：]\s*$/, "").trim() : "";
  }

  function nameSplitDateTimes() {
    document.querySelectorAll("p.datetime input:not([aria-label])").forEach(function (input) {
      var before = input.previousSibling;
      var part = before && before.nodeType === Node.TEXT_NODE ? before.textContent : "";
      part = part.replace(/[:：]\s*$/, "").trim();
      var field = labelText(input.closest(".form-row"));
      input.setAttribute("aria-label", [field, part].filter(Boolean).join(" "));
    });
  }

  function nameComboboxes() {
    document.querySelectorAll(".select2-selection[role=combobox]").forEach(function (box) {
      var container = box.closest(".select2-container");
      var select = container && container.previousElementSibling;
      if (!select || !select.id) return;
      var label = document.querySelector('label[for="' + select.id + '"]');
      if (!label) return;
      if (!label.id) label.id = select.id + "-label";
      var ids = (box.getAttribute("aria-labelledby") || "").split(" ").filter(Boolean);
      if (ids.indexOf(label.id) < 0) box.setAttribute("aria-labelledby", [label.id].concat(ids).join(" "));
      /* the selection's own span is a textbox without a name */
      var rendered = box.querySelector(".select2-selection__rendered[role=textbox]");
      if (rendered && !rendered.hasAttribute("aria-label")) {
        rendered.setAttribute("aria-label", label.textContent.replace(/[:：]\s*$/, "").trim());
      }
    });
  }

  function run() {
    nameSplitDateTimes();
    nameComboboxes();
  }
  /* select2 is set up on jQuery's ready: name its markup once everything has loaded. */
  if (document.readyState === "complete") run();
  else window.addEventListener("load", run);
  document.addEventListener("DOMContentLoaded", nameSplitDateTimes);
})();
