import { describe, expect, it } from 'vitest';
import { isUnpinnedUnpkgUrl } from '../../src/core/diagnosis';

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
