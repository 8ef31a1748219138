/**
 * The least a landing script can do that keeps last touch, measured in the same run as the SDK:
 * it reads `?aff=`, reads the jar and sends no click when the landing stored there names the same
 * partner (the spec's last-touch table; Dub's script reads its cookie too), else sends the click
 * as the SDK does (`fetch`, `keepalive`, `text/plain`, to the same route) and writes
 * `affitor_click_id` and `affitor_aff_url` from the answer. No page context, no session, no
 * outbox, no domain probe, no API. What it costs on this machine is the floor under any
 * landing's figures: the browser's first `fetch`, the page's first read of its cookies (a
 * synchronous round trip to the browser's cookie store, 3 to 8 ms of main thread in a fresh
 * Chromium tab here; the script's writes come in the answer's callback, which `ScriptDuration`
 * leaves out), the download of a few hundred bytes. The SDK's figures beside it show what the
 * rest of its work costs, in the same Chromium, on the same loaded machine; figures copied from
 * another run cannot.
 *
 * A plain script (no module, no build), served as written.
 */
export const BARE_CLICK_FILE = 'bare-click.js';

export const BARE_CLICK_SCRIPT = `(() => {
  const tag = document.currentScript;
  const aff = new URL(location.href).searchParams.get('aff');
  if (!aff) return;
  const stored = /(?:^|; )affitor_aff_url=([^;]*)/.exec(document.cookie);
  if (stored && new URL(decodeURIComponent(stored[1])).searchParams.get('aff') === aff) return;
  fetch(tag.getAttribute('data-affitor-api-base') + '/api/v1/track/click', {
    method: 'POST',
    keepalive: true,
    headers: { 'Content-Type': 'text/plain' },
    body: JSON.stringify({ affiliate_url: location.href, page_url: location.href, additional_data: { program_id: Number(tag.getAttribute('data-affitor-program-id')) } }),
  })
    .then((answer) => answer.json())
    .then((click) => {
      document.cookie = 'affitor_click_id=' + encodeURIComponent(click.click_id) + '; Path=/; Max-Age=5184000; SameSite=Lax';
      document.cookie = 'affitor_aff_url=' + encodeURIComponent(location.href) + '; Path=/; Max-Age=5184000; SameSite=Lax';
    });
})();
`;
