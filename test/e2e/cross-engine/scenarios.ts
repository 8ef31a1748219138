/**
 * The end-to-end scenarios, written once and run in every engine (chromium.test.ts,
 * firefox.test.ts, webkit.test.ts call `defineScenarios`). They assert attribution as a
 * merchant sees it: the cookies in the browser's jar, what the reference tracking server
 * recorded, what went over the wire, and the promises the SDK handed out settling. Where
 * an engine differs, `ENGINE_FACTS` (context.ts) says how and the scenario expects it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';
import { launchEngine, skipEngine } from '../engines/select';
import type { Engine, EngineName, EngineSession } from '../engines/types';
import { attributionScenarios } from './attribution';
import { Tab } from './browsing';
import { scenarioContext } from './context';
import { firstPartyScenarios } from './first-party';
import { lazyFileScenarios } from './lazy-file';
import { leavingScenarios } from './leaving';
import { neverLostScenarios } from './never-lost';
import { startSite } from './site';
import type { Site } from './site';

export function defineScenarios(name: EngineName): void {
  describe.skipIf(skipEngine(name))(`[${name}] attribution in a real browser`, () => {
    let engine: Engine;
    let site: Site;
    let session: EngineSession | undefined;

    beforeAll(async () => {
      [engine, site] = await Promise.all([launchEngine(name), startSite()]);
      console.log(`[e2e] ${name}: ${engine.version}`);
    });
    afterAll(async () => {
      await Promise.all([engine?.close(), site?.close()]);
    });
    beforeEach(async () => {
      await site.reset();
      session = await engine.newSession();
    });
    afterEach(async () => {
      // Unset first: a later beforeEach that fails before making its session must not close this one again.
      const ending = session;
      session = undefined;
      await ending?.close();
    });

    const scenario = scenarioContext(
      name,
      () => site,
      async () => new Tab(await session!.newPage()),
    );
    attributionScenarios(scenario);
    neverLostScenarios(scenario);
    leavingScenarios(scenario);
    lazyFileScenarios(scenario);
    firstPartyScenarios(scenario);
  });
}
