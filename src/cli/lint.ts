/**
 * `dralloc lint`: validate objects as the API server would (errors) and flag what is valid but
 * almost surely wrong against the input's inventory (warnings). Exit 0: no findings; 1: some;
 * 2: a path could not be read, or bad flags.
 */

import { lintPaths, formatFinding, type Finding } from '../lint/index.js';
import { featuresFromGates, parseFeatureGates } from '../features.js';
import { outputFormat, parseFlags, required, type Command } from './command.js';
import { stdoutPalette, table, type Palette } from './table.js';

export const lintCommand: Command = {
  name: 'lint',
  usage: `dralloc lint -f PATH [-f PATH ...] [--feature-gates K=V,...] [-o text|wide|json]

  Errors: what the API server would refuse (names, required fields, one-of rules, enums,
  quantities, limits such as devices per slice, requests per claim, subrequests, selector length,
  CEL that does not compile). Warnings: selectors that match no device of the input, attribute
  lookups with a domain or name no device has (with the closest one), classes no claim can
  satisfy, pools whose slices disagree on generation or count, counters no device consumes,
  references to classes, templates or claims that are not there, and more (docs/explain-lint.md).
  Every finding names file:line (the line of the field), object and field path.
  -o text   one finding per line (default); -o wide a table; -o json an array of findings

  Exit 0: no findings. Exit 1: findings. Exit 2: unreadable input or bad flags.`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      filename: { type: 'string', short: 'f', multiple: true },
      'feature-gates': { type: 'string' },
      output: { type: 'string', short: 'o', default: 'text' },
    });
    const files = required(values.filename, '-f PATH');
    const output = outputFormat(values.output, ['text', 'wide', 'json'] as const);
    const features = featuresFromGates(parseFeatureGates(values['feature-gates']));
    const stdin = files.includes('-') ? await io.readStdin() : undefined;
    const findings = await lintPaths(files, { consumableCapacity: features.consumableCapacity, listTypeAttributes: features.listTypeAttributes }, stdin);
    if (output === 'json') io.stdout(JSON.stringify(findings, null, 2) + '\n');
    else io.stdout(output === 'wide' ? wide(findings, stdoutPalette()) : text(findings, stdoutPalette()));
    return findings.length > 0 ? 1 : 0;
  },
};

function severity(f: Finding, p: Palette): string {
  return f.severity === 'error' ? p.red('error') : p.yellow('warning');
}

function totals(findings: readonly Finding[]): string {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(findings.length - errors, 'warning')}\n`;
}

/** `severity: file:line: Object: path: message [rule]`; continuation lines of a message indented. */
function text(findings: readonly Finding[], p: Palette): string {
  const lines = findings.map((f) => `${severity(f, p)}: ${formatFinding(f).replace(/\n/g, '\n    ')} ${p.dim(`[${f.rule}]`)}\n`);
  return lines.join('') + totals(findings);
}

function wide(findings: readonly Finding[], p: Palette): string {
  const rows = findings.map((f) => [severity(f, p), f.line > 0 ? `${f.file}:${f.line}` : f.file, f.object, f.path || '-', f.rule, f.message.replace(/\s*\n\s*/g, ' ⏎ ')]);
  return table(rows, ['SEVERITY', 'WHERE', 'OBJECT', 'FIELD', 'RULE', 'MESSAGE'].map(p.bold)) + totals(findings);
}
