#!/usr/bin/env node
/**
 * Lists the tests that ran longer than a threshold without an explicit timeout of their own
 * (`it(name, { timeout: N }, fn)` or `it(name, fn, N)`): those depend on vitest's default and
 * fail when the machine is busy. Exit 1 when there are any.
 *
 *   node scripts/test-timeouts.mjs [--threshold MS] [--report FILE.json] [vitest paths...]
 *
 * Without --report it runs `npx vitest run --reporter=json --includeTaskLocation` (on the given
 * paths, or everything) and reads that; with --report it reads a JSON report written by such a
 * run. The default threshold is 500 ms: on a busy machine a test of that length takes seconds.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const args = process.argv.slice(2);
let threshold = 500;
let report;
const paths = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--threshold') threshold = Number(args[++i]);
  else if (args[i] === '--report') report = args[++i];
  else paths.push(args[i]);
}
if (!Number.isFinite(threshold) || threshold < 0) {
  console.error('error: --threshold wants a number of milliseconds');
  process.exit(2);
}

function runVitest() {
  const dir = mkdtempSync(join(tmpdir(), 'dralloc-timeouts-'));
  const out = join(dir, 'report.json');
  try {
    execFileSync('npx', ['vitest', 'run', '--reporter=json', `--outputFile=${out}`, '--includeTaskLocation', ...paths], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    // failing tests still write the report; their durations count as well
  }
  const text = readFileSync(out, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  return text;
}

/** Offset of the `)` closing the call whose `(` is at `open`; skips strings, templates and comments. */
function closingParen(src, open) {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '/') i = src.indexOf('\n', i);
    else if (c === '/' && src[i + 1] === '*') i = src.indexOf('*/', i) + 1;
    else if (c === "'" || c === '"' || c === '`') {
      for (i++; i < src.length && src[i] !== c; i++) if (src[i] === '\\') i++;
    } else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i;
    }
    if (i < 0) return src.length;
  }
  return src.length;
}

/** Whether the test call at (line, column) passes its own timeout. */
function hasOwnTimeout(src, line, column) {
  const lines = src.split('\n');
  const at = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
  const open = src.indexOf('(', at);
  if (open < 0) return false;
  const call = src.slice(open, closingParen(src, open) + 1);
  // The options object comes before the callback; a numeric timeout comes last.
  const head = call.slice(0, call.search(/=>|\bfunction\b/) + 1 || call.length);
  return /\btimeout\s*:/.test(head) || /,\s*[\d_]+\s*\)$/.test(call);
}

const data = JSON.parse(report ? readFileSync(report, 'utf8') : runVitest());
const missing = [];
for (const file of data.testResults) {
  const src = readFileSync(file.name, 'utf8');
  for (const t of file.assertionResults) {
    if (t.duration === undefined || t.duration === null || t.duration < threshold || !t.location) continue;
    if (!hasOwnTimeout(src, t.location.line, t.location.column)) missing.push({ where: `${relative(process.cwd(), file.name)}:${t.location.line}`, name: t.fullName, ms: Math.round(t.duration) });
  }
}
missing.sort((a, b) => b.ms - a.ms);
for (const m of missing) console.log(`${m.where}  ${m.ms} ms  ${m.name}`);
console.log(`${missing.length} test(s) over ${threshold} ms without a timeout of their own`);
process.exit(missing.length > 0 ? 1 : 0);
