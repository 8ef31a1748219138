/** How long a call the page can await (`signup`, `trackClick`) may wait for the network. */

/**
 * The longest a call waits: its event stays in the outbox until delivered (behind a landing's
 * click still in flight, retried, or on a later page view), whatever the network does.
 */
export const CALL_WAIT_MS = 5_000;

/** `work`'s outcome, or undefined once CALL_WAIT_MS have passed; no timer outlives it (a test runner with fake timers would see it pending). */
export async function bounded<T>(work: Promise<T>): Promise<T | undefined> {
  let timer;
  const outcome = await Promise.race([work, new Promise<undefined>((resolve) => (timer = setTimeout(resolve, CALL_WAIT_MS)))]);
  clearTimeout(timer);
  return outcome;
}
