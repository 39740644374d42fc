/**
 * The official cel-spec conformance tests (@bufbuild/cel-spec 0.6.1, cel-spec v0.25.1) run
 * through our selector environment (parse → rewrites → our checker → @bufbuild/cel runtime with
 * the Kubernetes libraries), for the standard-library subset a DRA selector can use.
 *
 * Every file or test not run is listed below with its reason; every test that runs must pass.
 * The pass rate over all tests of the suite (skips counted as not passed) is printed.
 *
 * Matching: a `value` result must be the same CEL value (same type: 1 ≠ 1u ≠ 1.0; NaN matches
 * NaN); an expected evaluation error is matched by any runtime error or by a compile error from
 * our checker (cel-go's checker rejects most of these statically too).
 */
import { describe, it, expect } from 'vitest';
import { getConformanceSuite, type IncrementalTest, type IncrementalTestSuite } from '@bufbuild/cel-spec/testdata/tests.js';
import type { Value } from '@bufbuild/cel-spec/cel/expr/value_pb.js';
import type { Type } from '@bufbuild/cel-spec/cel/expr/checked_pb.js';
import { equals } from '@bufbuild/protobuf';
import { isReflectMessage } from '@bufbuild/protobuf/reflect';
import {
  celList,
  celMap,
  celUint,
  CelScalar,
  isCelError,
  isCelList,
  isCelMap,
  isCelType,
  isCelUint,
  listType,
  mapType,
  type CelType,
  type CelValue,
} from '@bufbuild/cel';
import { compileExpression, CelCompileError } from '../../src/compile/cel/index.js';

const OPTS = { consumableCapacity: true, listTypeAttributes: true };

/** Files not run, by reason. */
const SKIPPED_FILES: Record<string, string> = {
  block_ext: 'cel.block is an internal optimiser construct of cel-go, not part of the Kubernetes environment',
  dynamic: 'protobuf message and wrapper types (google.protobuf.*Value, Any, Struct): a selector has no message types',
  encoders_ext: 'the encoders extension (base64) is not in the DRA selector environment',
  enums: 'protobuf enums: a selector has no message types',
  math_ext: 'the math extension is not in the DRA selector environment',
  namespace: 'containers/namespaces: selectors are compiled without a container',
  optionals: 'optional types (optional.of, ?. and [?]) are not implemented by our checker and rewrites',
  proto2: 'protobuf message types: a selector has no message types',
  proto2_ext: 'protobuf extensions: a selector has no message types',
  proto3: 'protobuf message types: a selector has no message types',
  type_deductions: 'checks the deduced static type of the checked AST, which our checker does not expose in cel-go form',
  wrappers: 'protobuf wrapper types: a selector has no message types',
  unknowns: 'unknown-value evaluation (partial state) is not used by selectors',
};

const HOMOGENEOUS =
  'the Kubernetes CEL environment enables HomogeneousAggregateLiterals: a list or map literal mixing element types is a compile error';
const MESSAGES = 'uses protobuf message or wrapper types (google.protobuf.*, cel.expr.conformance.*): a selector has no message types';
const QUOTED = 'backquoted field names (cel-spec 0.24) are not accepted by the @bufbuild/cel 0.6.1 parser';
const QUALIFIED = 'binds a dotted variable name (`a.b.c`); selectors have the single variable `device`';

function names(reason: string, list: string[]): [string, string][] {
  return list.map((n) => [n, reason]);
}

