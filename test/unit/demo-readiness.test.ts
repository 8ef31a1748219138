/** The demo's readiness report, as printed after its walkthrough. */
import { describe, expect, it } from 'vitest';
import { formatReadiness } from '../../examples/demo/readiness';
import { createTrackingServer } from '../../examples/server/src/app';
import type { SeedInput } from '../../examples/server/src/app';
import demoSeed from '../../examples/server/seed.demo.json';
import type { ReadinessData } from '../../src/server';

async function readinessOf(server = createTrackingServer()): Promise<ReadinessData> {
  const answer = await server.fetch(new Request('http://api.test/api/v1/programs/me/readiness', { headers: { Authorization: 'Bearer aff_test_1' } }));
  return (await answer.json()) as ReadinessData;
}

describe('demo readiness report', () => {
  it("prints the state, the blocker, each gate's next action, the test chain and the day's counts", async () => {
    expect(formatReadiness(await readinessOf())).toBe(
      [
        'readiness: not_started, waiting for payout',
        '  ok   profile',
        '  ok   economics',
        '   ..  payout    Report a sale from your backend with trackSale (testMode: true for a test sale)',
        '   ..  tracking  Install the SDK and open your site through a partner link (?aff=<code>)',
        '  FAIL live      Open your site through a partner link (?aff=<code>) with the SDK installed',
        '  test chain: click pending -> lead pending -> sale pending',
        '  last 24 h: 0 clicks, 0 leads, 0 sales, 0 refunds',
      ].join('\n'),
    );
  });

  // The headline names the blocker in the words of its own mark: a gate marked ' .. ' (nothing seen
  // yet) is waited for, and only one marked FAIL blocks; "blocked at payout" over a payout that
  // showed ' .. ' while another gate showed FAIL read as a contradiction.
  it('says "blocked at" only for a blocker that fails', async () => {
    const seed = structuredClone(demoSeed) as SeedInput;
    seed.programs![0]!.allowed_origins = [];
    const report = formatReadiness(await readinessOf(createTrackingServer(seed)));
    expect(report.split('\n').slice(0, 2)).toStrictEqual([
      'readiness: not_started, blocked at profile',
      "  FAIL profile   Add your site's origin to the program's allowed_origins, so browsers there may call the tracking API",
    ]);
  });

  it('says verified once the chain is complete', async () => {
    const server = createTrackingServer();
    const post = (route: string, body: object, token?: string) =>
      server.fetch(
        new Request(`http://api.test/api/v1/track/${route}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
        }),
      );
    const click = (await (await post('click', { affiliate_url: 'http://localhost:5173/?aff=PARTNER123' })).json()) as { click_id: string };
    await post('lead', { click_id: click.click_id, customer_key: 'demo' });
    await post('sale', { transaction_id: 'pi_demo', amount_cents: 4900, customer_key: 'demo' }, 'aff_test_1');
    const report = formatReadiness(await readinessOf(server));
    expect(report.split('\n')[0]).toBe('readiness: verified, integration verified');
    expect(report).toContain('test chain: click attributed -> lead attributed -> sale attributed');
  });
});
