/** The dashboard's tables are made once per state, whatever the number of tabs asking for them. */
import { describe, expect, it, vi } from 'vitest';
import * as chains from '../../examples/server/src/dashboard/chains';
import { ADMIN, setup } from './helpers';

vi.mock('../../examples/server/src/dashboard/chains', async (original) => {
  const actual = await original<typeof chains>();
  return { ...actual, dashboardData: vi.fn(actual.dashboardData) };
});

describe('the dashboard, open in several tabs', () => {
  it('reads the records once per state for every tab polling it, and again once a call changed it', async () => {
    const { server, click } = setup();
    const made = vi.mocked(chains.dashboardData);
    made.mockClear();
    const poll = async () => {
      const response = await server.fetch(new Request('https://api.affitor.test/_dashboard/fragment', { headers: { Authorization: `Bearer ${ADMIN}` } }));
      expect(response.status).toBe(200);
      return response.text();
    };
    await click('PARTNER123');
    const tabs = await Promise.all([poll(), poll(), poll(), poll()]);
    expect(made).toHaveBeenCalledTimes(1);
    expect(new Set(tabs).size).toBe(1);

    const second = (await click('PARTNER123')).body?.click_id as string;
    const next = await poll();
    expect(made).toHaveBeenCalledTimes(2);
    expect(next).toContain(second);
    expect(tabs[0]).not.toContain(second);
    // The whole page, asked for by a tab opened now, shows the same state without making it again.
    const page = await server.fetch(new Request('https://api.affitor.test/_dashboard', { headers: { Authorization: `Bearer ${ADMIN}` } }));
    expect(await page.text()).toContain(next);
    expect(made).toHaveBeenCalledTimes(2);
  });
});
