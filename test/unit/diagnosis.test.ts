import { describe, expect, it } from 'vitest';
import { isBlockingSdkTag, isUnpinnedUnpkgUrl } from '../../src/core/diagnosis';
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
