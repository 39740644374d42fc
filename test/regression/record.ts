/**
 * Re-records the regression fixtures: `node --import tsx test/regression/record.ts`.
 * Only for a deliberate, reviewed change of schedule's output — the fixtures exist to prove
 * that engine work changes nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { withoutShareIds, cases, FIXTURES, scheduleJson, writeInput } from './workloads.js';

const tmp = mkdtempSync(join(tmpdir(), 'dralloc-record-'));
mkdirSync(FIXTURES, { recursive: true });
const exitCodes: Record<string, number> = {};
for (const c of cases()) {
  const dir = writeInput(join(tmp, `${c.workload}-${c.seed}-${c.variant}`), c.workload, c.seed, c.variant);
  const r = await scheduleJson(dir, c.strategy);
  if (r.code === 2) throw new Error(`${c.fixture}: ${r.stderr}`);
  writeFileSync(join(FIXTURES, c.fixture), gzipSync(withoutShareIds(r.stdout), { level: 9 }));
  exitCodes[c.fixture] = r.code;
  console.log(`${c.fixture}: exit ${r.code}, ${r.stdout.length} bytes`);
}
writeFileSync(join(FIXTURES, 'exit-codes.json'), JSON.stringify(exitCodes, null, 1) + '\n');
rmSync(tmp, { recursive: true, force: true });
