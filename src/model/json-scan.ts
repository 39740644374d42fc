/**
 * One pass over the UTF-8 bytes of a JSON text, before any `JSON.parse`, that finds what
 * `JSON.parse` cannot tell:
 * - **duplicate keys** — `JSON.parse` keeps the last value silently, the API server's strict
 *   decoding refuses the object; keys are compared byte for byte within each object (exact for
 *   valid UTF-8 without escapes; a key with a backslash escape makes the answer undecided, and the
 *   caller compares `keys` with the parsed value's `keyCount`);
 * - **long numbers** — a number token with 16 or more digits in a row, which a double may not
 *   hold exactly (the caller reads such texts with the YAML parser, which keeps big integers);
 * - **the items of a `kind: List`** — when the text is one object whose top-level `items` member
 *   is an array of objects, each item's byte range, so that items are decoded and parsed one at a
 *   time (a step each) instead of by one `JSON.parse` that blocks for the whole text.
 *
 * The scan does not validate JSON: the caller parses the head (the text with `"items":[]`) and
 * every item, which together with the separators checked here is exactly the whole text's
 * grammar; a text that is not JSON gives some answer and then fails to parse. Work and memory are
 * linear in the text (a key is compared with the earlier keys of its object only while the object
 * has at most SMALL_OBJECT keys; larger objects keep their keys in a Set). The scan runs in steps
 * (`scan(until)`) so that a large text does not block the event loop as one unit.
 */

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const ZERO = 48;
const NINE = 57;

/** JSON whitespace (what JSON.parse skips); \s would also match a BOM or a no-break space. */
function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Whether the first non-whitespace character of `text` opens a JSON object or array. */
export function looksLikeJson(text: string | Uint8Array): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = typeof text === 'string' ? text.charCodeAt(i) : text[i];
    if (!isSpace(c)) return c === OPEN_BRACE || c === OPEN_BRACKET;
  }
  return false;
}

/** The longest digit run in a number token that a double is sure to hold exactly. */
const MAX_DIGITS = 15;
/** Objects with more keys than this check a new key against a Set instead of one by one. */
const SMALL_OBJECT = 32;

/** What the `items` array of a top-level List looks like so far. */
const enum Items {
  /** No top-level `items` key seen yet. */
  None,
  /** The key was read; its value comes next. */
  KeyRead,
  /** Inside the array, before the first item or after a comma: an object must come. */
  WantItem,
  /** Inside the array after an item: a comma or the end must come. */
  AfterItem,
  /** The array was closed after well-formed items. */
  Closed,
  /** Not a list of objects separated by single commas: no split. */
  Unsplittable,
}

export class JsonScan {
  /** Some object has a key twice (compared byte for byte). */
  duplicate = false;
  /** Some key has a backslash escape: `duplicate` is only meaningful together with `keys`. */
  escapedKey = false;
  /** Key tokens in the text (to compare with `keyCount` of the parsed value when `escapedKey`). */
  keys = 0;
  /** A number token has more than MAX_DIGITS digits in a row. */
  longNumber = false;
  /** Where the scan continues: all of `bytes` has been scanned once `pos === bytes.length`. */
  pos = 0;

  private depth = 0;
  /** Per depth (1 = the top-level value): whether that container is an object, and its first key's index in the key stack. */
  private isObject = new Uint8Array(64);
  private keyBase = new Int32Array(64);
  /** The keys of the open objects, innermost last: a cheap fingerprint, start and length of each. */
  private keyPrint = new Int32Array(256);
  private keyStart = new Int32Array(256);
  private keyLength = new Int32Array(256);
  private keyTop = 0;
  /** Per depth, the keys of open objects with more than SMALL_OBJECT keys. */
  private large = new Map<number, Set<string>>();
  /** A key is due next (after `{` or after a comma in an object). */
  private wantKey = false;
  private digits = 0;
  private items = Items.None;
  /** The items array's `[` and `]`, and each item's start and end (exclusive). */
  private open = -1;
  private close = -1;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  constructor(readonly bytes: Buffer) {}

