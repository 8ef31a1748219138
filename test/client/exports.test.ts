import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as server from '../../src/server';

describe('@affitor/sdk/server entry', () => {
  it('exports exactly these runtime values', () => {
    expect(Object.keys(server).sort()).toEqual([
      'Affitor',
      'AffitorInputError',
      'STRIPE_METADATA',
      'createAffitorHandler',
      'isAffitorInputError',
      'stripeCheckoutParams',
      'trackingFromStripeEvent',
    ]);
  });

  it('imports nothing from the browser SDK and no Node built-in: only its own modules and the DOM-free core', () => {
    const files = [
      'src/server.ts',
      ...readdirSync('src/server', { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts'))
        .map((file) => join('src/server', file)),
    ];
    expect(files).toContain(join('src/server/handler/handler.ts'));
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      const imports = [...source.matchAll(/(?:from|import)\s*\(?'([^']+)'/g)].map((match) => match[1]);
      for (const path of imports) expect(path, file).toMatch(/^\.\/(server\/)?([a-z-]+\/)?[a-z-]+$|^\.\.\/([a-z-]+|(\.\.\/)?core\/[a-z-]+)$/);
    }
  });

  it('is imported by no browser module, so it never lands in a browser bundle', () => {
    const browserFiles = readdirSync('src', { recursive: true, encoding: 'utf8' })
      .map((file) => join('src', file))
      .filter((file) => /\.ts$/.test(file) && file !== join('src', 'server.ts') && !file.startsWith(join('src', 'server') + '/'));
    for (const file of browserFiles) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/from '[./]*server(\/[\w-]+)?'|@affitor\/sdk\/server/);
    }
  });
});
