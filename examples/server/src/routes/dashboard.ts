import type { PathHandlers } from '../app';
import type { RequestLog } from '../request-log';
import type { Store } from '../store';
export function dashboardRoutes(_: { store: Store; log: RequestLog; now: () => number }): [string, PathHandlers][] {
  return [];
}
