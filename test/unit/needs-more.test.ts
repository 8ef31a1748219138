import { describe, expect, it } from 'vitest';
import { needsMore } from '../../src/core/needs-more';

describe('needsMore: does this page view need affitor.more.js?', () => {
  it.each([
    [{ debug: false, asked: false, resend: false }, null],
    [{ debug: true, asked: false, resend: false }, 'debug'],
    [{ debug: false, asked: true, resend: false }, 'asked'],
    [{ debug: true, asked: true, resend: false }, 'asked'],
    [{ debug: false, asked: false, resend: true }, 'resend'],
    [{ debug: true, asked: false, resend: true }, 'resend'],
    [{ debug: false, asked: true, resend: true }, 'asked'],
  ] as const)('%j -> %s', (facts, reason) => {
    expect(needsMore(facts)).toBe(reason);
  });
});
