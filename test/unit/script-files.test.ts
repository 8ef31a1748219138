/**
 * Where the `<script>` build's later files are loaded from (fileBeside): beside the file that
 * loads them, at its own version when its URL names a range or a tag in unpkg's or jsDelivr's form.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fileBeside } from '../../src/core/script-files';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('fileBeside', () => {
  it.each([
    ['a range on unpkg', 'https://unpkg.com/@affitor/sdk@1/dist/affitor.global.js', `https://unpkg.com/@affitor/sdk@${version}/dist/affitor.main.js`],
    ['a tag on jsDelivr', 'https://cdn.jsdelivr.net/npm/@affitor/sdk@latest/dist/affitor.global.js', `https://cdn.jsdelivr.net/npm/@affitor/sdk@${version}/dist/affitor.main.js`],
    ['a caret range, as written', 'https://unpkg.com/@affitor/sdk@^0.1/dist/affitor.global.js', `https://unpkg.com/@affitor/sdk@${version}/dist/affitor.main.js`],
    ['the exact version', `https://unpkg.com/@affitor/sdk@${version}/dist/affitor.global.js`, `https://unpkg.com/@affitor/sdk@${version}/dist/affitor.main.js`],
    ['another exact version (its own file names it)', 'https://unpkg.com/@affitor/sdk@9.9.9/dist/affitor.global.js', `https://unpkg.com/@affitor/sdk@${version}/dist/affitor.main.js`],
    ['the package alone, with a range', 'https://cdn.jsdelivr.net/npm/@affitor/sdk@0', `https://cdn.jsdelivr.net/npm/@affitor/sdk@${version}/dist/affitor.main.js`],
    ['the package alone, with a slash', 'https://unpkg.com/@affitor/sdk@1/', `https://unpkg.com/@affitor/sdk@${version}/dist/affitor.main.js`],
    ['the package alone, no version', 'https://unpkg.com/@affitor/sdk', 'https://unpkg.com/@affitor/sdk/dist/affitor.main.js'],
    ['no version: left as it is', 'https://unpkg.com/@affitor/sdk/dist/affitor.global.js', 'https://unpkg.com/@affitor/sdk/dist/affitor.main.js'],
    ['a copy served from node_modules', 'http://localhost:5173/node_modules/@affitor/sdk/dist/affitor.global.js', 'http://localhost:5173/node_modules/@affitor/sdk/dist/affitor.main.js'],
    ['a folder of its own', 'https://cdn.shop.example/sdk/affitor.global.js?v=3', 'https://cdn.shop.example/sdk/affitor.main.js'],
    ['another package whose name begins alike', 'https://unpkg.com/@affitor/sdk-extra@1/affitor.global.js', 'https://unpkg.com/@affitor/sdk-extra@1/affitor.main.js'],
    ['a range on an unpkg mirror of its own host', 'https://npm.mirror.example/@affitor/sdk@1/dist/affitor.global.js', `https://npm.mirror.example/@affitor/sdk@${version}/dist/affitor.main.js`],
    ['a range on jsDelivr\'s other hosts', 'https://fastly.jsdelivr.net/npm/@affitor/sdk@1/dist/affitor.global.js', `https://fastly.jsdelivr.net/npm/@affitor/sdk@${version}/dist/affitor.main.js`],
    ['a copy on another host, in a folder named with a range: its own folder', 'https://shop.example/vendor/@affitor/sdk@1/dist/affitor.global.js', 'https://shop.example/vendor/@affitor/sdk@1/dist/affitor.main.js'],
    ['a mirror keeping unpkg\'s path on another host: its own folder', 'https://shop.example/static/unpkg.com/@affitor/sdk@latest/dist/affitor.global.js', 'https://shop.example/static/unpkg.com/@affitor/sdk@latest/dist/affitor.main.js'],
    ['the package alone with a query', 'https://unpkg.com/@affitor/sdk@0.1.0?v=2', `https://unpkg.com/@affitor/sdk@${version}/dist/affitor.main.js`],
    ['the package alone with a fragment', `https://cdn.jsdelivr.net/npm/@affitor/sdk@${version}#x`, `https://cdn.jsdelivr.net/npm/@affitor/sdk@${version}/dist/affitor.main.js`],
  ])('%s: %s', (_, from, expected) => {
    expect(fileBeside('affitor.main.js', from)).toBe(expected);
  });
});
