import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The npm entries: readable output, bundlers of our users minify.
    entry: { index: 'src/index.ts', server: 'src/server.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    target: 'es2019',
    platform: 'neutral',
    treeshake: true,
  },
  {
    // The <script> build: one minified IIFE, configured by data-affitor-* attributes.
    entry: { affitor: 'src/script.ts' },
    format: ['iife'],
    minify: true,
    target: 'es2017',
    platform: 'browser',
    treeshake: true,
  },
]);
