/**
 * Every CDN URL of the package in the READMEs (and the script-tag example) names the package's exact version
 * (`https://unpkg.com/@affitor/sdk@0.1.0/dist/affitor.global.js`). unpkg answers a URL without a
 * version, or with a range, with a redirect to the matching version's: a landing would wait one more
 * round trip for the script (`npm run bench`, "the tag naming no version"), and the rest of the SDK,
 * loaded later from the same folder, would be whatever version is newest by then. After
 * `changeset version` bumps package.json, this fails until the README names the new version.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string };

/** The package's URLs on unpkg and jsDelivr in `markdown`, each with the version it names ('' for none). */
function cdnUrls(markdown: string): Array<{ url: string; version: string }> {
  return [...markdown.matchAll(/https:\/\/(?:unpkg\.com|cdn\.jsdelivr\.net\/npm)\/@affitor\/sdk(?![\w.-])(?:@([^/\s"'`)]*))?[^\s"'`)]*/g)].map((match) => ({
    url: match[0],
    version: match[1] ?? '',
  }));
}

describe('the README’s CDN URLs', () => {
  const urls = cdnUrls(readFileSync(new URL('README.md', root), 'utf8'));

  it('include the script tag the README sets up', () => {
    expect(urls.map((found) => found.url)).toContain(`https://unpkg.com/@affitor/sdk@${version}/dist/affitor.global.js`);
  });
});

describe.each(['README.md', 'examples/README.md', 'examples/script-tag/index.html'])('the CDN URLs in %s', (file) => {
  it.each(cdnUrls(readFileSync(new URL(file, root), 'utf8')))('$url names the package’s version exactly', ({ url, version: named }) => {
    expect(named, `${url}: write @affitor/sdk@${version} (package.json's version); a URL without it, or with a range, waits for a redirect`).toBe(version);
  });
});

describe('reading the URLs', () => {
  it('finds unversioned, ranged and exact ones, on both CDNs, and no other package or host', () => {
    const markdown = [
      '<script async src="https://unpkg.com/@affitor/sdk/dist/affitor.global.js"',
      'or `https://cdn.jsdelivr.net/npm/@affitor/sdk@0.1` and (https://unpkg.com/@affitor/sdk@1.2.3).',
      'not https://unpkg.com/@affitor/sdkx nor https://example.com/@affitor/sdk@9',
    ].join('\n');
    expect(cdnUrls(markdown)).toEqual([
      { url: 'https://unpkg.com/@affitor/sdk/dist/affitor.global.js', version: '' },
      { url: 'https://cdn.jsdelivr.net/npm/@affitor/sdk@0.1', version: '0.1' },
      { url: 'https://unpkg.com/@affitor/sdk@1.2.3', version: '1.2.3' },
    ]);
  });
});
