import { describe, expect, it } from 'vitest';
import { Interner } from '../../src/compile/intern.js';

describe('Interner', () => {
  it('gives dense ids from 1 in first-seen order, the same id for the same string', () => {
    const s = new Interner();
    expect(s.size).toBe(0);
    expect(s.id('gpu')).toBe(1);
    expect(s.id('nic')).toBe(2);
    expect(s.id('gpu')).toBe(1);
    expect(s.id('')).toBe(3); // the empty string is a real string, not "none"
    expect(s.size).toBe(3);
  });

  it('round-trips ids to strings; id 0 is "none"', () => {
    const s = new Interner();
    const words = ['a', 'b/c', 'gpu.example.com/model', 'a'];
    const ids = words.map((w) => s.id(w));
    expect(ids).toEqual([1, 2, 3, 1]);
    expect(ids.map((i) => s.string(i))).toEqual(words);
    expect(s.string(0)).toBe('');
  });

  it('lookup does not intern: unknown strings are 0', () => {
    const s = new Interner();
    s.id('x');
    expect(s.lookup('x')).toBe(1);
    expect(s.lookup('y')).toBe(0);
    expect(s.size).toBe(1);
    expect(s.id('y')).toBe(2);
  });
});
