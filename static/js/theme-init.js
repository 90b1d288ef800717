/* Runs synchronously in <head>: apply the saved or OS theme before the first paint. */
(function () {
  var theme = null;
  try {
    theme = window.localStorage.getItem("theme");
  } catch (e) {
    theme = null;
  }
  if (theme !== "light" && theme !== "dark") {
    theme = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  document.documentElement.setAttribute("data-theme", theme);
})();
