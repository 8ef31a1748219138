import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
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

describe("the package's types, as a merchant's TypeScript resolves them (run `npm run build` first)", () => {
  it('resolve every entry under each moduleResolution, node10 too (a tsconfig with "module": "commonjs" and no moduleResolution, as many Node backends have)', () => {
    expect(existsSync(join('dist', 'server.d.ts')), 'dist/server.d.ts is missing: run npm run build before these tests').toBe(true);
    // An app with the package installed, as npm links it.
    const app = mkdtempSync(join(tmpdir(), 'affitor-app-'));
    try {
      mkdirSync(join(app, 'node_modules', '@affitor'), { recursive: true });
      symlinkSync(process.cwd(), join(app, 'node_modules', '@affitor', 'sdk'), 'dir');
      const resolve = (specifier: string, options: ts.CompilerOptions, mode?: ts.ResolutionMode) =>
        ts.resolveModuleName(specifier, join(app, 'index.ts'), options, ts.sys, undefined, undefined, mode).resolvedModule?.resolvedFileName;
      const node16 = { moduleResolution: ts.ModuleResolutionKind.Node16, module: ts.ModuleKind.Node16 };
      for (const entry of ['index', 'server', 'react']) {
        const specifier = entry == 'index' ? '@affitor/sdk' : `@affitor/sdk/${entry}`;
        expect(resolve(specifier, { moduleResolution: ts.ModuleResolutionKind.Node10 }), `${specifier}, node10`).toMatch(new RegExp(`/dist/${entry}\\.d\\.ts$`));
        expect(resolve(specifier, node16, ts.ModuleKind.CommonJS), `${specifier}, node16 from CJS`).toMatch(new RegExp(`/dist/${entry}\\.d\\.cts$`));
        expect(resolve(specifier, node16, ts.ModuleKind.ESNext), `${specifier}, node16 from ESM`).toMatch(new RegExp(`/dist/${entry}\\.d\\.ts$`));
        const bundler = { moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext };
        expect(resolve(specifier, bundler), `${specifier}, bundler`).toMatch(new RegExp(`/dist/${entry}\\.d\\.ts$`));
      }
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });
});

describe('the subpath entries for a resolver that reads no `exports` (Parcel 2 by default)', () => {
  it('find @affitor/sdk/react and @affitor/sdk/server in a folder of that name, whose package.json points at the files `exports` gives', () => {
    // Parcel 2 failed the README's `import { AffitorProvider } from '@affitor/sdk/react'`: "Cannot load file './react'".
    const root = new URL('../../', import.meta.url);
    const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
      exports: Record<string, string | { import: { types: string; default: string }; require: { default: string } }>;
      files: string[];
    };
    const subpaths = Object.entries(manifest.exports).filter(([path, target]) => typeof target == 'object' && path != '.');
    expect(subpaths.map(([path]) => path)).toEqual(['./server', './react']);
    for (const [path, target] of subpaths) {
      if (typeof target != 'object') continue;
      const folder = path.slice(2);
      expect(manifest.files).toContain(`${folder}/package.json`);
      const stub = JSON.parse(readFileSync(new URL(`${folder}/package.json`, root), 'utf8')) as Record<string, string>;
      const fromRoot = (file: string) => join(folder, file);
      expect([fromRoot(stub.main!), fromRoot(stub.module!), fromRoot(stub.types!)]).toEqual([
        join(target.require.default),
        join(target.import.default),
        join(target.import.types),
      ]);
    }
  });
});

