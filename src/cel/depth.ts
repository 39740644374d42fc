/**
 * cel-go's parser stops at a recursion depth of 250 `expr` rules (parser option
 * `MaxRecursionDepth`, default 250) with `expression recursion limit exceeded: 250`; the
 * recursive parser, checker and planner here would otherwise run out of JS stack on deeper
 * input. The depth is measured on the text before parsing: every bracket — `(`, `[`, `{` —
 * opens an `expr` inside (arguments, elements, indexes, entries), and so does every `?` of a
 * conditional (its else branch is an `expr`), until the enclosing bracket closes. String and
 * bytes literals are skipped.
 */

/** cel-go's default parser recursion limit. */
export const MAX_RECURSION_DEPTH = 250;

/** The deepest nesting of `expr` rules in `text` (the whole expression is depth 1). */
export function exprDepth(text: string): number {
  let max = 1;
  // Per open bracket: the depth of the `expr` it opened; the innermost one last.
  const open: number[] = [];
  let depth = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i = skipString(text, i);
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      open.push(depth);
      depth++;
    } else if (c === ')' || c === ']' || c === '}') {
      depth = open.pop() ?? 1;
    } else if (c === '?') {
      depth++;
    } else {
      continue;
    }
    if (depth > max) max = depth;
  }
  return max;
}

/** Index of the last character of the string literal starting at `start` (raw and triple-quoted ones included). */
function skipString(text: string, start: number): number {
  const raw = start > 0 && /[rR]/.test(text[start - 1]);
  const q = text[start];
  const triple = text.startsWith(q.repeat(3), start);
  const end = triple ? q.repeat(3) : q;
  for (let i = start + end.length; i < text.length; i++) {
    if (!raw && text[i] === '\\') {
      i++;
      continue;
    }
    if (text.startsWith(end, i)) return i + end.length - 1;
  }
  return text.length;
}
