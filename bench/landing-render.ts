/**
 * The landing's rows of the results table and how they were measured, beside the bare click
 * script's figures from the same run (the floor any landing script stands on here), the figures
 * measured earlier the same way, in another run, for the SDK this package replaces and for the
 * closest competitor, and the goals of the landing work.
 */
import type { BounceRow, LandingResult, LeaveWay } from './landing';
import { LEAVE_WAYS, RECEIVE_WAIT_MS, SETTLE_MS, SLOW_4G } from './landing';
import type { PreconnectResult } from './preconnect';
import { bytes, gap, ms, signedMs } from './render';
import type { Row } from './render';

/** What a landing may download in all, gzip -9. */
export const LANDING_BUDGET_GZIP = 2_500;

/** Measured earlier with the same method, in another run (not this machine's): the Affitor SDK this package replaces, and Dub. */
const EARLIER = {
  affitor: { bytes: 2_200, scriptMs: 20.2, clickSentMs: 411, cookieMs: 571 },
  dub: { bytes: 1_674, scriptMs: 4.1, clickSentMs: 395, cookieMs: 555 },
};
const earlier = (pick: (figures: typeof EARLIER.affitor) => string): string =>
  `earlier run: Affitor SDK ${pick(EARLIER.affitor)}, Dub ${pick(EARLIER.dub)}`;
/** The bare click script's figure of the same run. */
const bareClickSays = (figure: string): string => `bare click script, same run: ${figure}`;

/**
 * Clicks of 10 the bounce goal asks for: at least the best earlier figure at each leave time
 * (navigate away at 250 ms: 8/10; tab closed at 500 ms: 10/10), and 10/10 from 500 ms both ways.
 */
export function bounceGoal(way: LeaveWay, leaveAtMs: number): number | undefined {
  if (leaveAtMs >= 500) return 10;
  if (way === 'navigate away' && leaveAtMs >= 250) return 8;
  return undefined;
}

const verdict = (passed: boolean) => (passed ? 'pass' : 'FAIL');

export function landingRows(landing: LandingResult): Row[] {
  const { files, plainFiles, script, slow4g, phone, bounce, bareClick } = landing;
  const gzip = files.reduce((sum, file) => sum + file.sizes.gzip, 0);
  const brotli = files.reduce((sum, file) => sum + file.sizes.brotli, 0);
  const overBare = (of: typeof script.landing) =>
    `${signedMs(of.median - script.bare.median)} / ${signedMs(of.p95 - script.bare.p95)}`;
  return [
    {
      area: 'Landing',
      measure: 'bytes a landing downloads, all SDK files (gzip -9)',
      result: bytes(gzip),
      reference: `${files.map((file) => `${file.name} ${bytes(file.sizes.gzip)}`).join(' + ')}; brotli (q 11) ${bytes(brotli)}; budget ${bytes(LANDING_BUDGET_GZIP)}: ${verdict(gzip <= LANDING_BUDGET_GZIP)}, ${gap(gzip, LANDING_BUDGET_GZIP)}; ${bareClickSays(bytes(bareClick.file.sizes.gzip))}; ${earlier((f) => bytes(f.bytes))}`,
    },
    {
      area: 'Landing',
      measure: 'SDK files a landing / a plain page view downloads',
      result: `${files.length} / ${plainFiles.length}`,
      reference: `landing: ${files.map((file) => file.name).join(' + ') || 'none'}; plain page view: ${plainFiles.join(' + ') || 'none'}`,
    },
    {
      area: 'Landing',
      measure: `ScriptDuration, landing minus bare page (median / p95, ${script.loads} loads)`,
      result: overBare(script.landing),
      reference: `bare page ${ms(script.bare.median)} / ${ms(script.bare.p95)}; ${bareClickSays(overBare(bareClick.script))}; ${earlier((f) => ms(f.scriptMs))}`,
    },
    {
      area: 'Landing',
      measure: 'ScriptDuration, plain page view minus bare page (median / p95)',
      result: overBare(script.plain),
      reference: 'no ?aff=, empty cookie jar',
    },
    {
      area: 'Landing',
      measure: `slow 4G: navigation start to click sent (median / p95, ${slow4g.landings} landings)`,
      result: `${ms(slow4g.clickSent.median)} / ${ms(slow4g.clickSent.p95)}`,
      reference: `${bareClickSays(`${ms(bareClick.slow4g.clickSent.median)} / ${ms(bareClick.slow4g.clickSent.p95)}`)}; ${earlier((f) => ms(f.clickSentMs))}`,
    },
    {
      area: 'Landing',
      measure: 'slow 4G: navigation start to affitor_click_id written (median / p95)',
      result: `${ms(slow4g.cookie.median)} / ${ms(slow4g.cookie.p95)}`,
      reference: `${bareClickSays(`${ms(bareClick.slow4g.cookie.median)} / ${ms(bareClick.slow4g.cookie.p95)}`)}; ${earlier((f) => ms(f.cookieMs))}`,
    },
    {
      area: 'Landing',
      measure: 'slow 4G, the tag naming no version (a redirect first, as unpkg answers it): click sent / affitor_click_id written (median)',
      result: `${ms(slow4g.unversioned.clickSent.median)} / ${ms(slow4g.unversioned.cookie.median)}`,
      reference: `the README's tag, naming the version: ${ms(slow4g.clickSent.median)} / ${ms(slow4g.cookie.median)} (same run); the redirect costs the click ${signedMs(slow4g.unversioned.clickSent.median - slow4g.clickSent.median)}`,
    },
    {
      area: 'Landing',
      measure: `phone, ${phone.rows.toLocaleString('en-US')}-row page: script start to click fetch() (median / p95, ${phone.landings} landings)`,
      result: `${ms(phone.toClick.median)} / ${ms(phone.toClick.p95)}`,
      reference: bareClickSays(`${ms(phone.bareClick.median)} / ${ms(phone.bareClick.p95)}`),
    },
    ...bounce.rows.map((row, index): Row => {
      const received = (of: BounceRow) => LEAVE_WAYS.map((way) => `${way} ${of.received[way]}/${bounce.tries}`).join(', ');
      return {
        area: 'Bounce',
        measure: `clicks received, visitor leaves at ${row.leaveAtMs} ms (slow 4G)`,
        result: received(row),
        reference: `${LEAVE_WAYS.map((way) => {
          const goal = bounceGoal(way, row.leaveAtMs);
          if (goal === undefined) return `${way}: no goal`;
          const wanted = Math.ceil((goal / 10) * bounce.tries);
          return `${way}: goal ${wanted}/${bounce.tries}, ${verdict(row.received[way] >= wanted)}`;
        }).join('; ')}; ${bareClickSays(received(bareClick.bounce[index]!))}`,
      };
    }),
  ];
}