  /** Scans up to at least `until` (or the end): at most one string or token beyond it. */
  scan(until: number): void {
    const b = this.bytes;
    const end = Math.min(until, b.length);
    let i = this.pos;
    let digits = this.digits;
    while (i < end) {
      const c = b[i];
      if (c === QUOTE) {
        let j = i + 1;
        let escaped = false;
        while (j < b.length) {
          const d = b[j];
          if (d === QUOTE) break;
          if (d === BACKSLASH) {
            escaped = true;
            j++;
          }
          j++;
        }
        if (this.wantKey) this.key(i + 1, Math.min(j, b.length), escaped);
        else if (this.depth === 2 && this.inItems()) this.items = Items.Unsplittable; // a string item
        i = j + 1;
        digits = 0;
        continue;
      }
      if (c >= ZERO && c <= NINE) {
        if (++digits > MAX_DIGITS) this.longNumber = true;
        if (this.depth === 2 && this.inItems()) this.items = Items.Unsplittable; // a number item
        i++;
        continue;
      }
      digits = 0;
      if (c === OPEN_BRACE || c === OPEN_BRACKET) this.push(c === OPEN_BRACE, i);
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) this.pop(i);
      else if (c === COMMA) this.comma();
      else if (this.depth === 2 && this.inItems() && !isSpace(c)) {
        this.items = Items.Unsplittable; // true, false or null as an item, or a stray character
      }
      i++;
    }
    this.pos = Math.min(i, b.length);
    this.digits = digits;
  }

  /**
   * The List's head and its items' byte ranges when the text is one object whose single top-level
   * `items` member is an array of objects separated by commas; otherwise undefined. Call after
   * the whole text is scanned.
   */
  list(): { head: Buffer; starts: number[]; ends: number[] } | undefined {
    if (this.items !== Items.Closed || this.depth !== 0) return undefined;
    const b = this.bytes;
    return { head: Buffer.concat([b.subarray(0, this.open + 1), b.subarray(this.close)]), starts: this.starts, ends: this.ends };
  }

  private inItems(): boolean {
    return this.items === Items.WantItem || this.items === Items.AfterItem;
  }

  private push(object: boolean, at: number): void {
    if (this.depth === 1 && this.items === Items.KeyRead) {
      if (object) this.items = Items.Unsplittable;
      else {
        this.items = Items.WantItem;
        this.open = at;
      }
    } else if (this.depth === 2 && this.inItems()) {
      if (object && this.items === Items.WantItem) {
        this.items = Items.AfterItem;
        this.starts.push(at);
      } else this.items = Items.Unsplittable; // an array item, or a missing comma
    }
    const d = ++this.depth;
    if (d >= this.isObject.length) {
      this.isObject = grown(this.isObject);
      this.keyBase = grown(this.keyBase);
    }
    this.isObject[d] = object ? 1 : 0;
    this.keyBase[d] = this.keyTop;
    this.wantKey = object;
  }

  private pop(at: number): void {
    const d = this.depth;
    if (d === 0) return; // not JSON; JSON.parse will say so
    this.keyTop = this.keyBase[d];
    if (this.large.size > 0) this.large.delete(d);
    this.depth = d - 1;
    this.wantKey = false;
    if (d === 3 && this.inItems()) this.ends.push(at + 1);
    else if (d === 2 && this.inItems()) {
      // `[]` or after an item; `[{},]` (a comma, then the end) is not JSON
      this.items = this.starts.length === 0 || this.items === Items.AfterItem ? Items.Closed : Items.Unsplittable;
      this.close = at;
    } else if (d === 1 && this.items === Items.KeyRead) this.items = Items.Unsplittable;
  }

  private comma(): void {
    const d = this.depth;
    this.wantKey = this.isObject[d] === 1;
    if (d === 2 && this.inItems()) this.items = this.items === Items.AfterItem ? Items.WantItem : Items.Unsplittable;
    else if (d === 1 && this.items === Items.KeyRead) this.items = Items.Unsplittable; // `"items":,`
  }

  /** Records the key in bytes [start, end) of the innermost object; flags a duplicate. */
  private key(start: number, end: number, escaped: boolean): void {
    this.wantKey = false;
    this.keys++;
    if (escaped) this.escapedKey = true;
    const b = this.bytes;
    const length = end - start;
    const d = this.depth;
    if (d === 1 && length === 5 && isItems(b, start)) {
      this.items = this.items === Items.None ? Items.KeyRead : Items.Unsplittable;
    }
    const print = length === 0 ? 0 : length ^ (b[start] << 8) ^ (b[end - 1] << 16) ^ (b[start + (length >> 1)] << 24);
    const base = this.keyBase[d];
    const large = this.large.size > 0 ? this.large.get(d) : undefined;
    if (large !== undefined) {
      const text = latin1(b, start, end);
      if (large.has(text)) this.duplicate = true;
      large.add(text);
      return;
    }
    for (let k = base; k < this.keyTop; k++) {
      if (this.keyPrint[k] === print && this.keyLength[k] === length && sameBytes(b, this.keyStart[k], start, length)) {
        this.duplicate = true;
      }
    }
    if (this.keyTop - base >= SMALL_OBJECT) {
      const set = new Set<string>();
      for (let k = base; k < this.keyTop; k++) set.add(latin1(b, this.keyStart[k], this.keyStart[k] + this.keyLength[k]));
      set.add(latin1(b, start, end));
      this.large.set(d, set);
      return;
    }
    const top = this.keyTop++;
    if (top >= this.keyPrint.length) {
      this.keyPrint = grown(this.keyPrint);
      this.keyStart = grown(this.keyStart);
      this.keyLength = grown(this.keyLength);
    }
    this.keyPrint[top] = print;
    this.keyStart[top] = start;
    this.keyLength[top] = length;
  }
}

