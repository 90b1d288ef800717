/* The writing desk on the note body (templates/markdownx/body_editor.html): CodeMirror 6 over
   markdownx's textarea. The textarea stays the source of truth the form, autosave and the
   conflict check read: every change is written back to it with an "input" event, and what
   other scripts (or a test) put into it comes back into the editor. Without JavaScript the
   plain textarea is the editor. */
import { EditorState } from "@codemirror/state";
import {
  EditorView, keymap, drawSelection, highlightActiveLine, highlightSpecialChars, dropCursor,
  lineNumbers,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { search, searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import {
  bracketMatching, syntaxHighlighting, HighlightStyle, defaultHighlightStyle,
} from "@codemirror/language";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { lintGutter, lintKeymap } from "@codemirror/lint";
import { markdown, markdownLanguage } from "@codemirror/lang-markdown";
import { tags, tagHighlighter } from "@lezer/highlight";

import { mathSyntax, mathTag, mathMarkTag, mathPopups } from "./math.js";
import { countDocument } from "./counts.js";
import { createPreview, scrollPreviewTo, katexDiagnostics } from "./preview.js";
import { createUploader, imageFiles } from "./upload.js";
import { commandsFor, keymapFor } from "./commands.js";

const deskHighlight = HighlightStyle.define([
  { tag: tags.heading, fontWeight: "bold", color: "var(--desk-heading)" },
  { tag: tags.strong, fontWeight: "bold" },
  { tag: tags.emphasis, fontStyle: "italic" },
  { tag: tags.strikethrough, textDecoration: "line-through" },
  { tag: [tags.link, tags.url], color: "var(--desk-link)" },
  { tag: tags.monospace, fontFamily: "var(--desk-mono)", color: "var(--desk-code)" },
  { tag: mathTag, color: "var(--desk-math)", backgroundColor: "var(--desk-math-bg)" },
  { tag: mathMarkTag, color: "var(--desk-mark)" },
  { tag: [tags.processingInstruction, tags.contentSeparator, tags.quote], color: "var(--desk-mark)" },
]);

const deskTheme = EditorView.theme({
  "&": { height: "100%", backgroundColor: "var(--body-bg, #fff)", color: "var(--body-fg, #333)" },
  ".cm-scroller": { fontFamily: "var(--desk-mono)", lineHeight: "1.65", overflow: "auto" },
  ".cm-content": { caretColor: "var(--body-fg, #333)", padding: "8px 0" },
  ".cm-gutters": {
    backgroundColor: "var(--darkened-bg, #f8f8f8)",
    color: "var(--body-quiet-color, #666)",
    borderRight: "1px solid var(--hairline-color, #e8e8e8)",
  },
  ".cm-activeLine": { backgroundColor: "var(--desk-active-line)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--desk-active-line)" },
  "&.cm-focused": { outline: "2px solid var(--desk-focus)", outlineOffset: "-2px" },
  ".cm-tooltip": {
    backgroundColor: "var(--body-bg, #fff)",
    color: "var(--body-fg, #333)",
    border: "1px solid var(--hairline-color, #ccc)",
  },
});

function csrfOf(form) {
  return () => {
    const input = form && form.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };
}

/* Replace the editor's text by `text`, as the smallest change (keeps the cursor nearby). */
function changeFor(current, text) {
  let start = 0;
  const max = Math.min(current.length, text.length);
  while (start < max && current.charCodeAt(start) === text.charCodeAt(start)) start += 1;
  let end = 0;
  while (
    end < max - start &&
    current.charCodeAt(current.length - 1 - end) === text.charCodeAt(text.length - 1 - end)
  ) end += 1;
  return { from: start, to: current.length - end, insert: text.slice(start, text.length - end) };
}

function mount(container) {
  const textarea = container.querySelector("textarea.markdownx-editor");
  const pane = container.querySelector(".markdownx-preview");
  const write = container.querySelector(".desk-write");
  if (!textarea || !pane || !write || container.dataset.deskReady) return;
  container.dataset.deskReady = "1";
  const form = textarea.form;
  const csrf = csrfOf(form);
  const labels = { text: container.dataset.labelText, uploading: container.dataset.labelUploading };
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  let fromTextarea = false;
  /* The editor's text goes to the textarea when the browser is idle (within SYNC ms): laying
     out a 50 KB textarea and running its input handlers on every key would cost more than the
     key itself. Flushed before the form is submitted and before the page is hidden (autosave's
     beacon reads the textarea). */
  const SYNC = 500;
  const idle = "requestIdleCallback" in window;
  const later = (fn) =>
    idle ? window.requestIdleCallback(fn, { timeout: SYNC }) : window.setTimeout(fn, 100);
  const cancel = (id) => (idle ? window.cancelIdleCallback(id) : window.clearTimeout(id));
  let syncTimer = null;
  let synced = textarea.value; // what the textarea got from the editor (or had)
  let preview = null;
  let uploader = null;
  let countTimer = null;
  let scrollFrame = 0;

  const wide = window.matchMedia("(min-width: 1024px)");
  const bothVisible = () => wide.matches;

  function followCursor(view) {
    if (!bothVisible() && container.dataset.view !== "preview") return;
    const head = view.state.selection.main.head;
    const block = view.lineBlockAt(head);
    const offset = view.documentTop + block.top - view.scrollDOM.getBoundingClientRect().top;
    scrollPreviewTo(pane, view.state.doc.lineAt(head).number, Math.max(0, offset));
  }

  function refreshCounts(view) {
    window.clearTimeout(countTimer);
    countTimer = window.setTimeout(() => {
      const counts = countDocument(view.state);
      container.querySelectorAll("[data-count]").forEach((el) => {
        el.textContent = String(counts[el.dataset.count]);
      });
    }, 200);
  }

  function showErrors(view) {
    const found = katexDiagnostics(view, pane);
    const box = container.querySelector(".desk-errors");
    const list = box && box.querySelector("ul");
    if (!list) return;
    /* A live region: rewritten only when the errors change, so each is announced once. */
    const key = JSON.stringify(found.map((item) => [item.line, item.message]));
    if (list.dataset.key === key) return;
    list.dataset.key = key;
    list.replaceChildren(
      ...found.map((item) => {
        const li = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "desk-error-line";
        button.textContent = (container.dataset.labelLine || "Line %s").replace("%s", item.line);
        button.addEventListener("click", () => {
          /* the line as it is now (the list stays while the text above it changes) */
          const line = view.state.doc.line(Math.min(item.line, view.state.doc.lines));
          view.dispatch({ selection: { anchor: line.from }, scrollIntoView: true });
          view.focus();
        });
        li.append(button, " ", item.message);
        return li;
      }),
    );
    box.hidden = found.length === 0;
  }

  const commands = commandsFor(
    labels,
    () => container.querySelector(".desk-file")?.click(),
    () => toggleFullscreen(),
  );

  const view = new EditorView({
    parent: write,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        dropCursor(),
        EditorState.allowMultipleSelections.of(true),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        search({ top: true }),
        EditorView.lineWrapping,
        markdown({ base: markdownLanguage, extensions: [mathSyntax] }),
        syntaxHighlighting(deskHighlight),
        /* Classes as well, for the stylesheet and the tests: formulas and their delimiters. */
        syntaxHighlighting(tagHighlighter([
          { tag: mathTag, class: "cm-math" },
          { tag: mathMarkTag, class: "cm-math-mark" },
        ])),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        mathPopups,
        lintGutter(),
        keymap.of([
          ...keymapFor(commands),
          ...closeBracketsKeymap,
          ...defaultKeymap,
          ...searchKeymap,
          ...historyKeymap,
          ...lintKeymap,
          indentWithTab,
        ]),
        deskTheme,
        EditorView.contentAttributes.of({
          "aria-label": label ? label.textContent.replace(/[:：]\s*$/, "").trim() : "Body",
          "aria-multiline": "true",
          spellcheck: "false",
        }),
        EditorView.domEventHandlers({
          paste(event, v) {
            const files = imageFiles(event.clipboardData);
            if (!files.length) return false;
            event.preventDefault();
            uploader.uploadAll(files);
            return true;
          },
          drop(event, v) {
            const files = imageFiles(event.dataTransfer);
            if (!files.length) return false;
            event.preventDefault();
            const pos = v.posAtCoords({ x: event.clientX, y: event.clientY });
            uploader.uploadAll(files, pos ?? undefined);
            return true;
          },
          scroll(event, v) {
            if (!bothVisible() || scrollFrame) return false;
            /* once a frame, after the editor has measured what scrolled into view */
            scrollFrame = window.requestAnimationFrame(() => {
              scrollFrame = 0;
              const top = v.scrollDOM.getBoundingClientRect().top - v.documentTop;
              const block = v.lineBlockAtHeight(Math.max(0, top));
              scrollPreviewTo(pane, v.state.doc.lineAt(block.from).number, 0);
            });
            return false;
          },
        }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) {
            if (!fromTextarea && syncTimer === null) syncTimer = later(flush);
            preview.schedule();
            refreshCounts(update.view);
          }
          if (update.selectionSet && !update.docChanged) followCursor(update.view);
        }),
      ],
    }),
  });

  function flush() {
    if (syncTimer !== null) cancel(syncTimer);
    syncTimer = null;
    const text = view.state.doc.toString();
    if (textarea.value === text) return;
    textarea.value = synced = text;
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  /* What others write into the textarea (autosave's restore, a test's fill, typing in it). */
  textarea.addEventListener("input", () => {
    if (textarea.value === synced) return; // our own write, or an event without a change
    synced = textarea.value;
    const current = view.state.doc.toString();
    if (textarea.value === current) return;
    if (syncTimer !== null) cancel(syncTimer);
    syncTimer = null;
    fromTextarea = true;
    try {
      view.dispatch({ changes: changeFor(current, textarea.value) });
    } finally {
      fromTextarea = false;
    }
  });
  /* An image dropped on the textarea itself (it sits under the editor). */
  textarea.addEventListener("drop", (event) => {
    const files = imageFiles(event.dataTransfer);
    if (!files.length) return;
    event.preventDefault();
    uploader.uploadAll(files);
  });
  if (form) {
    form.addEventListener("submit", flush, true);
  }
  /* Capturing: before autosave's own pagehide listener on window. */
  window.addEventListener("pagehide", flush, true);
  document.addEventListener("visibilitychange", flush, true);
  container.deskFlush = flush;
  if (label) {
    label.addEventListener("click", (event) => {
      event.preventDefault();
      view.focus();
    });
  }

  preview = createPreview({
    view,
    pane,
    url: textarea.dataset.markdownxUrlsPath,
    csrf,
    onRendered() {
      showErrors(view);
      followCursor(view);
    },
  });
  uploader = createUploader({
    view,
    container,
    url: textarea.dataset.markdownxUploadUrlsPath,
    csrf,
    labels,
  });

  /* Toolbar, view toggle, full screen, file picker. */
  function toggleFullscreen(force) {
    const on = container.classList.toggle("desk-fullscreen", force);
    document.documentElement.classList.toggle("desk-fullscreen-open", on);
    container.querySelectorAll('[data-command="fullscreen"]').forEach((button) => {
      button.setAttribute("aria-pressed", String(on));
    });
    view.requestMeasure();
    view.focus();
  }
  container.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && container.classList.contains("desk-fullscreen")) {
      toggleFullscreen(false);
    }
  });
  container.querySelectorAll("[data-command]").forEach((button) => {
    button.addEventListener("click", () => commands[button.dataset.command](view));
  });
  container.querySelectorAll("[data-view-choice]").forEach((button) => {
    button.addEventListener("click", () => {
      container.dataset.view = button.dataset.viewChoice;
      container.querySelectorAll("[data-view-choice]").forEach((other) => {
        other.setAttribute("aria-pressed", String(other === button));
      });
      view.requestMeasure();
      if (button.dataset.viewChoice === "write") view.focus();
      else followCursor(view);
    });
  });
  const picker = container.querySelector(".desk-file");
  if (picker) {
    picker.addEventListener("change", () => {
      uploader.uploadAll(imageFiles(picker));
      picker.value = "";
    });
  }

  container.querySelectorAll("[data-desk-hidden]").forEach((el) => {
    el.hidden = false;
  });
  container.classList.add("desk-ready");
  textarea.setAttribute("tabindex", "-1");
  textarea.setAttribute("aria-hidden", "true");
  container.deskView = view; // for the browser tests and other admin scripts
  refreshCounts(view);
  preview.schedule(0);
}

function mountAll() {
  document.querySelectorAll(".writing-desk").forEach(mount);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", mountAll);
} else {
  mountAll();
}
