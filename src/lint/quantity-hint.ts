/**
 * A suggestion for a value that is not a Kubernetes quantity but was meant as one, written
 * with a unit a quantity has no room for: `400Gbps` → `400G`, `10GiB` → `10Gi`, `512 MB` →
 * `512M`. Only when the number, an SI or binary suffix, and a plain unit word (bytes, bits,
 * per second, Hz) are all there is; anything else gets no guess.
 */

import { Quantity } from '../model/quantity.js';

const SHAPE = /^([+-]?(?:\d+\.?\d*|\.\d+))\s*(Ki|Mi|Gi|Ti|Pi|Ei|[numkKMGTPE])?(.*)$/;
const UNIT_WORD = /^(?:B|bytes?|b|bits?|bps|b\/s|bit\/s|\/s|ps|Hz)$/i;

export function quantitySuggestion(text: string): string | undefined {
  const m = SHAPE.exec(text.trim());
  if (!m) return undefined;
  const [, number, written = '', rest] = m;
  let suffix = written;
  let unit = rest.trim();
  if (suffix === 'k' && unit.startsWith('i')) [suffix, unit] = ['Ki', unit.slice(1)]; // kiB
  if (suffix === 'K') suffix = 'k'; // kilo is `k`; `K` alone is no suffix
  if (unit !== '' && (suffix === 'm' || !UNIT_WORD.test(unit))) return undefined; // `1mB`: milli-bytes was not meant
  const candidate = `${number}${suffix}`;
  return candidate !== text && Quantity.tryParse(candidate) ? candidate : undefined;
}
