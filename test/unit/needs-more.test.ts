import { describe, expect, it } from 'vitest';
import { needsMore } from '../../src/core/needs-more';

describe('needsMore: does this page view need affitor.more.js?', () => {
  it.each([
    [{ debug: false, asked: false }, null],
    [{ debug: true, asked: false }, 'debug'],
    [{ debug: false, asked: true }, 'asked'],
    [{ debug: true, asked: true }, 'asked'],
  ] as const)('%j -> %s', (facts, reason) => {
    expect(needsMore(facts)).toBe(reason);
  });
});