/** Tests not run in files that are run, by `file/section/test`, with the reason. */
const SKIPPED_TESTS: Record<string, string> = Object.fromEntries([
  ...names(HOMOGENEOUS, [
    'comparisons/eq_literal/not_eq_list_null',
    'comparisons/eq_literal/eq_list_mixed_type_numbers',
    'comparisons/eq_literal/not_eq_list_mixed_type_numbers',
    'comparisons/eq_literal/not_eq_list_false_vs_types',
    'comparisons/eq_literal/not_eq_map_null',
    'comparisons/eq_literal/eq_map_mixed_type_numbers',
    'comparisons/eq_literal/not_eq_map_false_vs_types',
    'comparisons/eq_literal/eq_map_value_mixed_types',
    'comparisons/eq_literal/not_eq_list_elem_null',
    'comparisons/eq_literal/not_eq_map_value_null',
    'comparisons/in_list_literal/elem_in_mixed_type_list',
    'comparisons/in_list_literal/elem_in_mixed_type_list_cross_type',
    'comparisons/in_map_literal/key_in_mixed_key_type_map',
    'comparisons/in_map_literal/key_in_mixed_key_type_map_cross_type',
    'conversions/dyn/dyn_heterogeneous_list',
    'fields/map_fields/map_key_int64',
    'fields/map_fields/map_key_uint64',
    'fields/map_fields/map_key_mixed_type',
    'fields/map_fields/map_key_mixed_numbers_double_key',
    'fields/map_fields/map_key_mixed_numbers_uint_key',
    'fields/map_fields/map_key_mixed_numbers_int_key',
    'fields/map_fields/map_value_mix_type',
    'fields/in/mixed_numbers_and_keys_present',
    'fields/in/mixed_numbers_and_keys_absent',
    'macros/exists/list_elem_type_shortcircuit',
    'macros/exists/list_elem_type_exhaustive',
    'macros/exists/map_key_type_shortcircuit',
    'macros/exists/map_key_type_exhaustive',
    'macros/all/list_elem_type_shortcircuit',
    'macros2/exists/list_elem_type_shortcircuit',
    'macros2/exists/list_elem_type_exhaustive',
    'macros2/exists/map_key_type_shortcircuit',
    'macros2/exists/map_key_type_exhaustive',
    'macros2/all/list_elem_type_shortcircuit',
    'macros2/all/list_elem_type_exhaustive',
    'string_ext/format/multiple substitutions',
    'string_ext/format/list support for string',
    'string_ext/format/map support for string',
    'string_ext/format/map support (all key types)',
    'string_ext/format/dyntype support for lists',
    'string_ext/format/dyntype support for maps',
    'string_ext/format/multiple substitutions in a string variable',
  ]),
  ...names(MESSAGES, [
    'parse/whitespace/new_lines',
    'parse/whitespace/carriage_returns',
    'parse/comments/new_line_terminated',
    'comparisons/eq_literal/eq_dyn_json_null',
    'comparisons/eq_wrapper/eq_bool',
    'comparisons/eq_wrapper/eq_bool_empty',
    'comparisons/eq_wrapper/eq_bool_not_null',
    'comparisons/eq_wrapper/eq_bytes',
    'comparisons/eq_wrapper/eq_bytes_empty',
    'comparisons/eq_wrapper/eq_bytes_not_null',
    'comparisons/eq_wrapper/eq_double',
    'comparisons/eq_wrapper/eq_double_empty',
    'comparisons/eq_wrapper/eq_double_not_null',
    'comparisons/eq_wrapper/eq_float',
    'comparisons/eq_wrapper/eq_float_empty',
    'comparisons/eq_wrapper/eq_float_not_null',
    'comparisons/eq_wrapper/eq_int32',
    'comparisons/eq_wrapper/eq_int32_empty',
    'comparisons/eq_wrapper/eq_int32_not_null',
    'comparisons/eq_wrapper/eq_int64',
    'comparisons/eq_wrapper/eq_int64_empty',
    'comparisons/eq_wrapper/eq_int64_not_null',
    'comparisons/eq_wrapper/eq_string',
    'comparisons/eq_wrapper/eq_string_empty',
    'comparisons/eq_wrapper/eq_string_not_null',
    'comparisons/eq_wrapper/eq_uint32',
    'comparisons/eq_wrapper/eq_uint32_empty',
    'comparisons/eq_wrapper/eq_uint32_not_null',
    'comparisons/eq_wrapper/eq_uint64',
    'comparisons/eq_wrapper/eq_uint64_empty',
    'comparisons/eq_wrapper/eq_uint64_not_null',
    'parse/whitespace/spaces',
    'parse/whitespace/tabs',
    'parse/whitespace/new_pages',
    'timestamps/timestamp_conversions/type_comparison',
    'timestamps/duration_conversions/type_comparison',
  ]),
  ...names(QUOTED, [
    'fields/quoted_map_fields/field_access_slash',
    'fields/quoted_map_fields/field_access_dash',
    'fields/quoted_map_fields/field_access_dot',
    'fields/quoted_map_fields/has_field_slash',
    'fields/quoted_map_fields/has_field_dash',
    'fields/quoted_map_fields/has_field_dot',
  ]),
  ...names(QUALIFIED, [
    'fields/qualified_identifier_resolution/qualified_ident',
    'fields/qualified_identifier_resolution/map_field_select',
    'fields/qualified_identifier_resolution/ident_with_longest_prefix_check',
  ]),
]);

