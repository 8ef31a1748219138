/** The cross-engine scenarios in WebKit (`AFFITOR_ENGINES=webkit` runs only these). */
import { defineScenarios } from './cross-engine/scenarios';

defineScenarios('webkit');
