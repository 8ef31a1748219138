/**
 * Every CDN URL of the package in the READMEs (and the script-tag example) names the package's
 * exact version (`https://unpkg.com/@affitor/sdk@0.1.0/dist/affitor.global.js`). unpkg answers a
 * URL without a version, or with a range, with a redirect to the matching version's: a landing would
 * wait one more round trip for the script (`npm run bench`, "the tag naming no version"), and the
 * rest of the SDK, loaded later from the same folder, would be whatever version is newest by then
 * (a range is pinned for it, to the version of the file that ran: fileBeside).
 * `npm run version-packages` writes a new version into them (scripts/pin-cdn-version.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCS, cdnUrls, pinCdnVersion } from '../../scripts/pin-cdn-version';

const root = new URL('../../', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string };
const read = (file: string) => readFileSync(new URL(file, root), 'utf8');

describe('the README’s CDN URLs', () => {
  it('include the script tag the README sets up', () => {
    expect(cdnUrls(read('README.md')).map((found) => found.url)).toContain(`https://unpkg.com/@affitor/sdk@${version}/dist/affitor.global.js`);
  });
});

describe.each(DOCS)('the CDN URLs in %s', (file) => {
  it.each(cdnUrls(read(file)))('$url names the package’s version exactly', ({ url, version: named }) => {
    expect(named, `${url}: write @affitor/sdk@${version} (package.json's version; npm run version-packages does)`).toBe(version);
  });
});

describe('reading and pinning the URLs', () => {
  const markdown = [
    '<script async src="https://unpkg.com/@affitor/sdk/dist/affitor.global.js"',
    'or `https://cdn.jsdelivr.net/npm/@affitor/sdk@0.1` and (https://unpkg.com/@affitor/sdk@1.2.3).',
    'not https://unpkg.com/@affitor/sdkx nor https://example.com/@affitor/sdk@9',
  ].join('\n');

  it('finds unversioned, ranged and exact ones, on both CDNs, and no other package or host', () => {
    expect(cdnUrls(markdown)).toEqual([
      { url: 'https://unpkg.com/@affitor/sdk/dist/affitor.global.js', version: '' },
      { url: 'https://cdn.jsdelivr.net/npm/@affitor/sdk@0.1', version: '0.1' },
      { url: 'https://unpkg.com/@affitor/sdk@1.2.3', version: '1.2.3' },
    ]);
  });

  it('makes each name the given version, keeping the path and touching nothing else', () => {
    expect(pinCdnVersion(markdown, '2.0.1')).toBe(
      [
        '<script async src="https://unpkg.com/@affitor/sdk@2.0.1/dist/affitor.global.js"',
        'or `https://cdn.jsdelivr.net/npm/@affitor/sdk@2.0.1` and (https://unpkg.com/@affitor/sdk@2.0.1).',
        'not https://unpkg.com/@affitor/sdkx nor https://example.com/@affitor/sdk@9',
      ].join('\n'),
    );
  });

  it('leaves the docs as they are at package.json’s version', () => {
    for (const file of DOCS) expect(pinCdnVersion(read(file), version)).toBe(read(file));
  });
});
