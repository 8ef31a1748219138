/** What the runnable examples share: where the script build is, and a landing page that loads it first-party. */
import { fileURLToPath } from 'node:url';

/** The script build of this repository. In your app, leave `scripts` out: the package serves its own `dist`. */
export const SCRIPTS_DIR = fileURLToPath(new URL('../../dist', import.meta.url));

export const BASE_PATH = '/relay';

/** A landing page whose SDK, script files and API calls all come from its own origin. */
export const LANDING_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Shop (first-party Affitor)</title>
    <script src="${BASE_PATH}/affitor.global.js" data-affitor-program-id="1" data-affitor-api-base="${BASE_PATH}" data-affitor-debug="true" async></script>
  </head>
  <body>
    <h1>Shop</h1>
    <p>Open this page with <code>?aff=PARTNER123</code>, then look at the cookies: the server set them.</p>
  </body>
</html>
`;
