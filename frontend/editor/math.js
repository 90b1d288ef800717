/* Math as Markdown syntax for the editor: the five delimiter forms of the server's MATH_RE
   (articles/rendering/formulas.py), as @lezer/markdown extensions, so formulas are highlighted
   as math, never inside code; and a popup that shows the formula under the pointer or the
   cursor typeset by KaTeX. */
import { Tag, tags } from "@lezer/highlight";
import { syntaxTree } from "@codemirror/language";
import { StateField } from "@codemirror/state";
import { hoverTooltip, showTooltip } from "@codemirror/view";
import katex from "katex";

export const mathTag = Tag.define();
export const mathMarkTag = Tag.define(tags.processingInstruction);

/* One formula at the start of the text, as the server's MATH_RE reads it (sticky). */
const MATH_RE =
  /\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]|(\\begin\{([a-zA-Z]+\*?)\}[\s\S]+?\\end\{\4\})|\\\(([\s\S]+?)\\\)|\$([^\s$](?:[^$`\n]|\\\$)*?(?<![\s\\]))\$(?!\d)|\$([^\s$\\])\$(?!\d)/y;
const DOLLAR = 36;
const BACKSLASH = 92;

/* { length, tex, display, open, close } of the formula starting at text[0] (open and close:
   the delimiters' lengths), or null. */
export function matchFormula(text) {
  MATH_RE.lastIndex = 0;
  const m = MATH_RE.exec(text);
  if (!m) return null;
  if (m[3] !== undefined) {
    return { length: m[0].length, tex: m[3], display: true, open: 0, close: 0 };
  }
  const display = m[1] !== undefined || m[2] !== undefined;
  const tex = m[1] ?? m[2] ?? m[5] ?? m[6] ?? m[7];
  const delimiter = m[1] !== undefined ? 2 : m[6] !== undefined || m[7] !== undefined ? 1 : 2;
  return { length: m[0].length, tex, display, open: delimiter, close: delimiter };
}

function formulaElement(cx, type, from, found) {
  const to = from + found.length;
  const marks = [];
  if (found.open) marks.push(cx.elt("MathMark", from, from + found.open));
  if (found.close) marks.push(cx.elt("MathMark", to - found.close, to));
  return cx.elt(type, from, to, marks);
}

const inlineMath = {
  name: "Math",
  before: "Escape", // so \( and \[ are math, not escaped brackets
  parse(cx, next, pos) {
    if (next !== DOLLAR && next !== BACKSLASH) return -1;
    if (next === BACKSLASH) {
      const after = cx.char(pos + 1);
      if (after !== 40 && after !== 91 && after !== 98) return -1; // ( [ b(egin)
    }
    const found = matchFormula(cx.slice(pos, cx.end));
    if (!found) return -1;
    return cx.addElement(formulaElement(cx, found.display ? "DisplayMath" : "InlineMath", pos, found));
  },
};

const BLOCK_OPENER = /^(\$\$|\\\[|\\begin\{([a-zA-Z]+\*?)\})/;

/* A display formula that starts a block runs to the line its closing delimiter ends, so a
   line inside it starting with "-" or "#" is no list or heading (as on the server). */
const blockMath = {
  name: "BlockMath",
  before: "FencedCode",
  parse(cx, line) {
    if (line.indent - line.baseIndent >= 4) return false;
    const opener = BLOCK_OPENER.exec(line.text.slice(line.pos));
    if (!opener) return false;
    const closer = opener[2] ? `\\end{${opener[2]}}` : opener[1] === "$$" ? "$$" : "\\]";
    const from = cx.lineStart + line.pos;
    let rest = line.text.slice(line.pos + opener[0].length);
    let to;
    for (;;) {
      const trimmed = rest.trimEnd();
      if (trimmed.endsWith(closer) && trimmed.length >= closer.length) {
        to = cx.lineStart + line.text.trimEnd().length;
        break;
      }
      if (!cx.nextLine() || line.text.trim() === "") {
        to = cx.prevLineEnd();
        break;
      }
      rest = line.text;
    }
    cx.addElement(cx.elt("BlockMath", from, to));
    cx.nextLine();
    return true;
  },
};

export const mathSyntax = {
  defineNodes: [
    { name: "InlineMath", style: mathTag },
    { name: "DisplayMath", style: mathTag },
    { name: "BlockMath", block: true, style: mathTag },
    { name: "MathMark", style: mathMarkTag },
  ],
  parseInline: [inlineMath],
  parseBlock: [blockMath],
};

const MATH_NODES = new Set(["InlineMath", "DisplayMath", "BlockMath"]);

/* The formula node around document position `pos` (either side), as {from, to, tex, display}. */
export function formulaAt(state, pos) {
  for (const side of [1, -1]) {
    for (let node = syntaxTree(state).resolveInner(pos, side); node; node = node.parent) {
      if (MATH_NODES.has(node.name)) {
        const source = state.sliceDoc(node.from, node.to);
        const found = node.name === "BlockMath" ? matchFormula(source.trim()) : matchFormula(source);
        if (!found) return null;
        return { from: node.from, to: node.to, tex: found.tex, display: found.display };
      }
    }
  }
  return null;
}

function typesetDom(formula) {
  const dom = document.createElement("div");
  dom.className = "desk-math-popup";
  katex.render(formula.tex, dom, {
    displayMode: formula.display,
    throwOnError: false,
    trust: false,
    strict: "ignore",
    maxExpand: 1000,
    maxSize: 50,
  });
  return dom;
}

function tooltipFor(formula) {
  return {
    pos: formula.from,
    end: formula.to,
    above: true,
    create: () => ({ dom: typesetDom(formula) }),
  };
}

/* Cursor inside a formula: its typeset form above it. */
const cursorMath = StateField.define({
  create: () => null,
  update(value, tr) {
    if (!tr.docChanged && !tr.selection && value !== null) return value;
    const { main } = tr.state.selection;
    if (!main.empty) return null;
    const formula = formulaAt(tr.state, main.head);
    if (!formula) return null;
    if (value && value.from === formula.from && value.tex === formula.tex) return value;
    return formula;
  },
  provide: (field) => showTooltip.compute([field], (state) => {
    const formula = state.field(field);
    return formula ? tooltipFor(formula) : null;
  }),
});

const hoverMath = hoverTooltip((view, pos) => {
  const formula = formulaAt(view.state, pos);
  return formula ? tooltipFor(formula) : null;
});

export const mathPopups = [cursorMath, hoverMath];