interface Outcome {
  ran: number;
  passed: number;
  skipped: { name: string; reason: string }[];
}

/** Why a test cannot run here, or undefined when it can. */
function skipReason(t: IncrementalTest, path: string): string | undefined {
  if (SKIPPED_TESTS[path] !== undefined) return SKIPPED_TESTS[path];
  const o = t.original;
  if (o.container !== '') return 'uses a container (namespaces are not used by selectors)';
  if (o.disableMacros) return 'runs with macros disabled, which the selector environment does not offer';
  if (o.checkOnly) return 'check-only test of the static type';
  if (o.resultMatcher.case === 'unknown' || o.resultMatcher.case === 'anyUnknowns') return 'expects unknown values (partial evaluation)';
  if (o.typeEnv.some((d) => d.declKind.case === 'function')) return 'declares custom functions';
  if (Object.values(o.bindings).some((b) => b.kind.case !== 'value' || !convertible(b.kind.value))) return 'binds a protobuf message or enum value';
  if (o.resultMatcher.case === 'value' && !convertible(o.resultMatcher.value)) return 'expects a protobuf message or enum value';
  if (o.resultMatcher.case === 'typedResult' && (!o.resultMatcher.value.result || !convertible(o.resultMatcher.value.result))) return 'expects a protobuf message or enum value';
  return undefined;
}

function convertible(v: Value): boolean {
  switch (v.kind.case) {
    case 'objectValue':
    case 'enumValue':
    case undefined:
      return false;
    case 'listValue':
      return v.kind.value.values.every(convertible);
    case 'mapValue':
      return v.kind.value.entries.every((e) => e.key !== undefined && e.value !== undefined && convertible(e.key) && convertible(e.value));
    default:
      return true;
  }
}

/** A conformance Value as a CEL value (`typeValue` as the type name). */
function celValue(v: Value): CelValue | string {
  const k = v.kind;
  switch (k.case) {
    case 'nullValue':
      return null;
    case 'boolValue':
    case 'int64Value':
    case 'doubleValue':
    case 'stringValue':
    case 'bytesValue':
      return k.value;
    case 'uint64Value':
      return celUint(k.value);
    case 'listValue':
      return celList(k.value.values.map((x) => celValue(x) as CelValue));
    case 'mapValue':
      return celMap(new Map(k.value.entries.map((e) => [celValue(e.key!) as never, celValue(e.value!) as CelValue])));
    case 'typeValue':
      return k.value;
    default:
      throw new Error(`unsupported value ${k.case}`);
  }
}

/** Strict CEL value identity for results: same type and value; NaN matches NaN. */
function same(actual: unknown, expected: CelValue | string): boolean {
  if (typeof expected === 'string' && isCelType(actual)) return actual.name === expected || String(actual) === expected;
  if (typeof expected === 'number') return typeof actual === 'number' && (actual === expected || (Number.isNaN(actual) && Number.isNaN(expected)));
  if (expected === null || typeof expected !== 'object') return actual === expected;
  if (isCelUint(expected)) return isCelUint(actual) && actual.value === expected.value;
  if (expected instanceof Uint8Array) return actual instanceof Uint8Array && actual.length === expected.length && actual.every((b, i) => b === expected[i]);
  if (isCelList(expected)) {
    if (!isCelList(actual) || actual.size !== expected.size) return false;
    const a = [...actual];
    return [...expected].every((x, i) => same(a[i], x));
  }
  if (isCelMap(expected)) {
    if (!isCelMap(actual) || actual.size !== expected.size) return false;
    return [...expected.entries()].every(([key, v]) => actual.has(key) && same(actual.get(key), v));
  }
  if (isReflectMessage(expected)) return isReflectMessage(actual) && equals(expected.desc, expected.message, actual.message);
  return false;
}

