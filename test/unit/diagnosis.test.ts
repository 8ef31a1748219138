import { describe, expect, it } from 'vitest';
import { isBlockingSdkTag, isUnpinnedUnpkgUrl, preconnectWarnings } from '../../src/core/diagnosis';
import type { ScriptTag } from '../../src/core/diagnosis';

describe('isUnpinnedUnpkgUrl', () => {
  it.each([
    ['https://unpkg.com/@affitor/sdk/dist/affitor.global.js', true],
    ['https://unpkg.com/@affitor/sdk', true],
    ['https://unpkg.com/@affitor/sdk@0/dist/affitor.global.js', true],
    ['https://unpkg.com/@affitor/sdk@^0.1.0/dist/affitor.global.js', true],
    ['https://unpkg.com/@affitor/sdk@latest', true],
    ['https://unpkg.com/@affitor/sdk@0.1/dist/affitor.global.js', true],
    ['https://unpkg.com/@affitor/sdk@0.1.0/dist/affitor.global.js', false],
    ['https://unpkg.com/@affitor/sdk@0.1.0', false],
    ['https://unpkg.com/@affitor/sdk@1.0.0-beta.2/dist/affitor.global.js', false],
    ['https://unpkg.com/@affitor/sdk@0.1.0.1/dist/affitor.global.js', true],
    // Not this package, not unpkg (jsDelivr serves ranges without a redirect), or the page's own copy.
    ['https://unpkg.com/@affitor/sdk-extra/dist/x.js', false],
    ['https://cdn.jsdelivr.net/npm/@affitor/sdk/dist/affitor.global.js', false],
    ['https://www.shop.example/vendor/@affitor/sdk/dist/affitor.global.js', false],
    ['', false],
  ])('%s: %s', (src, unpinned) => {
    expect(isUnpinnedUnpkgUrl(src)).toBe(unpinned);
  });
});

describe('isBlockingSdkTag', () => {
  const FIRST_FILE = 'https://unpkg.com/@affitor/sdk@0.1.0/dist/affitor.global.js';
  /** A parser-inserted tag: its attributes as given, none of `async`, `defer`, `type` unless named. */
  const tag = (src: string, given: Partial<Omit<ScriptTag, 'hasAttribute'>> = {}, attributes: string[] = []): ScriptTag => ({
    src,
    async: false,
    defer: false,
    type: '',
    ...given,
    hasAttribute: (name) => attributes.includes(name),
  });

  it.each([
    ['the first file, neither async nor defer', tag(FIRST_FILE), true],
    ['the first file, type text/javascript', tag(FIRST_FILE, { type: 'text/javascript' }), true],
    ['the package as a CDN names it', tag('https://cdn.jsdelivr.net/npm/@affitor/sdk@0.1.0'), true],
    ['the package with a trailing slash', tag('https://unpkg.com/@affitor/sdk@0.1.0/'), true],
    ['a copy of any name, with the program id attribute', tag('https://www.shop.example/js/tracking.js', {}, ['data-affitor-program-id']), true],
    ['async', tag(FIRST_FILE, { async: true }), false],
    ['defer', tag(FIRST_FILE, { defer: true }), false],
    ['a module (deferred anyway)', tag(FIRST_FILE, { type: 'module' }), false],
    ['text/plain (a consent manager runs a copy later)', tag(FIRST_FILE, { type: 'text/plain' }), false],
    ['inline, with the program id attribute', tag('', {}, ['data-affitor-program-id']), false],
    ["the SDK's rest", tag('https://unpkg.com/@affitor/sdk@0.1.0/dist/affitor.more.js'), false],
    ['another script', tag('https://www.shop.example/js/app.js'), false],
    ['another package', tag('https://unpkg.com/@affitor/sdk-extra/dist/x.js'), false],
  ])('%s: %s', (_, scriptTag, blocking) => {
    expect(isBlockingSdkTag(scriptTag)).toBe(blocking);
  });
});

describe('preconnectWarnings', () => {
  const PAGE = 'https://www.shop.example/pricing?aff=PARTNER123';
  const API = 'https://api.affitor.com';
  /** A `<link rel="preconnect">`: its `crossorigin` attribute as written, null when absent. */
  const link = (href: string, crossorigin: string | null = null) => ({ href, crossorigin });
  const fix = `write <link rel="preconnect" href="${API}" crossorigin>`;

  it.each([
    ['the API, crossorigin', undefined, [link(API, '')], 0],
    ['the API with a path, crossorigin="anonymous"', undefined, [link(`${API}/`, 'anonymous')], 0],
    ['the API, crossorigin="bogus" (anonymous, as browsers read it)', undefined, [link(API, 'bogus')], 0],
    ['the API, no crossorigin', undefined, [link(API)], 1],
    ['the API, crossorigin="use-credentials"', undefined, [link(API, 'use-credentials')], 1],
    ['the API, crossorigin="USE-CREDENTIALS"', undefined, [link(API, 'USE-CREDENTIALS')], 1],
    ['the API on its default port spelled out, no crossorigin', undefined, [link('https://api.affitor.com:443')], 1],
    ['another origin (a CDN, fonts), no crossorigin', undefined, [link('https://fonts.example'), link('http://api.affitor.com')], 0],
    ['an apiBase of another API, its origin with no crossorigin', 'https://track.shop.example/affitor', [link('https://track.shop.example'), link(API)], 1],
    ['the handler on the page\'s own origin, a preconnect to it', '/relay', [link('https://www.shop.example')], 0],
    ['an apiBase that is no URL', 'http://[', [link(API)], 0],
    ['no links', undefined, [], 0],
  ])('%s: %i warning(s)', (_, apiBase, links, count) => {
    const warnings = preconnectWarnings(links, apiBase, PAGE);
    expect(warnings).toHaveLength(count);
    for (const warning of warnings) expect(warning).toMatch(/: a preconnect the SDK's calls cannot use \(they go without credentials\): write <link rel="preconnect" href="https:\/\/[\w.]+" crossorigin>$/);
  });

  it('names the link and the line to write instead', () => {
    expect(preconnectWarnings([link(`${API}/`)], undefined, PAGE)).toEqual([`${API}/: a preconnect the SDK's calls cannot use (they go without credentials): ${fix}`]);
  });
});
