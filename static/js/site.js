/* Progressive enhancement for reader pages: theme toggle, copy buttons on code blocks, TOC on phones. */
(function () {
  "use strict";

  function currentTheme() {
    return document.documentElement.getAttribute("data-theme") === "dark" ? "dark" : "light";
  }

  function setupThemeToggle() {
    var button = document.querySelector(".theme-toggle");
    if (!button) return;
    function sync() {
      var dark = currentTheme() === "dark";
      button.setAttribute("aria-pressed", dark ? "true" : "false");
    }
    sync();
    button.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      document.documentElement.setAttribute("data-theme", next);
      try {
        window.localStorage.setItem("theme", next);
      } catch (e) {
        /* Private mode: the choice lasts for this page only. */
      }
      sync();
    });
  }

  function setupCopyButtons() {
    if (!navigator.clipboard) return;
    document.querySelectorAll(".note-body pre").forEach(function (pre) {
      var wrapper = document.createElement("div");
      wrapper.className = "code-block";
      pre.parentNode.insertBefore(wrapper, pre);
      wrapper.appendChild(pre);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = "复制";
      button.setAttribute("aria-label", "复制代码");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(pre.innerText).then(
          function () {
            button.textContent = "已复制";
            window.setTimeout(function () {
              button.textContent = "复制";
            }, 1500);
          },
          function () {
            button.textContent = "复制失败";
          }
        );
      });
      wrapper.appendChild(button);
    });
  }

  function setupToc() {
    var toc = document.querySelector("details.toc");
    if (!toc) return;
    var wide = window.matchMedia("(min-width: 72rem)");
    function sync() {
      if (wide.matches) toc.setAttribute("open", "");
    }
    /* Open in the HTML (readable without JS); folded on phones so the note comes first. */
    if (!wide.matches) toc.removeAttribute("open");
    sync();
    if (wide.addEventListener) wide.addEventListener("change", sync);
  }

  setupThemeToggle();
  setupCopyButtons();
  setupToc();
})();
