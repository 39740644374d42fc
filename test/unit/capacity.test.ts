/**
 * Consumable-capacity helpers against every row of upstream's function-level table
 * (test/conformance/aux/consumable-capacity-functions.yaml). Quantities compare numerically.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { capacityDemand, consumedAmount, violatesPolicy } from '../../src/compile/capacity.js';
import { Quantity } from '../../src/model/quantity.js';
import type { CapacityRequestPolicy, DeviceCapacity } from '../../src/model/types.js';

interface Table {
  calculate_consumed_capacity: { name: string; requested: string | null; capacity: DeviceCapacity; expect: string }[];
  violates_policy: { name: string; requested: string; requestPolicy: CapacityRequestPolicy | null; expect: boolean }[];
  get_consumed_capacity_from_request: {
    name: string;
    requests: Record<string, string>;
    device_capacity: Record<string, DeviceCapacity>;
    expect: Record<string, string>;
  }[];
}

const table = parse(readFileSync(new URL('../conformance/aux/consumable-capacity-functions.yaml', import.meta.url), 'utf8')) as Table;
const nanoOf = (s: string) => Quantity.parse(s).nano;

describe('consumable capacity functions (upstream table)', () => {
  it('the table has rows for every function', () => {
    expect(table.calculate_consumed_capacity.length).toBe(10);
    expect(table.violates_policy.length).toBe(5);
    expect(table.get_consumed_capacity_from_request.length).toBe(1);
  });

  describe('calculate_consumed_capacity', () => {
    for (const row of table.calculate_consumed_capacity) {
      it(row.name, () => {
        const requested = row.requested === null ? undefined : Quantity.parse(row.requested);
        expect(consumedAmount(requested, row.capacity).nano).toBe(nanoOf(row.expect));
      });
    }
  });

  describe('violates_policy', () => {
    for (const row of table.violates_policy) {
      it(row.name, () => {
        expect(violatesPolicy(Quantity.parse(row.requested), row.requestPolicy ?? undefined)).toBe(row.expect);
      });
    }
  });

  describe('get_consumed_capacity_from_request', () => {
    for (const row of table.get_consumed_capacity_from_request) {
      it(row.name, () => {
        const got = capacityDemand(row.requests, { name: 'dev', capacity: row.device_capacity });
        if (!('consumed' in got)) throw new Error(`refused: ${got.problem} ${got.name}`);
        const asNano = Object.fromEntries([...got.consumed].map(([k, v]) => [k, v.nano]));
        expect(asNano).toEqual(Object.fromEntries(Object.entries(row.expect).map(([k, v]) => [k, nanoOf(v)])));
      });
    }
  });
});

describe('capacityDemand: what makes a device unsuitable', () => {
  it('a requested capacity the device does not have', () => {
    expect(capacityDemand({ memory: '1Gi' }, { name: 'd', capacity: { cores: { value: '4' } } })).toEqual({ name: 'memory', problem: 'missing' });
  });
  it('a rounded-up amount above validRange.max', () => {
    const cap = { value: '10', requestPolicy: { default: '1', validRange: { min: '1', max: '4', step: '2' } } };
    // 4 → min + ceil((4-1)/2)·2 = 5 > max 4
    const refused = capacityDemand({ bw: '4' }, { name: 'd', capacity: { bw: cap } });
    expect(refused).toMatchObject({ name: 'bw', problem: 'policy' });
    expect('amount' in refused && refused.amount.nano).toBe(5n * 10n ** 9n);
    // 2 → 1 + ceil(1/2)·2 = 3 ≤ 4
    const ok = capacityDemand({ bw: '2' }, { name: 'd', capacity: { bw: cap } });
    expect('consumed' in ok && ok.consumed.get('bw')?.nano).toBe(3n * 10n ** 9n);
  });
});
