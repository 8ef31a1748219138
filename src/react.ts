/**
 * `@affitor/sdk/react`: `<AffitorProvider programId={…}>` starts the browser SDK once the page is
 * in the browser, and `useAffitor()` gives components the attribution and the SDK's calls.
 *
 * The build imports the browser SDK as the package (`@affitor/sdk`), never a copy of it, so a
 * page that also imports `@affitor/sdk` still has one tracker. Rendering
 * on the server touches no browser global, and the first render in the browser equals the
 * server's (`ready: false`, `data: null`) until the SDK has started, so hydration never mismatches.
 * The build marks the file `'use client'`: Next.js App Router layouts (server components) may
 * render `AffitorProvider`.
 */
import { createContext, createElement, useContext, useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import type { ReactElement, ReactNode } from 'react';
// Built as an import of the package itself, `@affitor/sdk` (tsup.config.ts), never a copy of it.
import { diagnose, getClickId, getData, grantConsent, init, onAttribution, revokeConsent, signup, trackClick } from './index';
import type { AffitorData, AffitorDiagnosis, AffitorInitOptions } from './index';

export type { AffitorData, AffitorDiagnosis, AffitorInitOptions } from './index';

/** What `useAffitor()` returns. The functions keep their identity across renders, also when the provider's options change. */
export interface UseAffitor {
  /** The visitor's attribution; `null` until the SDK has started (always on the server and in the first render). */
  data: AffitorData | null;
  /**
   * Whether the SDK has started: `AffitorProvider` started it, a call through this hook did, or the
   * page's own `init()` did (seen when a component using the hook mounts, after that render's
   * effects, e.g. a root component's `init`, and on every attribution change).
   */
  ready: boolean;
  /**
   * Reports a signup (lead); starts the SDK first if nothing here did: with the provider's options, outside one with `init()`'s.
   * Inside a provider still without a program id (a prop filled after a fetch), it waits for it, up to 5 s.
   */
  signup: (customerKey: string, email?: string) => Promise<void>;
  /** Reports a click for a partner link (default: the current URL). */
  trackClick: (affiliateUrl?: string, existingClickId?: string | null) => Promise<void>;
  getClickId: () => string | null;
  /** Consent given: persists the attribution held in memory. */
  grantConsent: () => void;
  /** Consent withdrawn: deletes what the SDK stored; `data` follows. */
  revokeConsent: () => void;
  /** Why there is (no) attribution, as JSON-serialisable data; `null` on the server. */
  diagnose: () => AffitorDiagnosis | null;
}

export interface AffitorProviderProps extends AffitorInitOptions {
  children?: ReactNode;
}

interface Snapshot {
  data: AffitorData | null;
  ready: boolean;
}

/** The server's snapshot, and the browser's until the SDK has started: one object, so React sees no change. */
const NOT_STARTED: Snapshot = { data: null, ready: false };

let started = false;
let snapshot: Snapshot = NOT_STARTED;
const subscribers = new Set<() => void>();
let stopListening: (() => void) | undefined;

const sameData = (a: AffitorData | null, b: AffitorData | null): boolean =>
  a === b ||
  (!!a && !!b && a.clickId === b.clickId && a.programId === b.programId && a.hasAttribution === b.hasAttribution && a.affiliateUrl === b.affiliateUrl);

/** Takes a new snapshot when what it holds changed, and tells the subscribed components. */
function refresh(): void {
  // getData() is null until an init ran on the page: the provider's, one through the hook, or the
  // page's own (an import of @affitor/sdk), which the hook follows too.
  const data = getData();
  const ready = started || data !== null;
  if (snapshot.ready === ready && sameData(snapshot.data, data)) return;
  snapshot = { data, ready };
  for (const notify of subscribers) notify();
}

function subscribe(notify: () => void): () => void {
  subscribers.add(notify);
  // One SDK listener for every component: a click answer (a landing, a partner switch) refreshes the snapshot.
  if (!stopListening) {
    stopListening = onAttribution(refresh);
    // What changed since the render read the snapshot, before this listener was there.
    refresh();
  }
  // And once this commit's effects have all run: a parent's effect runs after its child's, so a
  // page that calls init() in its root component's effect starts the SDK only then.
  queueMicrotask(refresh);
  return () => {
    subscribers.delete(notify);
    if (subscribers.size === 0) {
      stopListening?.();
      stopListening = undefined;
    }
  };
}

/** With no component listening, nothing kept the snapshot up to date (a landing answered, consent was revoked): it catches up. */
const getSnapshot = (): Snapshot => {
  if (!stopListening) refresh();
  return snapshot;
};
const getServerSnapshot = (): Snapshot => NOT_STARTED;

/**
 * The `AffitorProvider` around a component: its options as a key, and its depth. A child's effect
 * runs before its provider's: a signup there starts the SDK with the provider's options, not without.
 */
const ProviderOptions = createContext<MountedProvider | undefined>(undefined);

/** A provider: its options as a key (its own over its outer providers'), and its depth among providers, 1 for the outermost. */
interface MountedProvider {
  key: string;
  depth: number;
}

/**
 * Starts the SDK (or updates its options) with the provider's options (`key`), else `init()` with
 * no options, which keeps the options of an `init` made elsewhere on the page (and otherwise uses
 * the defaults, as `signup` would); the hook's components then read it.
 */
function startWith(key: string | undefined): void {
  const options = key === undefined ? undefined : (JSON.parse(key) as AffitorInitOptions & { programId?: null });
  // A provider whose `programId` prop is not there yet (filled once a fetch answered) starts the SDK
  // when it arrives. Started without it, init said "No program id" in the console of every such page.
  if (options?.programId === null) return;
  init(options);
  started = true;
  if (getData()?.programId) arrive?.();
  refresh();
}

/** The wait of the calls through the hook for a program id, and what ends it (startWith, or 5 s). */
let arrived: Promise<void> | undefined;
let arrive: (() => void) | undefined;

/**
 * Starts the SDK if nothing here did (see startWith), then runs `call`. Inside a provider whose
 * program id is not there yet (a prop filled once a fetch answered), the call waits for the init
 * that brings it, up to 5 s: run at once, the SDK would drop the signup for want of a program id,
 * and the lead with it. Never rejects, as the SDK's calls do not.
 */
async function run(key: string | undefined, call: () => Promise<void>): Promise<void> {
  if (typeof window === 'undefined') return call();
  // Outside a provider, first the rest of this task, as the SDK's own calls do: a provider's effect
  // there (a component placed before the provider runs its effects first) starts the SDK with its
  // options. Started at once without them, the signup would be dropped for want of a program id.
  if (!started && key === undefined) await Promise.resolve();
  if (!started) startWith(key);
  // At once when it can: the SDK puts a signup's lead in the outbox before anything is awaited.
  if (key === undefined || getData()?.programId) return call();
  return (arrived ??= new Promise<void>((resolve) => {
    // No timer outlives the wait (a test runner with fake timers would see it pending).
    const timer = setTimeout(
      (arrive = () => {
        clearTimeout(timer);
        arrived = undefined;
        resolve();
      }),
      5_000,
    );
  })).then(call);
}

/** The hook's functions, for the provider options `key.current` when called (undefined outside a provider). */
const actionsFor = (key: { current: string | undefined }) => ({
  signup: (customerKey: string, email?: string) => run(key.current, () => signup(customerKey, email)),
  trackClick: (affiliateUrl?: string, existingClickId?: string | null) => run(key.current, () => trackClick(affiliateUrl, existingClickId)),
  getClickId: () => getClickId(),
  grantConsent: () => {
    grantConsent();
    refresh();
  },
  revokeConsent: () => {
    revokeConsent();
    refresh();
  },
  diagnose: () => diagnose(),
});

/**
 * Starts the browser SDK with these options after the first render in the browser (and again
 * when they change: `init` updates options and never tracks one landing twice, so StrictMode's
 * second effect sends nothing). Renders its children as they are.
 *
 * @example
 * <AffitorProvider programId="123" apiBase="/relay">{children}</AffitorProvider>
 */
export function AffitorProvider({ children, ...options }: AffitorProviderProps): ReactElement {
  // The options as a value: a parent's new but equal object does not start the SDK again. A
  // `programId` prop given as undefined (not there yet) is kept, as null, for startWith to see.
  // Inside another provider, its options are the base this one's own are laid over.
  const outer = useContext(ProviderOptions);
  // NaN and Infinity (Number() of an unset env variable) kept as their text, not made null by JSON: init
  // says they are no id. A BigInt (a BIGINT column's id), which JSON refuses with a TypeError that would
  // take the page down, as init shows it (123n): init says so too.
  const own = JSON.parse(
    JSON.stringify(options, (_, value: unknown) => (typeof value == 'number' && !isFinite(value) ? String(value) : typeof value == 'bigint' ? value + 'n' : value)),
  ) as AffitorInitOptions;
  if ('programId' in options && options.programId == null) own.programId = null as never;
  const key = JSON.stringify({ ...(outer && (JSON.parse(outer.key) as AffitorInitOptions)), ...own });
  const depth = (outer?.depth ?? 0) + 1;
  const provider = useMemo(() => ({ key, depth }), [key, depth]);
  useEffect(() => {
    mounted.push(provider);
    startInnermost();
    return () => {
      mounted.splice(mounted.indexOf(provider), 1);
      // Once this commit's effects ran: new options mount again at once; an inner provider that
      // unmounted leaves the outer one's in force.
      queueMicrotask(startInnermost);
    };
  }, [provider]);
  return createElement(ProviderOptions.Provider, { value: provider }, children);
}

/** The mounted providers, in the order their effects ran. */
const mounted: MountedProvider[] = [];

/**
 * Starts the SDK with the innermost mounted provider's options (its own over its outer providers'),
 * whichever order their effects ran in (a child's before its parent's on a first load, the other
 * way on a client navigation into a nested one), and its outer provider's again once it unmounts.
 */
function startInnermost(): void {
  const deepest = (providers: MountedProvider[]) =>
    providers.reduce<MountedProvider | undefined>((found, provider) => (found && found.depth > provider.depth ? found : provider), undefined);
  // A nested provider whose program id is not there yet leaves its outer one's options in force
  // meanwhile (on a first load too, where both mount in one commit): the landing is tracked, and a
  // signup under it goes, with the outer program id.
  const innermost = deepest(mounted.filter((provider) => (JSON.parse(provider.key) as { programId?: unknown }).programId !== null)) ?? deepest(mounted);
  if (innermost) startWith(innermost.key);
}

/**
 * The attribution and the SDK's calls, re-rendering the component when the attribution changes.
 * Works inside and outside `AffitorProvider`; outside, `ready` turns true once the SDK started: a
 * call through it (signup, trackClick), or the page's own `init()`.
 */
export function useAffitor(): UseAffitor {
  const { data, ready } = useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
  // The options read when a function is called, not fixed in it: a new function at each change of
  // the provider's options (a program id fetched, consent granted) re-runs the effects that list
  // it, and an effect that reports a signup would send the lead again.
  const key = useRef<string | undefined>(undefined);
  key.current = useContext(ProviderOptions)?.key;
  const actions = useMemo(() => actionsFor(key), []);
  return useMemo(() => ({ data, ready, ...actions }), [data, ready, actions]);
}
