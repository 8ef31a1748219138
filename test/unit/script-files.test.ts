/**
 * Where the `<script>` build's later files are loaded from (fileBeside): beside the file that
 * loads them, at its own version when its URL names a range or a tag on a CDN.
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
  ])('%s: %s', (_, from, expected) => {
    expect(fileBeside('affitor.main.js', from)).toBe(expected);
  });
});
