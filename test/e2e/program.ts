/** The program every browser suite runs against: its id, its cookie window and two partners' links. */
import type { SeedInput } from '../../examples/server/src/app';
import { PARTNER_A, PARTNER_B, seed } from '../support/seed';

export { PARTNER_A, PARTNER_B };
export const PROGRAM_ID = 1;
/** Not the default 60 days, so a test can tell the program's window was used. */
export const WINDOW_DAYS = 45;

/** Program 1 with two partner links, allowing exactly `origins`. */
export const seedFor = (origins: string[]): SeedInput =>
  seed()
    .program(PROGRAM_ID, 'aff_test_1', { cookie_window_days: WINDOW_DAYS, allowed_origins: origins })
    .partnersWithLinks(PROGRAM_ID, PARTNER_A, PARTNER_B)
    .build();
