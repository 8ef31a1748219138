/** The cross-engine scenarios in Chromium (`AFFITOR_ENGINES=chromium` runs only these). */
import { defineScenarios } from './cross-engine/scenarios';

defineScenarios('chromium');
