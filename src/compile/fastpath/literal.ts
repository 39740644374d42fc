/**
 * The literal fast path: selectors that only compare the driver or string attributes with
 * string literals, recognised on the text and decided without the CEL runtime — the shape of
 * nearly every DeviceClass in practice, e.g.
 *   device.driver == "gpu.nvidia.com" && device.attributes["gpu.nvidia.com"].model == "A100"
 *
 * Accepted (whitespace: space, tab, CR, LF between tokens):
 *   expr    := and ('||' and)*        and := unary ('&&' unary)*
 *   unary   := '!'* '(' expr ')' | compare
 *   compare := operand ('==' | '!=') string | string ('==' | '!=') operand
 *   operand := 'device' '.' 'driver' | 'device' '.' 'attributes' access access
 *   access  := '.' identifier | '[' string ']'
 *   string  := "…" or '…' without backslash, line break, tab or the quote (no r/b prefix, no """)
 * in printable ASCII, with at most MAX_TERMS comparisons and MAX_NESTING parentheses. Anything
 * else is undefined (the text is then compiled by the CEL runtime).
 *
 * Why this is exact: every accepted text parses in CEL to the same tree and type-checks in the
 * DRA environment (`driver` is a string; `attributes` a map of maps of dyn; `==`/`!=` accept
 * string or dyn against string), so it never has a compile error; its size is far below the
 * length, nesting and cost limits. A comparison is decided only where CEL's value is a plain
 * string comparison: on convertible devices whose driver or attribute is a string. Where the
 * attribute is absent (CEL: "no such key"), of another type (heterogeneous equality), or the
 * device is unconvertible (every selector fails), it is UNKNOWN and left to the evaluator, so
 * errors and their texts stay the evaluator's — as in mask.ts.
 */
import type { Columns, ColumnKey } from './columns.js';
import { evaluateLogic, leavesOf, FALSE, TRUE, UNKNOWN, type Logic } from './logic.js';
import type { Reference } from './plan.js';

/** `key == value` (or `!=` when `equal` is false). */
export type Compare = { op: 'compare'; key: ColumnKey; value: string; equal: boolean };
export type LiteralPlan = Logic<Compare>;

const MAX_TERMS = 64;
const MAX_NESTING = 8;

/** CEL's reserved words: not usable as a field name after `.`. */
const RESERVED = new Set(
  'true false null in as break const continue else for function if import let loop namespace package return var void while'.split(' '),
);

type Token = { kind: 'ident' | 'string' | 'punct'; text: string };

