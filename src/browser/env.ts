/** Whether a DOM is there. Checked at call time, never at import time, so server rendering can import the SDK. */
export function isBrowser(): boolean {
  return typeof window !== 'undefined' && typeof document !== 'undefined';
}
