/**
 * Which engines a run uses. `AFFITOR_ENGINES=firefox` (or `chromium,webkit`, ...) picks
 * some; unset, all three run. An engine whose browser is not installed is skipped with a
 * message on a developer's machine and fails the run under `CI=true`.
 */
import { existsSync } from 'node:fs';
import { CHROMIUM_PATH, launchChromium } from './chromium';
import { FIREFOX_PATH, launchFirefox } from './firefox';
import type { Engine, EngineName } from './types';
import { MINIBROWSER_PATH, WEBKIT_DRIVER_PATH, XVFB_PATH, launchWebKit } from './webkit';

interface EngineSetup {
  /** Files the engine needs on this machine. */
  needs: string[];
  install: string;
  launch(): Promise<Engine>;
}

export const ENGINES: Record<EngineName, EngineSetup> = {
  chromium: { needs: [CHROMIUM_PATH], install: 'apt-get update && apt-get install -y chromium', launch: launchChromium },
  firefox: {
    needs: [FIREFOX_PATH],
    install: 'apt-get update && apt-get install -y --no-install-recommends firefox-esr',
    launch: launchFirefox,
  },
  webkit: {
    needs: [WEBKIT_DRIVER_PATH, MINIBROWSER_PATH, XVFB_PATH],
    install: 'apt-get update && apt-get install -y --no-install-recommends webkit2gtk-driver xvfb',
    launch: launchWebKit,
  },
};

const NAMES = Object.keys(ENGINES) as EngineName[];
const isCI = /^(1|true)$/i.test(process.env.CI ?? '');

/** The engines `AFFITOR_ENGINES` names (all when unset); an unknown name is an error, not a silent skip. */
export function selectedEngines(value = process.env.AFFITOR_ENGINES): EngineName[] {
  if (!value?.trim()) return NAMES;
  const names = value.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  const unknown = names.filter((name) => !NAMES.includes(name as EngineName));
  if (unknown.length > 0) throw new Error(`AFFITOR_ENGINES names unknown engines: ${unknown.join(', ')} (known: ${NAMES.join(', ')})`);
  return names as EngineName[];
}

const warned = new Set<string>();
const warnOnce = (message: string) => {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(message);
};

/** What is missing for `name` on this machine, as a sentence with the install command; null when nothing is. */
export function missingFor(name: EngineName): string | null {
  const setup = ENGINES[name];
  const missing = setup.needs.filter((path) => !existsSync(path));
  return missing.length ? `${name}: ${missing.join(', ')} not found. Install with: ${setup.install}` : null;
}

/**
 * Whether the suites skip `name` here: not selected, or not installed outside CI (said
 * once on the console). Under CI an engine that is missing is not skipped: launching it fails.
 */
export function skipEngine(name: EngineName): boolean {
  if (!selectedEngines().includes(name)) {
    warnOnce(`[e2e] ${name}: not in AFFITOR_ENGINES=${process.env.AFFITOR_ENGINES}, skipped`);
    return true;
  }
  const missing = missingFor(name);
  if (missing && !isCI) {
    warnOnce(`[e2e] ${missing}. Skipping its browser suites (under CI=true this fails).`);
    return true;
  }
  return false;
}

/** Launches `name`, or fails with what is missing and how to install it. */
export async function launchEngine(name: EngineName): Promise<Engine> {
  const missing = missingFor(name);
  if (missing) throw new Error(`${missing} (CI=${process.env.CI}: the browser suites must run here)`);
  return ENGINES[name].launch();
}
