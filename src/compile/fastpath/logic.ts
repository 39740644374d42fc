/**
 * The `&&`, `||`, `!` skeleton shared by the selector fast paths: a tree over leaves of any kind
 * (plan.ts: CEL sub-expressions; literal.ts: literal comparisons), and its evaluation over a
 * whole inventory with CEL's commutative logic — false absorbs errors in `&&`, true in `||`.
 * A mask entry is TRUE, FALSE or UNKNOWN (an error, or not decided: "ask the evaluator").
 */

/** Mask entry codes (shared with selectors.ts, which adds ERROR). */
export const UNKNOWN = 0;
export const TRUE = 1;
export const FALSE = 2;

export type Logic<L> = { op: 'and' | 'or'; args: Logic<L>[] } | { op: 'not'; arg: Logic<L> } | L;

function isLeaf<L>(p: Logic<L>): p is L {
  const op = (p as { op: string }).op;
  return op !== 'and' && op !== 'or' && op !== 'not';
}

/** Whether some leaf of the plan satisfies `test`. */
export function someLeaf<L>(p: Logic<L>, test: (leaf: L) => boolean): boolean {
  if (isLeaf(p)) return test(p);
  const q = p as Exclude<Logic<L>, L>;
  return q.op === 'not' ? someLeaf(q.arg, test) : q.args.some((a) => someLeaf(a, test));
}

/** The leaves of the plan, left to right. */
export function leavesOf<L>(p: Logic<L>): L[] {
  if (isLeaf(p)) return [p];
  const q = p as Exclude<Logic<L>, L>;
  return q.op === 'not' ? leavesOf(q.arg) : q.args.flatMap((a) => leavesOf(a));
}

/** The plan's value per device, from each leaf's values (`leaf` returns a fresh array the combination may overwrite). */
export function evaluateLogic<L>(p: Logic<L>, leaf: (l: L) => Uint8Array): Uint8Array {
  if (isLeaf(p)) return leaf(p);
  const q = p as Exclude<Logic<L>, L>;
  if (q.op === 'not') {
    const v = evaluateLogic(q.arg, leaf);
    for (let i = 0; i < v.length; i++) v[i] = v[i] === TRUE ? FALSE : v[i] === FALSE ? TRUE : UNKNOWN;
    return v;
  }
  const [dominant, other] = q.op === 'and' ? [FALSE, TRUE] : [TRUE, FALSE];
  const a = evaluateLogic(q.args[0], leaf);
  for (const arg of q.args.slice(1)) {
    const b = evaluateLogic(arg, leaf);
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      const y = b[i];
      a[i] = x === dominant || y === dominant ? dominant : x === other && y === other ? other : UNKNOWN;
    }
  }
  return a;
}
