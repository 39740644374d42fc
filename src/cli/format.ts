/** Output formatting for the CLI: YAML (humans, default) or JSON (machines). */

import { yaml } from '../model/yaml.js';

export type OutputFormat = 'yaml' | 'json';

export function formatObject(obj: unknown, format: OutputFormat): string {
  return format === 'json' ? JSON.stringify(obj, bigintReplacer, 2) + '\n' : yaml().stringify(obj, { aliasDuplicateObjects: false });
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? (Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()) : value;
}

/** A `v1 List` of the given items. */
export function list(items: unknown[]): { apiVersion: 'v1'; kind: 'List'; metadata: object; items: unknown[] } {
  return { apiVersion: 'v1', kind: 'List', metadata: {}, items };
}
