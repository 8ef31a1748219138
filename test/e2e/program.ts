/** The program every browser suite runs against: its id, its cookie window and two partners' links. */
import type { SeedInput } from '../../examples/server/src/app';

export const PROGRAM_ID = 1;
/** Not the default 60 days, so a test can tell the program's window was used. */
export const WINDOW_DAYS = 45;
export const PARTNER_A = { id: 10, link: 'PARTNER123' };
export const PARTNER_B = { id: 11, link: 'PARTNER456' };

/** Program 1 with two partner links, allowing exactly `origins`. */
export function seedFor(origins: string[]): SeedInput {
  return {
    programs: [{ id: PROGRAM_ID, api_token: 'aff_test_1', cookie_window_days: WINDOW_DAYS, allowed_origins: origins }],
    partners: [
      { id: PARTNER_A.id, name: 'Partner A' },
      { id: PARTNER_B.id, name: 'Partner B' },
    ],
    referral_links: [
      { short_link: PARTNER_A.link, program_id: PROGRAM_ID, partner_id: PARTNER_A.id },
      { short_link: PARTNER_B.link, program_id: PROGRAM_ID, partner_id: PARTNER_B.id },
    ],
  };
}
