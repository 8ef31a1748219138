/**
 * The package's CDN URLs in the docs a merchant copies from name its exact version
 * (`https://unpkg.com/@affitor/sdk@0.1.0/dist/affitor.global.js`): unpkg answers a URL without
 * one, or with a range, with a redirect that every landing waits for. `npm run version-packages`
 * (`changeset version`, then this) writes package.json's new version into them;
 * test/unit/readme-cdn.test.ts checks they name it.
 *
 * Run directly (`tsx scripts/pin-cdn-version.ts`), it rewrites DOCS in place and names each file it changed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The files whose CDN URLs are pinned, from the repository's root. */
export const DOCS = ['README.md', 'examples/README.md', 'examples/script-tag/index.html'];

/** A URL of the package on unpkg or jsDelivr: the CDN and package part, and the version it names, if any. */
const CDN_URL = /(https:\/\/(?:unpkg\.com|cdn\.jsdelivr\.net\/npm)\/@affitor\/sdk(?![\w.-]))(?:@([^/\s"'`)]*))?([^\s"'`)]*)/g;

/** Each URL of the package on unpkg or jsDelivr in `text`, with the version it names ('' for none). */
export const cdnUrls = (text: string): Array<{ url: string; version: string }> =>
  [...text.matchAll(CDN_URL)].map((match) => ({ url: match[0], version: match[2] ?? '' }));

/** `text` with every such URL naming `version` exactly. */
export const pinCdnVersion = (text: string, version: string): string =>
  text.replace(CDN_URL, (_, packageUrl: string, _named: string | undefined, rest: string) => `${packageUrl}@${version}${rest}`);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = new URL('../', import.meta.url);
  const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string };
  for (const file of DOCS) {
    const text = readFileSync(new URL(file, root), 'utf8');
    const pinned = pinCdnVersion(text, version);
    if (pinned !== text) {
      writeFileSync(new URL(file, root), pinned);
      console.log(`${file}: CDN URLs now name @affitor/sdk@${version}`);
    }
  }
}
