/**
 * A large JSON `kind: List` document cut into its items' texts, so that it is parsed one item at
 * a time (each one step of the sliced load) instead of by one `JSON.parse` that blocks for the
 * whole text. One scan tracks strings and nesting; anything it does not recognise gives
 * undefined and the caller parses the text whole, so the result is always what `JSON.parse` of
 * the whole text would give.
 */

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** The index of the next non-whitespace character at or after `i`. */
function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

export interface SplitList {
  /** The document without its items (`items: []`): kind, apiVersion, metadata. */
  head: Record<string, unknown>;
  /** Each item's JSON text, in order. */
  items: string[];
}

/**
 * The items of `text` when it is one JSON object with `"kind": "List"` whose single top-level
 * `"items"` member is an array of objects; otherwise undefined.
 */
export function splitJsonList(text: string): SplitList | undefined {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  let depth = 0;
  let open = -1; // the items array's `[`
  let close = -1; // its `]`
  let itemStart = -1;
  const items: string[] = [];
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i;
      for (i++; i < text.length && text.charCodeAt(i) !== QUOTE; i++) if (text.charCodeAt(i) === BACKSLASH) i++;
      if (i >= text.length) return undefined;
      if (depth === 1 && text.slice(start, i + 1) === '"items"') {
        const colon = skipSpace(text, i + 1);
        if (text.charCodeAt(colon) !== COLON) continue; // a value, not a key
        const value = skipSpace(text, colon + 1);
        if (open >= 0 || text.charCodeAt(value) !== OPEN_BRACKET) return undefined;
        open = value;
        i = value;
        depth = 2;
      } else if (depth === 2 && open >= 0 && close < 0) {
        return undefined; // a string item
      }
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === 2 && open >= 0 && close < 0) {
        if (c !== OPEN_BRACE) return undefined;
        itemStart = i;
      }
      depth++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 2 && open >= 0 && close < 0 && itemStart >= 0) {
        items.push(text.slice(itemStart, i + 1));
        itemStart = -1;
      } else if (depth === 1 && open >= 0 && close < 0) {
        close = i;
      }
      if (depth === 0) {
        if (skipSpace(text, i + 1) !== text.length) return undefined;
        break;
      }
    } else if (depth === 2 && open >= 0 && close < 0 && c !== COMMA && !isSpace(c)) {
      return undefined; // a number, true, false or null item
    }
  }
  if (open < 0 || close < 0 || depth !== 0) return undefined;
  let head: unknown;
  try {
    head = JSON.parse(text.slice(0, open + 1) + text.slice(close));
  } catch {
    return undefined;
  }
  if (typeof head !== 'object' || head === null || (head as { kind?: unknown }).kind !== 'List') return undefined;
  return { head: head as Record<string, unknown>, items };
}
