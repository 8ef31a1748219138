/**
 * Listening for the abort of a caller's signal: once per signal, however many calls and attempts
 * wait on it. A server passes one signal (its shutdown's) to every call; one listener per waiting
 * attempt or backoff made Node warn "MaxListenersExceededWarning: Possible EventTarget memory leak
 * detected" from the 11th call on, a leak there was not (a plain fetch given that signal never warns).
 */
interface Relay {
  callbacks: Set<() => void>;
  fire: () => void;
}

const relays = new WeakMap<AbortSignal, Relay>();

/** Runs `callback` when `signal` aborts; the function returned stops that (and drops the signal's one listener when none is left). */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let relay = relays.get(signal);
  if (!relay) {
    const callbacks = new Set<() => void>();
    const fire = () => {
      relays.delete(signal);
      const waiting = [...callbacks];
      callbacks.clear();
      for (const each of waiting) each();
    };
    relay = { callbacks, fire };
    relays.set(signal, relay);
    signal.addEventListener('abort', fire, { once: true });
  }
  const mine = relay;
  // Its own entry, so that the same function registered twice is two registrations.
  const entry = () => callback();
  mine.callbacks.add(entry);
  return () => {
    if (!mine.callbacks.delete(entry) || mine.callbacks.size > 0) return;
    if (relays.get(signal) === mine) relays.delete(signal);
    signal.removeEventListener('abort', mine.fire);
  };
}
