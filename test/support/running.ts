/**
 * A server a test file or a describe block runs: the helper registers its own start (beforeAll)
 * and stop (afterAll), so a suite writes one line instead of the same hooks.
 */
import { afterAll, beforeAll } from 'vitest';

/**
 * Starts `start()` before the block's tests and closes it after them. Returns the running server,
 * for the block's tests only: `name` says who was asked outside them.
 */
export function useRunning<T extends { close(): Promise<void> }>(name: string, start: () => Promise<T>): () => T {
  let running: T | undefined;
  beforeAll(async () => {
    running = await start();
  });
  afterAll(async () => {
    await running?.close();
    running = undefined;
  });
  return () => {
    if (!running) throw new Error(`${name}: the server runs only inside the tests of the block that called it`);
    return running;
  };
}
