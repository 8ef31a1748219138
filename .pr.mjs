import { chromium } from 'playwright-core';
import http from 'node:http';
import { readFileSync } from 'node:fs';
const sdk = readFileSync(process.argv[2] ?? 'dist/affitor.global.js');
const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  if (u.pathname === '/sdk.js') { res.setHeader('content-type', 'text/javascript'); return res.end(sdk); }
  if (u.pathname.startsWith('/api/')) { res.setHeader('access-control-allow-origin', '*'); res.setHeader('content-type','application/json'); return res.end(JSON.stringify({ success: true, click_id: 'cust_1_' + Date.now(), cookie_window_days: 30 })); }
  res.setHeader('content-type', 'text/html');
  res.end(`<html><head>${u.pathname==='/bare'?'':`<script async src="/sdk.js" data-affitor-program-id="1" data-affitor-api-base="http://api.localhost:${port}"></script>`}</head><body>hi</body></html>`);
}).listen(0);
const port = server.address().port;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const agg = {};
for (let i = 0; i < 9; i++) {
  const variant = ['bare', 'plain', 'landing'][i % 3];
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(`http://www.shop.localhost:${port}/${variant === 'bare' ? 'bare' : ''}${variant === 'landing' ? '?aff=P' + i : ''}`);
  await page.waitForTimeout(500);
  const m = (await cdp.send('Performance.getMetrics')).metrics.find((x) => x.name === 'ScriptDuration').value * 1000;
  (agg[variant] ??= []).push(m.toFixed(1));
  await ctx.close();
}
console.log(agg);
await browser.close(); server.close();
