/**
 * The reference tracking server on a real port for a test file or a describe block: the
 * helper registers its own start (beforeAll) and stop (afterAll), so a suite writes one line
 * instead of the same hooks.
 */
import { afterAll, beforeAll } from 'vitest';
import type { SeedInput } from '../../examples/server/src/app';
import { startServer } from '../../examples/server/src/node';
import type { RunningServer, StartOptions } from '../../examples/server/src/node';

export interface TrackingApi {
  /** e.g. `http://127.0.0.1:53121`, once started */
  readonly url: string;
  /** The running server (its `app` has `inspect()`, `setFaults()`, …). */
  readonly server: RunningServer;
}

export function useTrackingApi(seed: SeedInput, options: Omit<StartOptions, 'seed' | 'port'> = {}): TrackingApi {
  let running: RunningServer | undefined;
  beforeAll(async () => {
    running = await startServer({ ...options, port: 0, seed });
  });
  afterAll(async () => {
    await running?.close();
    running = undefined;
  });
  const started = (): RunningServer => {
    if (!running) throw new Error('useTrackingApi: the server runs only inside the tests of the block that called it');
    return running;
  };
  return {
    get url() {
      return started().url;
    },
    get server() {
      return started();
    },
  };
}