function declType(t: Type | undefined): CelType {
  const k = t?.typeKind;
  switch (k?.case) {
    case 'primitive':
      return [CelScalar.DYN, CelScalar.BOOL, CelScalar.INT, CelScalar.UINT, CelScalar.DOUBLE, CelScalar.STRING, CelScalar.BYTES][k.value] ?? CelScalar.DYN;
    case 'listType':
      return listType(declType(k.value.elemType));
    case 'mapType': {
      const key = declType(k.value.keyType);
      return mapType(key.kind === 'scalar' ? (key as Parameters<typeof mapType>[0]) : CelScalar.DYN, declType(k.value.valueType));
    }
    case 'null':
      return CelScalar.NULL;
    default:
      return CelScalar.DYN;
  }
}

/** Runs one test: '' when it passed, else what went wrong. */
function runTest(t: IncrementalTest): string {
  const o = t.original;
  const variables = new Map<string, CelType>();
  for (const d of o.typeEnv) if (d.declKind.case === 'ident') variables.set(d.name, declType(d.declKind.value.type));
  for (const name of Object.keys(o.bindings)) if (!variables.has(name)) variables.set(name, CelScalar.DYN);
  const bindings: Record<string, CelValue> = {};
  for (const [name, b] of Object.entries(o.bindings)) if (b.kind.case === 'value') bindings[name] = celValue(b.kind.value) as CelValue;
  const wantsError = o.resultMatcher.case === 'evalError' || o.resultMatcher.case === 'anyEvalErrors';
  let result: unknown;
  try {
    result = compileExpression(o.expr, OPTS, variables, !o.disableCheck)(bindings);
  } catch (e) {
    if (!(e instanceof CelCompileError)) return `threw ${String(e)}`;
    return wantsError ? '' : `compile error: ${e.message.split('\n')[0]}`;
  }
  if (wantsError) return isCelError(result) ? '' : `expected an error, got ${String(result)}`;
  if (isCelError(result)) return `runtime error: ${result.message}`;
  const expected = o.resultMatcher.case === 'value' ? o.resultMatcher.value : o.resultMatcher.case === 'typedResult' ? o.resultMatcher.value.result! : undefined;
  if (expected === undefined) return result === true ? '' : `expected true, got ${String(result)}`;
  return same(result, celValue(expected)) ? '' : `expected ${JSON.stringify(celValue(expected), replacer)}, got ${JSON.stringify(result, replacer)}`;
}

function replacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (isCelList(v)) return [...v];
  if (isCelMap(v)) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), x]));
  return v;
}

function count(s: IncrementalTestSuite): number {
  return s.tests.length + s.suites.reduce((n, c) => n + count(c), 0);
}

describe('cel-spec conformance (standard-library subset)', () => {
  const suite = getConformanceSuite();
  const total = count(suite);
  const outcome: Outcome = { ran: 0, passed: 0, skipped: [] };
  const failures: string[] = [];

  for (const file of suite.suites) {
    const fileReason = SKIPPED_FILES[file.name];
    if (fileReason !== undefined) {
      outcome.skipped.push({ name: `${file.name} (${count(file)} tests)`, reason: fileReason });
      continue;
    }
    it(file.name, { timeout: 60_000 }, () => {
      const walk = (s: IncrementalTestSuite, path: string) => {
        for (const t of s.tests) {
          const name = `${path}/${t.name}`;
          const reason = skipReason(t, name);
          if (reason !== undefined) {
            outcome.skipped.push({ name, reason });
            continue;
          }
          outcome.ran++;
          const problem = runTest(t);
          if (problem === '') outcome.passed++;
          else failures.push(`${name}: ${t.original.expr} → ${problem}`);
        }
        for (const c of s.suites) walk(c, `${path}/${c.name}`);
      };
      walk(file, file.name);
    });
  }

  it('every test that runs passes, every skip has a reason', () => {
    const skippedTests = outcome.skipped.reduce((n, s) => n + (/\((\d+) tests\)$/.exec(s.name) ? Number(/\((\d+) tests\)$/.exec(s.name)![1]) : 1), 0);
    console.log(
      `cel-spec: ${outcome.passed}/${outcome.ran} run tests pass (${((100 * outcome.passed) / outcome.ran).toFixed(1)}%); ` +
        `${outcome.passed}/${total} of the whole suite (${((100 * outcome.passed) / total).toFixed(1)}%); ${skippedTests} skipped`,
    );
    expect(outcome.ran + skippedTests).toBe(total);
    expect(outcome.skipped.every((s) => s.reason.length > 0)).toBe(true);
    expect(failures).toEqual([]);
  });
});
