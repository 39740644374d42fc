/**
 * Quantity: parse, exact nano value, rounding, milli()/value(), canonical printing.
 * Expected values are worked out by hand from Kubernetes' resource.Quantity rules.
 */
import { describe, expect, it } from 'vitest';
import { Quantity, QuantityError } from '../../src/model/quantity.js';

const nano = (s: string) => Quantity.parse(s).nano;
const canon = (s: string) => Quantity.parse(s).toString();
const SYNTAX_MESSAGE = `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`;

describe('Quantity.parse: every suffix family, exact in nano-units', () => {
  const G = 10n ** 9n; // nano-units per unit
  it.each([
    // binary suffixes: powers of 1024
    ['1Ki', 1024n * G],
    ['1Mi', 1048576n * G],
    ['1Gi', 1073741824n * G],
    ['1Ti', 1099511627776n * G],
    ['1Pi', 1125899906842624n * G],
    ['1Ei', 1152921504606846976n * G],
    ['1.5Ki', 1536n * G],
    // decimal SI suffixes: powers of 1000
    ['3n', 3n],
    ['3u', 3_000n],
    ['3m', 3_000_000n],
    ['3', 3n * G],
    ['3k', 3n * 10n ** 12n],
    ['3M', 3n * 10n ** 15n],
    ['3G', 3n * 10n ** 18n],
    ['3T', 3n * 10n ** 21n],
    ['3P', 3n * 10n ** 24n],
    ['3E', 3n * 10n ** 27n],
    // decimal exponents, either case of e, either sign
    ['1e3', 10n ** 12n],
    ['1E3', 10n ** 12n],
    ['2e-3', 2_000_000n],
    ['1.5e+2', 150n * G],
    // signs and fractions
    ['-1Gi', -1073741824n * G],
    ['+2', 2n * G],
    ['0.25', 250_000_000n],
    ['-1.5', -1_500_000_000n],
  ])('%s = %s nano', (input, want) => {
    expect(nano(input)).toBe(want);
  });

  it('rounds up what is finer than a nano-unit (away from zero)', () => {
    expect(nano('1.0000000001')).toBe(1_000_000_001n);
    expect(nano('0.5n')).toBe(1n);
    expect(nano('1.1n')).toBe(2n);
    expect(nano('-0.5n')).toBe(-1n);
    expect(nano('0.0000000001')).toBe(1n);
  });

  it('remembers the suffix family', () => {
    expect(Quantity.parse('1Gi').format).toBe('BinarySI');
    expect(Quantity.parse('1G').format).toBe('DecimalSI');
    expect(Quantity.parse('7').format).toBe('DecimalSI');
    expect(Quantity.parse('1e3').format).toBe('DecimalExponent');
  });

  it('refuses what is not a quantity, with the API server\'s text', () => {
    for (const bad of ['400Gbps', '', '1.2.3', '1K', 'Gi', '.', '1Gi2', ' - ']) {
      expect(() => Quantity.parse(bad), bad).toThrow(QuantityError);
      expect(() => Quantity.parse(bad), bad).toThrow(SYNTAX_MESSAGE);
    }
    expect(() => Quantity.parse('1'.repeat(41))).toThrow('quantity is too large');
    expect(() => Quantity.parse('1e101')).toThrow('quantity is too large');
    expect(() => Quantity.parse(5 as unknown as string)).toThrow('quantity must be a string, got number');
    expect(Quantity.tryParse('400Gbps')).toBeUndefined();
    expect(Quantity.tryParse('2k')?.nano).toBe(2n * 10n ** 12n);
  });
});

describe('milli() and value(): Go\'s MilliValue and Value, rounded away from zero', () => {
  it('exact values', () => {
    expect(Quantity.parse('1.5').milli()).toBe(1500n);
    expect(Quantity.parse('1Gi').value()).toBe(1073741824n);
    expect(Quantity.parse('2k').value()).toBe(2000n);
    expect(Quantity.parse('-3').value()).toBe(-3n);
  });
  it('inexact values round away from zero', () => {
    expect(Quantity.parse('1500m').value()).toBe(2n);
    expect(Quantity.parse('1n').value()).toBe(1n);
    expect(Quantity.parse('1n').milli()).toBe(1n);
    expect(Quantity.parse('1.0001').milli()).toBe(1001n);
    expect(Quantity.parse('-1500m').value()).toBe(-2n);
    expect(Quantity.parse('-1n').milli()).toBe(-1n);
    expect(Quantity.parse('0').value()).toBe(0n);
  });
});

describe('arithmetic and comparison', () => {
  it('compares by value, not by spelling', () => {
    expect(Quantity.parse('1Ki').cmp(Quantity.parse('1024'))).toBe(0);
    expect(Quantity.parse('1k').cmp(Quantity.parse('1Ki'))).toBe(-1);
    expect(Quantity.parse('1G').cmp(Quantity.parse('999M'))).toBe(1);
  });
  it('add/sub keep the left operand\'s format', () => {
    const sum = Quantity.parse('1Gi').add(Quantity.parse('512Mi'));
    expect(sum.toString()).toBe('1536Mi');
    expect(Quantity.parse('1').sub(Quantity.parse('1500m')).toString()).toBe('-500m');
    expect(Quantity.parse('-2').sign()).toBe(-1);
    expect(Quantity.parse('0').sign()).toBe(0);
    expect(Quantity.parse('1.5').isInteger()).toBe(false);
    expect(Quantity.parse('1.5k').isInteger()).toBe(true);
  });
  it('fromInt / fromNano', () => {
    expect(Quantity.fromInt(2048, 'BinarySI').toString()).toBe('2Ki');
    expect(Quantity.fromNano(1500n).toString()).toBe('1500n');
  });
});

describe('toString: the canonical form the API server prints', () => {
  it.each([
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['0.5Gi', '512Mi'],
    ['1.5Ki', '1536'], // not a whole number of Ki: plain decimal
    ['512', '512'],
    ['1536', '1536'],
    ['1.5', '1500m'],
    ['1500m', '1500m'],
    ['1000m', '1'],
    ['2k', '2k'],
    ['2000', '2k'],
    ['0.001k', '1'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'], // DecimalExponent with exponent 0 prints no suffix
    ['2e-3', '2e-3'],
    ['-1Gi', '-1Gi'],
    ['-1500m', '-1500m'],
    ['0', '0'],
    ['-0', '0'],
    ['0Gi', '0'],
    ['0.0001Ki', '102400u'], // a non-integer binary quantity prints as decimal SI
    ['1.0000000001', '1000000001n'],
    ['80Gi', '80Gi'],
  ])('%s → %s', (input, want) => {
    expect(canon(input)).toBe(want);
  });
  it('JSON is the canonical string', () => {
    expect(JSON.stringify({ q: Quantity.parse('1024Ki') })).toBe('{"q":"1Mi"}');
  });
});
