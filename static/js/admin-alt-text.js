/* Admin editor: warn when a Markdown image has no alt text, e.g. ![](figure.png). Runs on each markdownx refresh. */
(function () {
  "use strict";
  var MISSING_ALT = /!\[\s*\]\(/g;

  function warningFor(textarea) {
    var id = textarea.id + "-alt-warning";
    var warning = document.getElementById(id);
    if (!warning) {
      warning = document.createElement("p");
      warning.id = id;
      warning.className = "errornote alt-text-warning";
      warning.setAttribute("role", "status");
      warning.hidden = true;
      warning.style.display = "none";
      textarea.parentNode.insertBefore(warning, textarea);
    }
    return warning;
  }

  function check(textarea) {
    var count = (textarea.value.match(MISSING_ALT) || []).length;
    var warning = warningFor(textarea);
    warning.hidden = count === 0;
    /* The admin's .errornote sets display, which would override the hidden attribute. */
    warning.style.display = count === 0 ? "none" : "";
    warning.textContent = count
      ? count + " 张图片缺少替代文本（alt text）：请写成 ![图片说明](地址)，读屏用户依赖它。"
      : "";
  }

  function setup() {
    document.querySelectorAll(".markdownx textarea, textarea.markdownx-editor").forEach(function (textarea) {
      check(textarea);
      textarea.addEventListener("input", function () {
        check(textarea);
      });
    });
  }

  document.addEventListener("markdownx.update", function () {
    document.querySelectorAll(".markdownx textarea, textarea.markdownx-editor").forEach(check);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