function isItems(b: Uint8Array, at: number): boolean {
  return b[at] === 105 && b[at + 1] === 116 && b[at + 2] === 101 && b[at + 3] === 109 && b[at + 4] === 115; // items
}

function sameBytes(b: Uint8Array, x: number, y: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (b[x + k] !== b[y + k]) return false;
  return true;
}

/** Bytes [start, end) as a string with one character per byte (an exact stand-in for comparing keys). */
function latin1(b: Buffer, start: number, end: number): string {
  return b.toString('latin1', start, end);
}

function grown<T extends Uint8Array | Int32Array>(a: T): T {
  const bigger = new (a.constructor as new (n: number) => T)(a.length * 2);
  bigger.set(a);
  return bigger;
}

/** Scans all of `bytes`, `step` bytes at a time, yielding after each step; returns the finished scan. */
export function* scanSteps(bytes: Buffer, step: number): Generator<void, JsonScan> {
  const scan = new JsonScan(bytes);
  while (scan.pos < bytes.length) {
    scan.scan(scan.pos + step);
    yield;
  }
  return scan;
}

/** A top-level `kind: List` object read item by item: its head (without `items`), its items, and each item's byte range. */
export interface ScannedList {
  head: Record<string, unknown>;
  items: unknown[];
  starts: number[];
  ends: number[];
}

/**
 * When the text `scan` has scanned is one `kind: List` object whose items it could split: the
 * head and each item parsed with `JSON.parse`, yielding after every `perStep` items; otherwise
 * undefined (parse the text whole). Throws JSON.parse's SyntaxError when the head or an item is
 * not JSON — then the text is not.
 */
export function* scannedList(scan: JsonScan, perStep: number): Generator<void, ScannedList | undefined> {
  const list = scan.list();
  if (!list) return undefined;
  const head = JSON.parse(list.head.toString('utf8')) as unknown;
  if (typeof head !== 'object' || head === null || Array.isArray(head) || (head as { kind?: unknown }).kind !== 'List') return undefined;
  const items: unknown[] = [];
  for (let k = 0; k < list.starts.length; k++) {
    items.push(JSON.parse(scan.bytes.toString('utf8', list.starts[k], list.ends[k])));
    if (items.length % perStep === 0) yield;
  }
  return { head: head as Record<string, unknown>, items, starts: list.starts, ends: list.ends };
}

/** The number of keys in a parsed JSON value (all objects, at any depth). */
export function keyCount(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  let n = 0;
  if (Array.isArray(v)) {
    for (const e of v) n += keyCount(e);
  } else {
    for (const k in v) n += 1 + keyCount((v as Record<string, unknown>)[k]);
  }
  return n;
}
