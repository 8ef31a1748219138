import { chromium } from 'playwright-core';
import http from 'node:http';
import { readFileSync } from 'node:fs';
const sdk = readFileSync('dist/affitor.global.js');
const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  if (u.pathname === '/sdk.js') { res.setHeader('content-type', 'text/javascript'); return res.end(sdk); }
  if (u.pathname.startsWith('/api/')) { res.setHeader('access-control-allow-origin', '*'); res.setHeader('content-type','application/json'); return res.end(JSON.stringify({ success: true, click_id: 'cust_1_' + Date.now(), cookie_window_days: 30 })); }
  res.setHeader('content-type', 'text/html');
  res.end(`<html><head><script async src="/sdk.js" data-affitor-program-id="1" data-affitor-api-base="http://api.localhost:${port}"></script></head><body>hi</body></html>`);
}).listen(0);
const port = server.address().port;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const self = {};
for (let i = 0; i < 4; i++) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
  await cdp.send('Profiler.start');
  await page.goto(`http://www.shop.localhost:${port}/${process.argv[2] === 'landing' ? '?aff=P' + i : ''}`);
  await page.waitForTimeout(500);
  const { profile } = await cdp.send('Profiler.stop');
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const dt = profile.timeDeltas; 
  profile.samples.forEach((id, k) => { const n = byId.get(id); const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`; self[key] = (self[key] ?? 0) + (dt[k] ?? 0) / 1000; });
  await ctx.close();
}
console.log(Object.entries(self).sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => `${(v / 4).toFixed(2)} ms  ${k}`).join('\n'));
await browser.close(); server.close();
