import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAffitorHandler } from '../../src/server';
import type * as ServerEntry from '../../src/server';
import type { AffitorHandler, ScriptSource } from '../../src/server';
import { send, startHandler } from './first-party-helpers';
import type { Listening } from './first-party-helpers';

const LOADER = '/* loader */ window.affitor = 1;';

/**
 * Runs `body` as on Node 18 to 20.15, which lack `process.getBuiltinModule` (engines: node >= 18).
 * @returns what `body` resolved to
 */
async function withoutGetBuiltinModule<T>(body: () => Promise<T>): Promise<T> {
  const host = process as { getBuiltinModule?: unknown };
  const original = host.getBuiltinModule;
  host.getBuiltinModule = undefined;
  try {
    return await body();
  } finally {
    host.getBuiltinModule = original;
  }
}

describe('script files served by the handler on a real port', () => {
  let root: string;
  let handler: Listening;

  beforeAll(async () => {
    // scripts/ holds what may be served; a secret sits next to it, and other files inside it.
    root = mkdtempSync(join(tmpdir(), 'affitor-scripts-'));
    mkdirSync(join(root, 'scripts'));
    writeFileSync(join(root, 'scripts', 'affitor.global.js'), LOADER);
    writeFileSync(join(root, 'scripts', 'affitor.tracker.3f9a.js'), '/* tracker */');
    writeFileSync(join(root, 'scripts', 'server.js'), '/* secret server code */');
    writeFileSync(join(root, 'scripts', 'affitor.global.js.map'), '{}');
    writeFileSync(join(root, 'secret.js'), 'API_KEY');
    writeFileSync(join(root, 'affitor.secret.js'), 'API_KEY');
    handler = await startHandler({ apiUrl: 'http://127.0.0.1:9', scripts: join(root, 'scripts') });
  });
  afterAll(async () => {
    await handler.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves affitor.*.js with a JavaScript content type, caching headers and an ETag', async () => {
    const answer = await send(handler.url, '/relay/affitor.global.js', { method: 'GET' });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(LOADER);
    expect(answer.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('public, max-age=3600, stale-while-revalidate=86400');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers.etag).toMatch(/^"[0-9a-f]{8}-[0-9a-f]+"$/);
    expect((await send(handler.url, '/relay/affitor.tracker.3f9a.js', { method: 'GET' })).text).toBe('/* tracker */');
  });

  it('answers 304 to a browser whose copy is current, and the headers without a body to HEAD', async () => {
    const { headers } = await send(handler.url, '/relay/affitor.global.js', { method: 'GET' });
    const again = await send(handler.url, '/relay/affitor.global.js', { method: 'GET', headers: { 'If-None-Match': `W/"x", ${headers.etag}` } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    // `*` matches any current copy (RFC 9110, 13.1.2): a cache that asks so gets no second download.
    expect((await send(handler.url, '/relay/affitor.global.js', { method: 'GET', headers: { 'If-None-Match': '*' } })).status).toBe(304);
    const head = await send(handler.url, '/relay/affitor.global.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(LOADER.length));
  });

  it('serves nothing else: other names, maps, missing files and every path-traversal spelling are 404', async () => {
    for (const path of [
      '/relay/server.js',
      '/relay/affitor.global.js.map',
      '/relay/affitor.missing.js',
      '/relay/../secret.js',
      '/relay/%2e%2e/secret.js',
      '/relay/%2E%2E%2Fsecret.js',
      '/relay/affitor.%2e%2e%2faffitor.secret.js',
      '/relay/..%2faffitor.secret.js',
      '/relay/scripts/../../affitor.secret.js',
      '/relay/affitor.global.js/..%2f..%2faffitor.secret.js',
      '/affitor.global.js',
      '/relay/',
      '/relay',
    ]) {
      const answer = await send(handler.url, path, { method: 'GET' });
      expect(answer.status, path).toBe(404);
      expect(answer.text, path).not.toContain('API_KEY');
    }
  });

  it('reads the folder on Node 18 to 20.15 too (no process.getBuiltinModule there)', async () => {
    const answer = await withoutGetBuiltinModule(() =>
      createAffitorHandler({ scripts: join(root, 'scripts') })(new Request('https://www.shop.test/relay/affitor.global.js')),
    );
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe(LOADER);
  });

  it('answers 405 to a POST of a script file', async () => {
    const answer = await send(handler.url, '/relay/affitor.global.js', { body: 'x' });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET, HEAD');
  });
});

describe('script sources for any runtime', () => {
  const get = (handle: AffitorHandler, name: string) => handle(new Request(`https://www.shop.test/relay/${name}`));

  it('serves files given as an object of name to content (text modules in a Worker)', async () => {
    const handle = createAffitorHandler({ scripts: { 'affitor.global.js': LOADER, 'affitor.tracker.js': new TextEncoder().encode('T'), 'other.js': 'x' } });
    expect(await (await get(handle, 'affitor.global.js')).text()).toBe(LOADER);
    expect(await (await get(handle, 'affitor.tracker.js')).text()).toBe('T');
    expect((await get(handle, 'other.js')).status).toBe(404);
    expect((await get(handle, 'affitor.toString.js')).status).toBe(404);
  });

  it('serves files from a function of the name, and asks again for one it did not find', async () => {
    const asked: string[] = [];
    let built = false;
    const handle = createAffitorHandler({
      scripts: (name) => {
        asked.push(name);
        return Promise.resolve(built ? `/* ${name} */` : null);
      },
    });
    const original = console.error;
    const errors: unknown[][] = [];
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      expect((await get(handle, 'affitor.global.js')).status).toBe(404);
    } finally {
      console.error = original;
    }
    expect(String(errors[0]![0])).toMatch(/^\[Affitor\] cannot serve affitor\.global\.js: the `scripts` function gave nothing for it/);
    built = true;
    expect(await (await get(handle, 'affitor.global.js')).text()).toBe('/* affitor.global.js */');
    expect(await (await get(handle, 'affitor.global.js')).text()).toBe('/* affitor.global.js */');
    expect(asked).toEqual(['affitor.global.js', 'affitor.global.js']);
  });

  it('keeps a bounded number of files: a source that answers every name (an app fallback) cannot grow its memory with names a visitor makes up', async () => {
    const asked: string[] = [];
    const handle = createAffitorHandler({
      scripts: (name) => {
        asked.push(name);
        return Promise.resolve(`/* ${name} */`);
      },
    });
    expect((await get(handle, 'affitor.global.js')).status).toBe(200);
    for (let n = 0; n < 100; n++) expect((await get(handle, `affitor.made-up-${n}.js`)).status).toBe(200);
    // The file asked for first is still kept; a made-up name past the bound is read again each time.
    await get(handle, 'affitor.global.js');
    await get(handle, 'affitor.made-up-99.js');
    expect(asked.filter((name) => name == 'affitor.global.js')).toHaveLength(1);
    expect(asked.filter((name) => name == 'affitor.made-up-99.js')).toHaveLength(2);
  });

  it('serves the bytes of a Uint8Array (a Node Buffer, a slice of a larger buffer) and of an ArrayBuffer', async () => {
    const whole = new TextEncoder().encode(`junk${LOADER}junk`);
    const handle = createAffitorHandler({
      scripts: {
        'affitor.global.js': whole.subarray(4, 4 + LOADER.length),
        'affitor.node.js': Buffer.from('N'),
        'affitor.buffer.js': new TextEncoder().encode('B').buffer,
      },
    });
    expect(await (await get(handle, 'affitor.global.js')).text()).toBe(LOADER);
    expect(await (await get(handle, 'affitor.node.js')).text()).toBe('N');
    expect(await (await get(handle, 'affitor.buffer.js')).text()).toBe('B');
  });

  it('answers 404 and says why when the source gives something that is not a file content (a Response not read), instead of an empty script cached for an hour', async () => {
    const errors: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      // As a Worker written in JavaScript might: the assets' answer itself, not its bytes.
      const handle = createAffitorHandler({ scripts: ((name: string) => Promise.resolve(new Response(`/* ${name} */`))) as unknown as ScriptSource });
      const answer = await get(handle, 'affitor.global.js');
      expect(answer.status).toBe(404);
      expect(answer.headers.get('cache-control')).toBe('no-store');
    } finally {
      console.error = original;
    }
    expect(errors).toHaveLength(1);
    expect(String(errors[0]!.join(' '))).toMatch(
      /\[Affitor\] cannot serve affitor\.global\.js: the scripts option gave a Response for it, not its content: answer a string, a Uint8Array or an ArrayBuffer \(await response\.arrayBuffer\(\)\), or null/,
    );
  });

  it('says once why it answers 404 when the source the merchant chose lacks a file of the build, and stays quiet for names it makes up', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'affitor-half-copied-'));
    writeFileSync(join(folder, 'affitor.global.js'), LOADER);
    const sources: Array<[ScriptSource, RegExp]> = [
      [folder, new RegExp(`it is not in ${folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, the \`scripts\` folder: serve the three files`)],
      [{ 'affitor.global.js': LOADER }, /the `scripts` object has nothing for it: serve the three files/],
      [(name) => Promise.resolve(name == 'affitor.global.js' ? LOADER : null), /the `scripts` function gave nothing for it: serve the three files/],
    ];
    try {
      for (const [scripts, why] of sources) {
        const errors: unknown[][] = [];
        const original = console.error;
        console.error = (...args: unknown[]) => void errors.push(args);
        try {
          const handle = createAffitorHandler({ scripts });
          expect(await (await get(handle, 'affitor.global.js')).text()).toBe(LOADER);
          expect((await get(handle, 'affitor.made-up.js')).status).toBe(404);
          expect(errors).toEqual([]);
          expect((await get(handle, 'affitor.main.js')).status).toBe(404);
          expect((await get(handle, 'affitor.main.js')).status).toBe(404);
        } finally {
          console.error = original;
        }
        expect(errors).toHaveLength(1);
        const said = String(errors[0]!.join(' '));
        expect(said).toMatch(/^\[Affitor\] cannot serve affitor\.main\.js: /);
        expect(said).toMatch(why);
        expect(said).toContain("the package's dist/affitor.global.js, dist/affitor.main.js and dist/affitor.more.js");
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('serves no file with scripts: false', async () => {
    expect((await get(createAffitorHandler({ scripts: false }), 'affitor.global.js')).status).toBe(404);
  });

  it('answers 404 and logs one error when the source fails, never throwing', async () => {
    const errors: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      const handle = createAffitorHandler({ scripts: () => Promise.reject(new Error('bucket offline')) });
      expect((await get(handle, 'affitor.global.js')).status).toBe(404);
      expect((await get(handle, 'affitor.global.js')).status).toBe(404);
    } finally {
      console.error = original;
    }
    expect(errors).toHaveLength(1);
    expect(String(errors[0]!.join(' '))).toMatch(/\[Affitor\] cannot serve affitor\.global\.js: bucket offline/);
  });
});

describe('the built package (run `npm run build` first)', () => {
  const built = (file: string) => {
    const path = join('dist', file);
    if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build before these tests`);
    return path;
  };

  it("serves the script build's own files from the package's dist by default", async () => {
    const { createAffitorHandler: createBuilt } = (await import(/* @vite-ignore */ join(process.cwd(), built('server.js')))) as typeof ServerEntry;
    const handle = createBuilt();
    const names = readdirSync('dist').filter((name) => /^affitor\..+\.js$/.test(name));
    expect(names).toContain('affitor.global.js');
    for (const name of names) {
      const answer = await handle(new Request(`https://www.shop.test/relay/${name}`));
      expect(answer.status, name).toBe(200);
      expect(Buffer.from(await answer.arrayBuffer()).equals(readFileSync(join('dist', name))), name).toBe(true);
    }
    expect((await handle(new Request('https://www.shop.test/relay/server.js'))).status).toBe(404);
  });

  it('finds its own dist from the CommonJS build too', async () => {
    const { createAffitorHandler: createBuilt } = createRequire(import.meta.url)(join(process.cwd(), built('server.cjs'))) as typeof ServerEntry;
    const answer = await createBuilt()(new Request('https://www.shop.test/relay/affitor.global.js'));
    expect(answer.status).toBe(200);
    expect(Buffer.from(await answer.arrayBuffer()).equals(readFileSync(join('dist', 'affitor.global.js')))).toBe(true);
  });

  it('finds its own dist on Node 18 to 20.15 too (no process.getBuiltinModule), from both builds', async () => {
    const fromEsm = (await import(/* @vite-ignore */ join(process.cwd(), built('server.js')))) as typeof ServerEntry;
    const fromCjs = createRequire(import.meta.url)(join(process.cwd(), built('server.cjs'))) as typeof ServerEntry;
    for (const [build, entry] of [['esm', fromEsm], ['cjs', fromCjs]] as const) {
      const answer = await withoutGetBuiltinModule(() => entry.createAffitorHandler()(new Request('https://www.shop.test/relay/affitor.global.js')));
      expect(answer.status, build).toBe(200);
      expect(Buffer.from(await answer.arrayBuffer()).equals(readFileSync(join('dist', 'affitor.global.js'))), build).toBe(true);
    }
  });

  it('says why it answers 404 when its own dist lacks the script files (a bundled server that runs the module from elsewhere)', async () => {
    // As in a Next.js build deployed: the module sits where the package's other files are not.
    const elsewhere = mkdtempSync(join(tmpdir(), 'affitor-bundled-'));
    const errors: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      writeFileSync(join(elsewhere, 'server.js'), readFileSync(built('server.js')));
      const { createAffitorHandler: createBuilt } = (await import(/* @vite-ignore */ join(elsewhere, 'server.js'))) as typeof ServerEntry;
      const handle = createBuilt();
      expect((await handle(new Request('https://www.shop.test/relay/affitor.global.js'))).status).toBe(404);
      expect((await handle(new Request('https://www.shop.test/relay/affitor.made-up.js'))).status).toBe(404);
    } finally {
      console.error = original;
      rmSync(elsewhere, { recursive: true, force: true });
    }
    expect(errors).toHaveLength(1);
    expect(String(errors[0]!.join(' '))).toContain(
      `[Affitor] cannot serve affitor.global.js: it is not in ${elsewhere}/, the package's own dist as this module sees it (a bundled server, such as Next.js, runs it from elsewhere): pass the script files in the \`scripts\` option`,
    );
  });

  it('keeps the handler out of every browser bundle', () => {
    const browserFiles = ['index.js', 'index.cjs', ...readdirSync('dist').filter((name) => /^affitor\..+\.js$/.test(name))];
    for (const file of browserFiles) {
      const source = readFileSync(built(file), 'utf8');
      // (The SDK reads the handler's X-Affitor-Cookies header and names createAffitorHandler in a warning: no markers.)
      for (const marker of ['createAffitorHandler(', 'Tracking API unreachable', 'Tracking API timed out', 'getBuiltinModule']) {
        expect(source.includes(marker), `${file} contains ${marker}`).toBe(false);
      }
    }
  });
});
