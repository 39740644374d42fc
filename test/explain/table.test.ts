/** Terminal tables and colour (src/cli/table.ts): colour only on a TTY without NO_COLOR; alignment ignores colour codes. */
import { describe, it, expect } from 'vitest';
import { paletteFor, table, visibleLength, PLAIN } from '../../src/cli/table.js';

describe('table and colour', () => {
  it('colours only on a TTY, and never with NO_COLOR set', () => {
    expect(paletteFor(true, {}).red('x')).toBe('\u001b[31mx\u001b[0m');
    expect(paletteFor(true, { NO_COLOR: '1' }).red('x')).toBe('x');
    expect(paletteFor(false, {}).red('x')).toBe('x');
    expect(paletteFor(undefined, {})).toBe(PLAIN);
  });

  it('aligns columns by what the terminal shows, without trailing blanks', () => {
    const c = paletteFor(true, {});
    expect(visibleLength(c.bold('abc'))).toBe(3);
    const out = table([[c.red('a'), 'xyz'], ['long-cell', '']], ['H1', 'H2']);
    expect(out.replace(/\u001b\[[0-9;]*m/g, '')).toBe('H1         H2\na          xyz\nlong-cell\n');
  });
});
