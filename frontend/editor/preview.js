/* The live preview: the server's renderer through markdownx's preview endpoint (the stored
   page's HTML, plus source lines), debounced, one request in flight; the preview follows the
   block being edited; KaTeX's errors become diagnostics on their lines. */
import { setDiagnostics } from "@codemirror/lint";

const DELAY = 300;

export function createPreview({ view, pane, url, csrf, onRendered }) {
  let timer = null;
  let inFlight = false;
  let shown = null; // the text the pane shows
  let pending = false;

  function schedule(delay = DELAY) {
    window.clearTimeout(timer);
    timer = window.setTimeout(run, delay);
  }

  async function run() {
    timer = null;
    if (inFlight) {
      pending = true;
      return;
    }
    const text = view.state.doc.toString();
    if (text === shown) return;
    inFlight = true;
    pending = false;
    const body = new FormData();
    body.append("content", text);
    body.append("csrfmiddlewaretoken", csrf());
    const started = performance.now();
    try {
      const response = await fetch(url, { method: "POST", body, credentials: "same-origin" });
      if (response.ok) {
        const html = await response.text();
        pane.innerHTML = html;
        shown = text;
        pane.dataset.roundTripMs = String(Math.round(performance.now() - started));
        pane.dataset.renders = String(Number(pane.dataset.renders || 0) + 1);
        onRendered(text);
        pane.dispatchEvent(new CustomEvent("markdownx.update", { bubbles: true, detail: [html] }));
      }
    } catch (error) {
      /* offline for a moment: the next change tries again */
    } finally {
      inFlight = false;
      if (pending || view.state.doc.toString() !== shown) schedule(pending ? 0 : DELAY);
    }
  }

  return { schedule, run };
}

/* Blocks of the preview with their first source line, in document order. */
function blocks(pane) {
  return Array.from(pane.querySelectorAll("[data-source-line]"), (el) => ({
    el,
    line: Number(el.dataset.sourceLine),
  })).filter((block) => block.el.offsetParent !== null);
}

function topIn(pane, el) {
  return el.getBoundingClientRect().top - pane.getBoundingClientRect().top + pane.scrollTop;
}

/* Scroll `pane` so source line `line` (1-based, fractional) sits `offset` px below its top. */
export function scrollPreviewTo(pane, line, offset) {
  const list = blocks(pane);
  if (!list.length) return;
  let i = -1;
  for (let k = 0; k < list.length; k += 1) {
    if (list[k].line <= line) i = k;
    else if (list[k].line > line && i >= 0) break;
  }
  let y;
  if (i < 0) {
    y = 0;
  } else {
    const here = list[i];
    const top = topIn(pane, here.el);
    const next = list[i + 1];
    const bottom = next ? topIn(pane, next.el) : top + here.el.offsetHeight;
    const span = next ? next.line - here.line : 1;
    y = top + (bottom - top) * Math.min(1, Math.max(0, (line - here.line) / span));
  }
  pane.scrollTop = Math.max(0, y - offset);
}

/* Diagnostics for the preview's broken formulas (data-source-line, data-katex-error). */
export function katexDiagnostics(view, pane) {
  const doc = view.state.doc;
  const found = [];
  pane.querySelectorAll("[data-katex-error]").forEach((el) => {
    const number = Math.min(Math.max(1, Number(el.dataset.sourceLine) || 1), doc.lines);
    const line = doc.line(number);
    const code = el.querySelector("code");
    const source = code ? code.textContent : "";
    const at = source ? doc.sliceString(line.from).indexOf(source) : -1;
    const from = at >= 0 ? line.from + at : line.from;
    const to = at >= 0 ? Math.min(doc.length, from + source.length) : line.to;
    found.push({ from, to, line: number, severity: "error", source: "KaTeX", message: el.dataset.katexError });
  });
  view.dispatch(setDiagnostics(view.state, found));
  return found;
}
