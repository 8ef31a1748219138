/** The ids the reference server gives calls that bring no sane X-Request-ID (examples/server/src/http.ts). */
import { describe, expect, it } from 'vitest';
import { requestIdFor } from '../../examples/server/src/http';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("the reference server's request ids", () => {
  it('are random UUIDs (version 4), each different, also past the ids one draw of random bytes makes', () => {
    // 256 ids come from one draw: 1,000 cross three refills.
    const ids = Array.from({ length: 1_000 }, () => requestIdFor(null));
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('use every hex digit in the random positions, not a fixed pattern', () => {
    const ids = Array.from({ length: 300 }, () => requestIdFor(undefined));
    const digitsAt = (position: number) => new Set(ids.map((id) => id[position]));
    // Position 0 (random), 14 (the version: always 4) and 19 (the variant: 8 to b).
    expect(digitsAt(0).size).toBe(16);
    expect([...digitsAt(14)]).toEqual(['4']);
    expect([...digitsAt(19)].sort()).toEqual(['8', '9', 'a', 'b']);
  });

  it("keep the caller's sane id, and replace one that is not", () => {
    expect(requestIdFor('req_1.a:B-9')).toBe('req_1.a:B-9');
    expect(requestIdFor('req 1')).toMatch(UUID_V4);
    expect(requestIdFor('')).toMatch(UUID_V4);
  });
});
