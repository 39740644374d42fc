/**
 * Terminal output helpers: aligned tables and colour. Colour is used only when writing to a
 * TTY and `NO_COLOR` is unset or empty (https://no-color.org); alignment ignores colour codes,
 * so coloured and plain tables line up the same.
 */

export interface Palette {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
}

const sgr = (code: number) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;
const COLOUR: Palette = { bold: sgr(1), dim: sgr(2), red: sgr(31), yellow: sgr(33), green: sgr(32) };
const same = (s: string) => s;
export const PLAIN: Palette = { bold: same, dim: same, red: same, yellow: same, green: same };

/** The palette for a stream: colour on a TTY unless NO_COLOR is set to a non-empty value. */
export function paletteFor(isTTY: boolean | undefined, env: NodeJS.ProcessEnv = process.env): Palette {
  return isTTY === true && !env.NO_COLOR ? COLOUR : PLAIN;
}

/** The palette for standard output. */
export function stdoutPalette(): Palette {
  return paletteFor(process.stdout.isTTY);
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** Length as the terminal shows it: colour codes take no room. */
export function visibleLength(s: string): number {
  return [...s.replace(ANSI, '')].length;
}

/**
 * Rows as aligned columns separated by two spaces, the header (if any) first; the last column
 * is not padded, so no line has trailing blanks. Every line ends with a newline.
 */
export function table(rows: readonly (readonly string[])[], header?: readonly string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths: number[] = [];
  for (const row of all) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return all
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i] - visibleLength(cell)))).join('  ').trimEnd() + '\n')
    .join('');
}