describe("the server entry in a merchant's webpack build (run `npm run build` first)", () => {
  it("has no `new URL('…', import.meta.url)`, which webpack takes for an asset to emit: it emitted dist/index.js as a plain script, and Next.js 14's build failed on its `export`", () => {
    for (const file of ['dist/server.js', 'dist/server.cjs']) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/new URL\(\s*["'`][^"'`]*["'`]\s*,\s*import\.meta\.url\s*\)/);
    }
  });
});

describe('the script build imported through a bundler (run `npm run build` first)', () => {
  it("keeps `import '@affitor/sdk/affitor.global.js'`: the file's work is its side effect, which sideEffects: false let bundlers drop without a word", async () => {
    const { build } = await import('esbuild');
    const app = mkdtempSync(join(tmpdir(), 'affitor-app-'));
    try {
      mkdirSync(join(app, 'node_modules', '@affitor'), { recursive: true });
      symlinkSync(process.cwd(), join(app, 'node_modules', '@affitor', 'sdk'), 'dir');
      const bundle = async (entry: string) => {
        const result = await build({ stdin: { contents: entry, resolveDir: app }, bundle: true, minify: true, write: false, format: 'iife', platform: 'browser', logLevel: 'silent' });
        return result.outputFiles[0]!.text;
      };
      expect(await bundle("import '@affitor/sdk/affitor.global.js'; console.log('app');")).toContain('affitor.main.js');
      // The npm entry stays free of side effects: imported for nothing, it adds nothing.
      expect(await bundle("import '@affitor/sdk'; console.log('app');")).not.toContain('affitor');
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });
});

describe("the package's types under a merchant's strictest tsconfig (run `npm run build` first)", () => {
  it('take an optional field given as undefined (exactOptionalPropertyTypes), as `process.env.X` or a cookie read gives it', () => {
    const app = mkdtempSync(join(tmpdir(), 'affitor-app-'));
    try {
      mkdirSync(join(app, 'node_modules', '@affitor'), { recursive: true });
      symlinkSync(process.cwd(), join(app, 'node_modules', '@affitor', 'sdk'), 'dir');
      symlinkSync(join(process.cwd(), 'node_modules', 'react'), join(app, 'node_modules', 'react'), 'dir');
      symlinkSync(join(process.cwd(), 'node_modules', '@types'), join(app, 'node_modules', '@types'), 'dir');
      const file = join(app, 'merchant.tsx');
      writeFileSync(
        file,
        `import { Affitor, createAffitorHandler, stripeCheckoutParams } from '@affitor/sdk/server';
import { init } from '@affitor/sdk';
import { AffitorProvider } from '@affitor/sdk/react';
declare const env: Record<string, string | undefined>;
declare const cookie: string | undefined;
declare const consented: boolean | undefined;
const affitor = new Affitor({ apiKey: 'sk_test_1', apiUrl: env.AFFITOR_API_URL, signingSecret: env.AFFITOR_SIGNING_SECRET, timeoutMs: undefined });
export const params = stripeCheckoutParams({ clickId: cookie, customerKey: cookie, programId: env.AFFITOR_PROGRAM_ID });
export const sale = affitor.trackSale({ invoiceId: 'in_1', amount: 4900, customerExternalId: cookie, clickId: cookie, currency: env.CURRENCY }, { idempotencyKey: cookie, signal: undefined });
export const lead = affitor.trackLead({ customerExternalId: 'user_1', email: cookie, clickId: cookie });
export const handler = createAffitorHandler({ apiUrl: env.AFFITOR_API_URL, cookieDomain: env.COOKIE_DOMAIN });
init({ programId: env.AFFITOR_PROGRAM_ID, apiBase: env.AFFITOR_API_BASE, consent: consented ? 'granted' : undefined, debug: undefined });
export const page = <AffitorProvider programId={env.AFFITOR_PROGRAM_ID} consent={consented ? 'granted' : undefined} decorateStripe={undefined} />;
`,
      );
      const program = ts.createProgram([file], {
        strict: true,
        exactOptionalPropertyTypes: true,
        noEmit: true,
        jsx: ts.JsxEmit.ReactJSX,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        target: ts.ScriptTarget.ES2022,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        types: [],
      });
      const errors = ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      expect(errors).toEqual([]);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });
});
