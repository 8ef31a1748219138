import { describe, expect, it } from 'vitest';
import { createId } from '../../src/server/request-id';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('uses crypto.randomUUID when the runtime has it', () => {
    expect(createId({ randomUUID: () => 'from-crypto' })).toBe('from-crypto');
    expect(createId()).toMatch(UUID_V4);
  });

  it('builds a v4 UUID from getRandomValues, or from Math.random when there is no Web Crypto', () => {
    const zeros = createId({ getRandomValues: <T extends Uint8Array>(bytes: T) => bytes });
    expect(zeros).toBe('00000000-0000-4000-8000-000000000000');
    // The version and variant bits are set over whatever the random bytes held.
    const ones = createId({ getRandomValues: <T extends Uint8Array>(bytes: T) => bytes.fill(0xff) });
    expect(ones).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    const ids = new Set(Array.from({ length: 200 }, () => createId(undefined)));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(UUID_V4);
  });

  it('fits both the X-Request-ID and the client event id alphabets', () => {
    expect(createId()).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});
