/* Counts that fit Chinese, from the editor's own parse: CJK characters one each, English words
   as words, formulas, images, and the reading time the page will show. The text counted is
   the page's plain text (articles/rendering/plaintext.py): markup removed, code blocks,
   images, URLs and HTML tags dropped, formulas as written; the minutes are
   articles/rendering/reading.py's formula, Python's rounding included. */
import { ensureSyntaxTree, syntaxTree } from "@codemirror/language";
import { matchFormula } from "./math.js";

const HAN_RE = /\p{Script=Han}/gu;
const WORD_RE = /[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*/g;

/* Dropped with everything inside them. */
const DROPPED = new Set([
  "FencedCode", "CodeBlock", "Image", "LinkTitle", "LinkLabel", "LinkReference",
  "HTMLTag", "Comment", "CommentBlock", "ProcessingInstruction", "ProcessingInstructionBlock",
  "EmphasisMark", "HeaderMark", "QuoteMark", "ListMark", "CodeMark", "LinkMark",
  "StrikethroughMark", "TableDelimiter", "HorizontalRule", "TaskMarker", "Entity",
]);
const MATH = new Set(["InlineMath", "DisplayMath", "BlockMath"]);
/* Inline markup: its text joins the words around it (blocks are separated by a space). */
const INLINE = new Set(["Emphasis", "StrongEmphasis", "Link", "InlineCode", "Strikethrough", "Autolink"]);

/* Python's round(): halves to the even neighbour. */
export function roundHalfEven(value) {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (Math.abs(diff - 0.5) < 1e-9) return floor % 2 === 0 ? floor : floor + 1;
  return Math.round(value);
}

export function readingMinutes(han, words) {
  return Math.max(1, roundHalfEven(han / 400 + words / 200));
}

const DELIMITER_ROW = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

/* A table's text and formulas. The editor's table parser splits cells at every "|", also in
   "$|x|$"; the renderer masks pipes inside formulas first, so the rows are scanned here as it
   reads them: formulas (never in code spans) whole, the other pipes between cells. */
const TABLE_IMAGE = /!\[[^\]]*\]\([^)]*\)/g;
const TABLE_LINK = /\[([^\]]*)\]\([^)]*\)/g;

function tableText(source) {
  const out = [];
  let formulas = 0;
  let images = 0;
  for (const line of source.split("\n")) {
    if (DELIMITER_ROW.test(line)) continue;
    const row = line
      .replace(TABLE_IMAGE, () => {
        images += 1;
        return " ";
      })
      .replace(TABLE_LINK, "$1");
    let i = 0;
    while (i < row.length) {
      const c = row[i];
      if (c === "`") {
        const run = /^`+/.exec(row.slice(i))[0];
        const close = row.indexOf(run, i + run.length);
        const end = close < 0 ? i + run.length : close + run.length;
        out.push(row.slice(i, end).replaceAll("`", ""));
        i = end;
      } else if (c === "\\" && (row[i + 1] === "\\" || row[i + 1] === "$")) {
        out.push(row[i + 1]);
        i += 2;
      } else if (c === "$" || c === "\\") {
        const found = matchFormula(row.slice(i));
        if (found) {
          formulas += 1;
          out.push(row.slice(i, i + found.length));
          i += found.length;
        } else {
          out.push(c);
          i += 1;
        }
      } else {
        out.push(c === "|" ? " " : c);
        i += 1;
      }
    }
    out.push(" ");
  }
  return { text: out.join(""), formulas, images };
}

function stripTags(html) {
  return html.replace(/<[^>]*>/g, " ");
}

/* The plain text of the document, blocks separated by spaces. */
function plainText(state, tree) {
  const out = [];
  let formulas = 0;
  let images = 0;
  const doc = state.doc;
  const walk = (node) => {
    let pos = node.from;
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.from > pos) out.push(doc.sliceString(pos, child.from));
      if (MATH.has(child.name)) {
        formulas += 1;
        out.push(doc.sliceString(child.from, child.to));
      } else if (child.name === "Image") {
        images += 1;
      } else if (child.name === "URL" && node.name === "Link") {
        /* a link's address is not text; a bare URL is (markdown-it's linkify keeps it) */
      } else if (child.name === "Escape") {
        out.push(doc.sliceString(child.from + 1, child.to));
      } else if (child.name === "Table") {
        const table = tableText(doc.sliceString(child.from, child.to));
        formulas += table.formulas;
        images += table.images;
        out.push(" ", table.text, " ");
      } else if (child.name === "HTMLBlock") {
        out.push(" ", stripTags(doc.sliceString(child.from, child.to)), " ");
      } else if (!DROPPED.has(child.name)) {
        const gap = INLINE.has(child.name) ? "" : " ";
        out.push(gap);
        walk(child.node);
        out.push(gap);
      }
      pos = child.to;
    }
    if (node.to > pos) out.push(doc.sliceString(pos, node.to));
  };
  walk(tree.topNode);
  return { text: out.join(""), formulas, images };
}

export function countDocument(state) {
  const tree = ensureSyntaxTree(state, state.doc.length, 200) || syntaxTree(state);
  const { text, formulas, images } = plainText(state, tree);
  const han = (text.match(HAN_RE) || []).length;
  const words = (text.match(WORD_RE) || []).length;
  return { characters: han + words, han, words, formulas, images, minutes: readingMinutes(han, words) };
}
