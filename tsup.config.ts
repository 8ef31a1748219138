import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The npm entries: readable output, bundlers of our users minify.
    entry: { index: 'src/index.ts', server: 'src/server.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    // Each entry stands alone: no shared chunk can carry server code into a browser bundle.
    splitting: false,
    // ES2022 keeps `#private` fields native (Node 18+, every current browser) instead of helper code.
    target: 'es2022',
    platform: 'neutral',
    treeshake: true,
  },
  {
    // The <script> build: a small loader every page view downloads, configured by
    // data-affitor-* attributes, and the tracker it fetches when the page has work for it.
    // Two IIFEs (no shared chunk): the tracker file carries its own copy of what both use.
    entry: { 'affitor.global': 'src/script.ts', 'affitor.tracker': 'src/script-tracker.ts' },
    outExtension: () => ({ js: '.js' }),
    format: ['iife'],
    // terser after esbuild: inlines single-use helpers, a few percent below esbuild's own minifier.
    minify: 'terser',
    terserOptions: {
      ecma: 2020,
      toplevel: true,
      compress: { passes: 3, unsafe_arrows: true, pure_getters: true },
    },
    target: 'es2022',
    platform: 'browser',
    treeshake: true,
  },
]);