export function landingMethod(landing: LandingResult): string {
  const { script, slow4g, phone, bounce } = landing;
  return [
    `**Landing and bounces.** Headless Chromium (playwright-core, Debian's chromium), a shop page on \`http://www.shop.localhost\` (loopback) with the script tag as the README sets it up (\`<script async src="/dist/affitor.global.js" data-affitor-…>\`), the tracking server on another loopback port, everything served with \`no-store\` and gzip -9 (Chromium accepts it), a fresh browser context (empty jar) per load.`,
    `The SDK files are the \`affitor.*.js\` requests Chromium sent for the page, counted rather than named, so the figure follows however the build is split; their bytes are each file as built, compressed on its own (zlib level 9, brotli quality 11), summed.`,
    `Script time is the renderer's \`ScriptDuration\` (CDP \`Performance.getMetrics\`) once the page has loaded, for a landing once \`affitor_click_id\` is in the jar (polled from outside the page), and then ${SETTLE_MS} ms of quiet; the bare page is the same page without the script tag (both run the same small inline cookie probe). Bare page, plain page view (no \`?aff=\`), landing and the bare click script's landing take turns, ${script.loads} measured loads each after 3 warm-up rounds; the figure is the variant's median (p95) minus the bare page's median (p95). \`ScriptDuration\` counts a script's evaluation, its timers and its event handlers, but not callbacks of promises the browser settles, such as a fetch's answer: a 10 ms busy loop put into the handling of the click's answer added nothing to it (24 loads each, same run). So the landing's figure leaves out the writing of the cookies from the click's answer (about 5 ms of main thread in Chromium here, timed with \`performance.mark\` around it), and any script's figure measured this way leaves out the like.`,
    `Slow 4G is \`Network.emulateNetworkConditions\` (${SLOW_4G.latency} ms latency, ${(SLOW_4G.downloadThroughput * 8) / 1e6} Mbps down, ${(SLOW_4G.uploadThroughput * 8) / 1e3} kbps up), set before the navigation, so the page, the SDK files and the click are all slowed; it delays answers, not the requests themselves. Click sent is the click request's resource-timing \`startTime\`; cookie written is when an inline script wrapping \`document.cookie\`'s setter first saw \`affitor_click_id\` written and readable; both in ms since navigation start, ${slow4g.landings} landings after 3 warm-up ones. The same landing with the tag naming the package without a version (\`/npm/@affitor/sdk/dist/affitor.global.js\`) takes turns with them: the page server answers that URL as unpkg does (its documentation: a URL without a version, or with a range, redirects to the matching version's), with a 302 to \`/npm/@affitor/sdk@<version>/dist/affitor.global.js\`, which serves the file. Both are on the page's own origin here, so the row shows the redirect's own cost, one more round trip before the file, and none of a CDN origin's connection set-up.`,
    `Phone: a context as Chromium emulates a phone (390×844 CSS px, \`isMobile\`: its viewport on, so the page's width decides its layout), no network throttling, on a long shop page (a \`width=device-width\` viewport and ${phone.rows.toLocaleString('en-US')} rows of products, the script tag \`async\` in its head, which runs while the page is still being parsed); ms from the script's start (its first read of \`document.currentScript\`, as both scripts begin) to its first \`fetch()\` call, both noted by wrappers an init script puts in before the page runs. A layout the script forces before its click (reading \`innerWidth\` does, on a phone, while the page loads) shows here; ${phone.landings} landings each after 3 warm-up ones, taking turns with the bare click script.`,
    `The bare click script (bench/bare-click.ts, ${landing.bareClick.file.sizes.gzip} B gzip -9) is the least a landing script can do that keeps last touch: it reads \`?aff=\`, reads the jar and sends no click when the landing stored there names the same partner (the spec's last-touch table asks it of any landing script; Dub's script reads its cookie too), else sends the click as the SDK does (\`fetch\`, \`keepalive\`, \`text/plain\`, the same route) and writes \`affitor_click_id\` and \`affitor_aff_url\` from the answer, nothing else. Its read of the jar is the page's first, a synchronous round trip to the browser's cookie store that any landing script which keeps last touch makes before its click (3 to 8 ms of main thread in a fresh Chromium tab on this machine). Served the same way from the same page in the SDK's place, it takes turns with the SDK in every measure after the bytes, so each of the SDK's figures has beside it the floor any landing script stands on in the same Chromium, on the machine as loaded during the same run. The earlier run's figures (Affitor SDK, Dub) were measured with the same method on another machine, and are printed as they were given.`,
    `Bounces, also under slow 4G: the visitor leaves the landing (a unique \`?aff=…&visit=…\` URL per try) the given time after the navigation was asked for, by navigating to a page without the SDK or by closing the tab (\`page.close()\`); the context stays open up to ${RECEIVE_WAIT_MS / 1_000} s longer (or until the click is recorded) so a request that outlived the page can arrive. A click counts as received when the tracking server recorded that landing's URL by the end of the run. ${bounce.tries} tries per leave time and way, and as many for the bare click script, all taking turns. p95 is the nearest-rank order statistic (an observed sample); a median of an even count of samples is the mean of the two middle ones.`,
  ].join(' ');
}

