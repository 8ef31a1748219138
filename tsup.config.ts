import { defineConfig } from 'tsup';
import type { Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * The `<script>` build runs in a page by definition: `isBrowser()` (./browser/env) is `true` there,
 * so the npm build's guards for server rendering fold away (35 B gzip of the first file).
 */
const browserOnly: Plugin = {
  name: 'browser-only',
  setup(build) {
    build.onResolve({ filter: /^\.\/env$/ }, (args) => (args.importer.includes('/src/browser/') ? { path: 'env', namespace: 'browser-only' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'browser-only' }, () => ({ contents: 'export const isBrowser = () => true;', loader: 'js' }));
  },
};

/** The `<script>` build's two files: IIFEs, no shared chunk, minified hard. */
const scriptBuild: Options = {
  outExtension: () => ({ js: '.js' }),
  format: ['iife'],
  // terser after esbuild: inlines single-use helpers, a few percent below esbuild's own minifier.
  minify: 'terser',
  terserOptions: {
    ecma: 2020,
    toplevel: true,
    compress: { passes: 3, unsafe_arrows: true, pure_getters: true },
    // V8's explicit compile hint (Chromium 136+; a plain comment elsewhere): the page runs most of
    // these functions as soon as the file arrives, so they are compiled beside the download, off the
    // main thread, instead of one by one on it when first called. A landing's ScriptDuration in
    // Chromium 156: 28 to 31 ms without, 25 ms with (40 landings each, same run).
    format: { preamble: '//# allFunctionsCalledOnLoad' },
  },
  target: 'es2022',
  platform: 'browser',
  treeshake: true,
  esbuildPlugins: [browserOnly],
};

export default defineConfig([
  {
    // The npm entries: readable output, bundlers of our users minify.
    entry: { index: 'src/index.ts', server: 'src/server.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    // No `clean` here: with it, this entry's declaration build deletes every `.d.ts` in dist/ when it
    // starts, also the react entry's when that one finished first (a slower machine). `npm run build`
    // empties dist/ before tsup runs instead.
    // Each entry stands alone: no shared chunk can carry server code into a browser bundle.
    splitting: false,
    // ES2022 keeps `#private` fields native (Node 18+, every current browser) instead of helper code.
    target: 'es2022',
    platform: 'neutral',
    treeshake: true,
  },
  {
    // `@affitor/sdk/react`: uses the page's React and the package's own browser SDK (one tracker),
    // never copies. Marked 'use client' for React Server Components (Next.js layouts), which
    // rollup's tree shaking would drop: esbuild alone builds this small file.
    entry: { react: 'src/react.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    external: ['react'],
    esbuildPlugins: [
      {
        name: 'browser-sdk-as-package',
        setup(build) {
          build.onResolve({ filter: /^\.\/index$/ }, (args) =>
            args.importer.endsWith('/src/react.ts') ? { path: '@affitor/sdk', external: true } : undefined,
          );
        },
      },
    ],
    banner: { js: "'use client';" },
    target: 'es2022',
    platform: 'neutral',
    treeshake: false,
  },
  {
    // The first file, every page view: configured by data-affitor-* attributes, lands a plain landing alone.
    ...scriptBuild,
    entry: { 'affitor.global': 'src/script-landing.ts' },
  },
  {
    // The main file, loaded by the first when the page view asks more than a plain landing.
    ...scriptBuild,
    entry: { 'affitor.main': 'src/script.ts' },
  },
  {
    // The rest, loaded by the first file when asked. Its `./core` imports resolve to the live state
    // the first file hands over, so the two files work on the page's one tracker.
    ...scriptBuild,
    entry: { 'affitor.more': 'src/script-more.ts' },
    esbuildPlugins: [
      browserOnly,
      {
        name: 'core-from-first-file',
        setup(build) {
          build.onResolve({ filter: /^\.\/core$/ }, (args) =>
            args.importer.includes('/src/browser/') ? { path: 'core', namespace: 'first-file' } : undefined,
          );
          // What the first file handed over: its steps as they are, and its state that changes as
          // getters over its now(), so the rest reads it live by name. Empty when that file is
          // not there (script-more.ts then says so).
          build.onLoad({ filter: /.*/, namespace: 'first-file' }, () => ({
            contents: `
              var handed = ((window.affitor || {})[Symbol.for('affitor')] || {}).core || {};
              var core = Object.assign({}, handed);
              Object.keys(handed.now ? handed.now() : {}).forEach(function (name) {
                Object.defineProperty(core, name, { enumerable: true, get: function () { return handed.now()[name]; } });
              });
              module.exports = core;`,
            loader: 'js',
          }));
        },
      },
    ],
  },
]);
