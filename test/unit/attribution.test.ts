import { describe, expect, it } from 'vitest';
import { HISTORY_LIMIT, appendHistory, isExpectedLeadRefusal, isNewLanding, parseHistory } from '../../src/core/attribution';

const stored = (aff: string) => `https://shop.example/?aff=${aff}`;

describe('isNewLanding (the last-touch table)', () => {
  it('asks for a click when ?aff= lands and nothing is stored', () => {
    expect(isNewLanding('P1', null, null)).toBe(true);
  });
  it('asks for nothing when the same aff as the stored landing lands', () => {
    expect(isNewLanding('P1', 'cust_1_1', stored('P1'))).toBe(false);
  });
  it('asks for a click when a different aff lands', () => {
    expect(isNewLanding('P2', 'cust_1_1', stored('P1'))).toBe(true);
  });
  it('asks for nothing without ?aff=, stored or not', () => {
    expect(isNewLanding(null, 'cust_1_1', stored('P1'))).toBe(false);
    expect(isNewLanding(null, null, null)).toBe(false);
  });
  it('asks for a click when a click id is stored but its landing URL is not (a legacy cookie)', () => {
    expect(isNewLanding('P1', 'cust_1_1', null)).toBe(true);
  });
});

describe('click history', () => {
  it('appends newest last without repeats and keeps at most 20', () => {
    const full = Array.from({ length: HISTORY_LIMIT }, (_, i) => `c${i}`);
    const next = appendHistory(full, 'new');
    expect(next).toHaveLength(20);
    expect(next[0]).toBe('c1');
    expect(next.at(-1)).toBe('new');
    expect(appendHistory(['a', 'b', 'c'], 'a')).toEqual(['b', 'c', 'a']);
  });
  it('parses the |-joined cookie, dropping what is not an id', () => {
    expect(parseHistory('a|<x>||b')).toEqual(['a', 'b']);
    expect(parseHistory(null)).toEqual([]);
    expect(parseHistory(Array.from({ length: 25 }, (_, i) => `c${i}`).join('|'))).toHaveLength(20);
  });
});

describe('isExpectedLeadRefusal', () => {
  it('treats a lead already recorded as expected', () => {
    expect(isExpectedLeadRefusal('HTTP 400: Customer status cannot be updated to lead. Current status: lead', true)).toBe(true);
  });
  it('treats an unknown customer as expected only when the visitor had no click id', () => {
    const message = 'HTTP 400: Customer not found. Provide a valid click_id or customer_key.';
    expect(isExpectedLeadRefusal(message, false)).toBe(true);
    expect(isExpectedLeadRefusal(message, true)).toBe(false);
  });
  it('treats everything else as a failure', () => {
    expect(isExpectedLeadRefusal('HTTP 500: Lead tracking failed', false)).toBe(false);
  });
});