function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 256))!;
      if (m[0].length === 256) return undefined;
      tokens.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
    } else if (c === '"' || c === "'") {
      if (text.startsWith(c.repeat(3), i)) return undefined; // triple-quoted
      const end = text.indexOf(c, i + 1);
      if (end === -1) return undefined;
      const body = text.slice(i + 1, end);
      if (body.includes('\\') || body.includes('\n') || body.includes('\r') || body.includes('\t')) return undefined; // escapes, line breaks, tabs
      tokens.push({ kind: 'string', text: body });
      i = end + 1;
    } else {
      const two = text.slice(i, i + 2);
      if (two === '==' || two === '!=' || two === '&&' || two === '||') {
        tokens.push({ kind: 'punct', text: two });
        i += 2;
      } else if ('.[]()!'.includes(c)) {
        tokens.push({ kind: 'punct', text: c });
        i++;
      } else {
        return undefined;
      }
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;
  private terms = 0;
  constructor(private readonly tokens: Token[]) {}

  /** The whole text as a plan, or undefined. */
  parse(): LiteralPlan | undefined {
    const p = this.expr(0);
    return p !== undefined && this.pos === this.tokens.length ? p : undefined;
  }

  private peek(text: string): boolean {
    const t = this.tokens[this.pos];
    return t !== undefined && t.kind === 'punct' && t.text === text;
  }

  private take(kind: Token['kind'], text?: string): string | undefined {
    const t = this.tokens[this.pos];
    if (t === undefined || t.kind !== kind || (text !== undefined && t.text !== text)) return undefined;
    this.pos++;
    return t.text;
  }

  private expr(depth: number): LiteralPlan | undefined {
    return this.chain('||', 'or', () => this.chain('&&', 'and', () => this.unary(depth)));
  }

  private chain(sep: string, op: 'and' | 'or', next: () => LiteralPlan | undefined): LiteralPlan | undefined {
    const args: LiteralPlan[] = [];
    do {
      const a = next();
      if (a === undefined) return undefined;
      args.push(a);
    } while (this.take('punct', sep) !== undefined);
    return args.length === 1 ? args[0] : { op, args };
  }

  private unary(depth: number): LiteralPlan | undefined {
    let nots = 0;
    while (this.take('punct', '!') !== undefined) nots++;
    if (this.peek('(')) {
      if (depth >= MAX_NESTING) return undefined;
      this.pos++;
      let p = this.expr(depth + 1);
      if (p === undefined || this.take('punct', ')') === undefined) return undefined;
      for (; nots > 0; nots--) p = { op: 'not', arg: p };
      return p;
    }
    return nots === 0 ? this.compare() : undefined; // `!a == b` is `(!a) == b` in CEL: not ours
  }

  private compare(): Compare | undefined {
    if (++this.terms > MAX_TERMS) return undefined;
    const before = this.take('string');
    const key = before === undefined ? this.operand() : undefined;
    if (before === undefined && key === undefined) return undefined;
    const op = this.take('punct', '==') ?? this.take('punct', '!=');
    if (op === undefined) return undefined;
    const value = before ?? this.take('string');
    const k = key ?? this.operand();
    if (value === undefined || k === undefined) return undefined;
    return { op: 'compare', key: k, value, equal: op === '==' };
  }

  private operand(): ColumnKey | undefined {
    if (this.take('ident', 'device') === undefined || this.take('punct', '.') === undefined) return undefined;
    const field = this.take('ident');
    if (field === 'driver') return { kind: 'driver' };
    if (field !== 'attributes') return undefined;
    const domain = this.access();
    const name = domain === undefined ? undefined : this.access();
    return name === undefined ? undefined : { kind: 'attributes', domain: domain!, name };
  }

  private access(): string | undefined {
    if (this.take('punct', '.') !== undefined) {
      const id = this.take('ident');
      return id === undefined || RESERVED.has(id) ? undefined : id;
    }
    if (this.take('punct', '[') === undefined) return undefined;
    const s = this.take('string');
    return s !== undefined && this.take('punct', ']') !== undefined ? s : undefined;
  }
}

/** The plan of a selector in the literal subset (see the module doc), or undefined. */
export function literalPlan(expression: string): LiteralPlan | undefined {
  if (expression.length > 4096 || !/^[\t\n\r\x20-\x7e]*$/.test(expression)) return undefined; // printable ASCII only
  const tokens = tokenize(expression);
  return tokens === undefined ? undefined : new Parser(tokens).parse();
}

/** The columns `literalMask` reads. */
export function literalKeys(plan: LiteralPlan): ColumnKey[] {
  return leavesOf(plan).map((c) => c.key);
}

/** The attributes a literal plan reads, in source order (as plan.ts `references` gives them for the AST). */
export function literalReferences(plan: LiteralPlan): Reference[] {
  return leavesOf(plan).flatMap(({ key }) => (key.kind === 'attributes' ? [{ kind: key.kind, domain: key.domain, name: key.name }] : []));
}

/**
 * TRUE/FALSE/UNKNOWN for every device of `columns.inv`; with `pending`, only devices whose
 * entry there is 1 are decided, the others are UNKNOWN.
 */
export function literalMask(plan: LiteralPlan, columns: Columns, pending?: Uint8Array): Uint8Array {
  const { inv, convertible } = columns;
  return evaluateLogic(plan, (c) => {
    const { ids, texts } = columns.column(c.key);
    // Per value id: a string ('s' + text) compares; absent ('') or another type stays UNKNOWN.
    const table = texts.map((t) => (t[0] !== 's' ? UNKNOWN : (t.slice(1) === c.value) === c.equal ? TRUE : FALSE));
    const out = new Uint8Array(inv.size);
    for (let i = 0; i < out.length; i++) if (convertible[i] === 1 && (pending === undefined || pending[i] === 1)) out[i] = table[ids[i]];
    return out;
  });
}
