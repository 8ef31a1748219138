/** The reference tracking server on a real port for a test file or a describe block (see useRunning). */
import type { SeedInput } from '../../examples/server/src/app';
import { startServer } from '../../examples/server/src/node';
import type { RunningServer, StartOptions } from '../../examples/server/src/node';
import { useRunning } from './running';

export interface TrackingApi {
  /** e.g. `http://127.0.0.1:53121`, once started */
  readonly url: string;
  /** The running server (its `app` has `inspect()`, `setFaults()`, …). */
  readonly server: RunningServer;
}

export function useTrackingApi(seed: SeedInput, options: Omit<StartOptions, 'seed' | 'port'> = {}): TrackingApi {
  const started = useRunning('useTrackingApi', () => startServer({ ...options, port: 0, seed }));
  return {
    get url() {
      return started().url;
    },
    get server() {
      return started();
    },
  };
}
