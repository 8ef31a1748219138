/** The cross-engine scenarios in Firefox (`AFFITOR_ENGINES=firefox` runs only these). */
import { defineScenarios } from './cross-engine/scenarios';

defineScenarios('firefox');