/** The rows of the README's preconnect line: a landing over a cold TLS connection to the API, without and with it. */
export function preconnectRows(preconnect: PreconnectResult): Row[] {
  const { tagAlone, withPreconnect, landings, roundTripMs } = preconnect;
  const where = `cold TLS connection to the API, ${roundTripMs} ms round trips`;
  const saved = tagAlone.cookie.median - withPreconnect.cookie.median;
  return [
    {
      area: 'Landing',
      measure: `${where}: navigation start to affitor_click_id written, with the README's preconnect line (median / p95, ${landings} landings)`,
      result: `${ms(withPreconnect.cookie.median)} / ${ms(withPreconnect.cookie.p95)}`,
      reference: `the script tag alone, same run: ${ms(tagAlone.cookie.median)} / ${ms(tagAlone.cookie.p95)}; with the line the cookie is written ${ms(Math.abs(saved))} ${saved >= 0 ? 'sooner' : 'later'} (median)`,
    },
    {
      area: 'Landing',
      measure: `${where}: navigation start to click sent, with the preconnect line (median)`,
      result: ms(withPreconnect.clickSent.median),
      reference: `the script tag alone, same run: ${ms(tagAlone.clickSent.median)} (the line opens the connection before the click leaves; it does not make the click leave sooner)`,
    },
  ];
}

export function preconnectMethod(preconnect: PreconnectResult): string {
  return [
    `**Preconnect.** The README's \`<link rel="preconnect" href="<API>" crossorigin>\` pays where the landing's click opens a cold connection to the tracking API, which Chromium's network emulation (the slow-4G rows) cannot show: it holds answers back, but sets connections up at once.`,
    `So here the shop page and the tracking API are on two origins (\`http://www.shop.test\` and \`https://api.shop.test\`, loopback), the API answers over TLS (a throwaway certificate; Chromium ignores its errors), and every byte between Chromium and either server crosses a relay that holds it ${preconnect.roundTripMs / 2} ms each way: the TLS handshake and each request wait out real round trips. Setting up TCP itself costs none here (Chromium connects to the relay at once), nor does a DNS lookup, which on a real network come on top: the gain shown is the least a visitor on such a network gets.`,
    `No bandwidth limit. Each landing runs in a Chromium profile of its own (a persistent context in a fresh folder: empty jar, no open connection, no cache), since Chromium drops preconnect hints in Playwright's usual off-the-record contexts. The page is the README's script tag alone, or the same with the preconnect line before it, taking turns, ${preconnect.landings} landings each after one warm-up round. Click sent and cookie written as in the slow-4G rows.`,
  ].join(' ');
}
