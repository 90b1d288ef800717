/* Progressive enhancement for reader pages: theme toggle, copy buttons on code blocks and display
   formulas, TOC on phones. (Copying selected math as LaTeX is KaTeX's copy-tex, loaded on notes.) */
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

  /* "Copy TeX" on each display formula: its source as KaTeX's copy-tex writes it, in $$...$$. */
  function setupTexCopyButtons() {
    if (!navigator.clipboard) return;
    document.querySelectorAll(".note-body .math-display").forEach(function (formula) {
      var annotation = formula.querySelector('annotation[encoding="application/x-tex"]');
      if (!annotation) return; /* a broken formula shows its source already */
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button tex-copy";
      button.textContent = "复制 TeX";
      button.setAttribute("aria-label", "复制公式的 TeX 源码");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText("$$" + annotation.textContent + "$$").then(
          function () {
            button.textContent = "已复制";
            window.setTimeout(function () {
              button.textContent = "复制 TeX";
            }, 1500);
          },
          function () {
            button.textContent = "复制失败";
          }
        );
      });
      formula.appendChild(button);
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

  /* Wide formulas, code and tables scroll sideways: make those that do reachable by keyboard. */
  function setupScrollableRegions() {
    var selector = ".katex-display, .note-body pre, .note-body table";
    function sync() {
      document.querySelectorAll(selector).forEach(function (region) {
        if (region.scrollWidth > region.clientWidth) {
          region.setAttribute("tabindex", "0");
        } else if (region.getAttribute("tabindex") === "0") {
          region.removeAttribute("tabindex");
        }
      });
    }
    sync();
    window.addEventListener("load", sync); /* widths change once the KaTeX fonts are in */
    var pending;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(sync, 150);
    });
  }

  setupThemeToggle();
  setupCopyButtons();
  setupTexCopyButtons();
  setupToc();
  setupScrollableRegions();
})();
