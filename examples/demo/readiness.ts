/**
 * The demo's readiness report: what `GET /api/v1/programs/me/readiness` says about the demo
 * program, printed after the walkthrough and again each time it changes, polled at the interval
 * the answer asks for (the way Affitor's CLI waits for a merchant's integration).
 */
import type { Affitor, ReadinessData, ReadinessGateId } from '../../src/server';

const GATES: readonly ReadinessGateId[] = ['profile', 'economics', 'payout', 'tracking', 'live'];
const MARK = { pass: 'ok  ', fail: 'FAIL', unknown: ' .. ' } as const;

/**
 * The headline's words for the blocker (the first gate not passing), matching its mark: only a gate
 * that fails blocks; one with nothing seen yet (` .. `, as payout before any sale) is waited for,
 * else "blocked at payout" sat over a payout that did not fail, and next to a later gate's FAIL.
 */
function headline(data: ReadinessData): string {
  if (!data.blocker) return 'integration verified';
  return `${data.gates[data.blocker].status === 'fail' ? 'blocked at' : 'waiting for'} ${data.blocker}`;
}

/** The report as lines of text. */
export function formatReadiness(data: ReadinessData): string {
  const chain = data.gates.live.test_chain;
  const counts = data.recent_events;
  const lines = [
    `readiness: ${data.state}, ${headline(data)}`,
    ...GATES.map((id) => {
      const gate = data.gates[id];
      return `  ${MARK[gate.status]} ${id.padEnd(9)} ${gate.next_action ?? gate.detail ?? ''}`.trimEnd();
    }),
    chain ? `  test chain: click ${chain.click} -> lead ${chain.lead} -> sale ${chain.sale}` : '',
    `  last 24 h: ${counts.clicks_24h} clicks, ${counts.leads_24h} leads, ${counts.sales_24h} sales, ${counts.refunds_24h} refunds`,
  ];
  return lines.filter(Boolean).join('\n');
}

/** What changes the report: not the time of the check. */
const fingerprint = (data: ReadinessData) => JSON.stringify({ ...data, gates: GATES.map((id) => ({ ...data.gates[id], checked_at: null })) });

/**
 * Prints the report now and again whenever it changes, until `stop()`. A failed poll is printed
 * once (with its code) and retried at the same pace.
 */
export function watchReadiness(affitor: Affitor, print: (text: string) => void): { stop: () => void } {
  let last = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const poll = async (): Promise<void> => {
    const result = await affitor.readiness();
    if (stopped) return;
    let waitSeconds = 5;
    if (result.ok) {
      const seen = fingerprint(result.data);
      if (seen !== last) print(formatReadiness(result.data));
      last = seen;
      waitSeconds = result.data.poll.retry_after_seconds;
    } else if (last !== result.code) {
      print(`readiness: could not ask (${result.code}: ${result.error})`);
      last = result.code;
    }
    timer = setTimeout(() => void poll(), waitSeconds * 1000);
    timer.unref?.();
  };
  void poll();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
