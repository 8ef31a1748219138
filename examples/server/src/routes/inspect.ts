/** GET /_inspect — the whole state, for tests; admin token required. */
import { constantTimeEqual, readBearer } from '../auth';
import { MESSAGES, fail, ok } from '../errors';
import type { Answer } from '../errors';
import type { Store } from '../store';

export function inspectRoute(request: Request, store: Store): Answer {
  const auth = readBearer(request.headers.get('authorization'));
  if (!auth.ok || !constantTimeEqual(auth.token, store.adminToken)) return fail(401, MESSAGES.adminUnauthorized);
  return ok({ ...store.snapshot() });
}
