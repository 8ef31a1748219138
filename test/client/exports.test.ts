import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as server from '../../src/server';

describe('@affitor/sdk/server entry', () => {
  it('exports exactly these runtime values', () => {
    expect(Object.keys(server).sort()).toEqual(['Affitor', 'AffitorInputError', 'isAffitorInputError']);
  });

  it('imports nothing from the browser SDK and no Node built-in', () => {
    const sources = ['src/server.ts', 'client.ts', 'errors.ts', 'input.ts', 'request-id.ts', 'retry.ts', 'transport.ts', 'types.ts'].map(
      (file) => readFileSync(file.startsWith('src/') ? file : `src/server/${file}`, 'utf8'),
    );
    for (const source of sources) {
      const imports = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1]);
      for (const path of imports) expect(path).toMatch(/^\.\/(server\/)?[a-z-]+$/);
    }
  });
});
