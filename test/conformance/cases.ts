/**
 * Reads the conformance cases (cases/NNN-slug/{scenario,expect}.yaml, and the same format in
 * upstream-quirks/) and runs one through the engine.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadText } from '../../src/model/load.js';
import { Engine, type EngineOptions } from '../../src/engine.js';
import type { Outcome } from '../../src/outcome.js';
import type { ResourceClaim } from '../../src/model/types.js';
import { compareAllocation, type Allocation } from './compare.js';

export const CASES_DIR = new URL('./cases/', import.meta.url).pathname;
/** Three scenarios answered by upstream's allocator that pin its shared-counter accounting (see its README). */
export const QUIRKS_DIR = new URL('./upstream-quirks/', import.meta.url).pathname;

export interface Expect {
  upstream_name: string;
  node: string;
  features: Record<string, boolean> | null;
  outcome: 'allocated' | 'unsatisfiable' | 'error';
  error_contains?: string;
  result_match: 'unordered' | 'exact' | 'none';
  results: Allocation[];
}

export interface Case {
  dir: string;
  expect: Expect;
  scenarioFile: string;
}

export function listCases(root = CASES_DIR): Case[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((dir) => ({
      dir,
      scenarioFile: join(root, dir, 'scenario.yaml'),
      expect: parse(readFileSync(join(root, dir, 'expect.yaml'), 'utf8')) as Expect,
    }));
}

const GATES: Record<string, string[]> = {
  adminAccess: ['DRAAdminAccess'],
  consumableCapacity: ['DRAConsumableCapacity'],
  deviceBinding: ['DRADeviceBindingConditions', 'DRAResourceClaimDeviceStatus'],
  deviceTaints: ['DRADeviceTaints'],
  listTypeAttributes: ['DRAListTypeAttributes'],
  partitionableDevices: ['DRAPartitionableDevices'],
  prioritizedList: ['DRAPrioritizedList'],
};

/** The `--feature-gates` value for a case: the listed features on, every other gate off. */
export function featureGatesFor(features: Record<string, boolean> | null): string {
  const on = new Set(Object.entries(features ?? {}).filter(([, v]) => v).flatMap(([k]) => GATES[k]));
  const all = [...new Set(Object.values(GATES).flat()), 'DRAExtendedResource'];
  return all.map((g) => `${g}=${on.has(g)}`).join(',');
}

export async function runCase(c: Case, opts: Pick<EngineOptions, 'counterAccounting'> = {}): Promise<Outcome> {
  const { objects } = loadText(readFileSync(c.scenarioFile, 'utf8'), c.scenarioFile);
  const all = objects.map((l) => l.object);
  const engine = await Engine.create({ ...opts, objects: all, featureGates: featureGatesFor(c.expect.features) });
  const claims = all.filter((o): o is ResourceClaim => o.kind === 'ResourceClaim' && !o.status?.allocation);
  return engine.allocate(claims, { node: c.expect.node });
}

/** Undefined when the outcome is what upstream answered, else why not. */
export function checkOutcome(c: Case, got: Outcome): string | undefined {
  const e = c.expect;
  if (got.kind !== e.outcome) {
    const detail = got.kind === 'error' ? got.message : got.kind === 'unsatisfiable' ? got.reason : '';
    return `outcome ${got.kind} (${detail}), want ${e.outcome}${e.error_contains ? ` (${e.error_contains})` : ''}`;
  }
  if (got.kind === 'error') {
    return got.message.includes(e.error_contains ?? '') ? undefined : `error "${got.message}" lacks "${e.error_contains}"`;
  }
  if (got.kind === 'allocated' && e.result_match !== 'none') {
    if (got.results.length !== e.results.length) return `${got.results.length} results, want ${e.results.length}`;
    for (let i = 0; i < e.results.length; i++) {
      const why = compareAllocation(got.results[i] as Allocation, e.results[i], e.result_match);
      if (why) return `claim #${i}: ${why}`;
    }
  }
  return undefined;
}
