/* Toolbar and shortcut commands: wrap the selection (or a placeholder word) in Markdown. */
import { EditorSelection } from "@codemirror/state";

function wrap(before, after, placeholder) {
  return (view) => {
    view.dispatch(
      view.state.changeByRange((range) => {
        const text = view.state.sliceDoc(range.from, range.to) || placeholder;
        const insert = before + text + after;
        const start = range.from + before.length;
        return {
          changes: { from: range.from, to: range.to, insert },
          range: EditorSelection.range(start, start + text.length),
        };
      }),
      { scrollIntoView: true, userEvent: "input" },
    );
    view.focus();
    return true;
  };
}

/* "## " at the start of each selected line (cycling # .. ###### then none). */
function heading(view) {
  const { state } = view;
  const changes = [];
  const seen = new Set();
  for (const range of state.selection.ranges) {
    for (let n = state.doc.lineAt(range.from).number; n <= state.doc.lineAt(range.to).number; n += 1) {
      if (seen.has(n)) continue;
      seen.add(n);
      const line = state.doc.line(n);
      const marks = /^(#{1,6}) /.exec(line.text);
      if (!marks) changes.push({ from: line.from, insert: "## " });
      else if (marks[1].length >= 6) changes.push({ from: line.from, to: line.from + 7 });
      else changes.push({ from: line.from, insert: "#" });
    }
  }
  view.dispatch({ changes, userEvent: "input", scrollIntoView: true });
  view.focus();
  return true;
}

/* `labels`: the template's words for the placeholders (the page's language). */
export function commandsFor(labels, pickImage, toggleFullscreen) {
  const text = labels.text || "text";
  return {
    bold: wrap("**", "**", text),
    italic: wrap("*", "*", text),
    code: wrap("`", "`", "code"),
    link: wrap("[", "](https://)", text),
    heading,
    inlineMath: wrap("$", "$", "x"),
    displayMath: wrap("\n$$\n", "\n$$\n", "x"),
    image: (view) => {
      pickImage(view);
      return true;
    },
    fullscreen: () => {
      toggleFullscreen();
      return true;
    },
  };
}

/* The keys; the template's visible list shows the same ones. */
export const KEYS = {
  bold: "Mod-b",
  italic: "Mod-i",
  code: "Mod-e",
  link: "Mod-k",
  heading: "Mod-Shift-h",
  inlineMath: "Alt-m",
  displayMath: "Alt-Shift-m",
  image: "Alt-g",
  fullscreen: "Alt-Shift-f",
};

export function keymapFor(commands) {
  return Object.entries(KEYS).map(([name, key]) => ({ key, run: commands[name], preventDefault: true }));
}
