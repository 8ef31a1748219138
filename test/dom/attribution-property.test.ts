// Property: for any sequence of landings, reloads, visits and signups, the cookie and every
// lead carry the last partner's click id, and no landing sends its click twice.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { AffitorTracker } from '../../src/index';
import { API_BASE, clearCookies, cookieValue, land, setUrl, useTrackingApi } from '../support/dom';

const api = useTrackingApi();

const PARTNERS = { PARTNER123: 10, PARTNER456: 11, P1: 10 } as const;
type Partner = keyof typeof PARTNERS;

type Step =
  | { kind: 'land'; partner: Partner; path: string }
  | { kind: 'reload' }
  | { kind: 'visit'; path: string }
  | { kind: 'signup'; key: string };

const path = fc.constantFrom('/', '/pricing', '/blog/post', '/app');
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('land' as const), partner: fc.constantFrom<Partner>('PARTNER123', 'PARTNER456', 'P1'), path }),
  fc.record({ kind: fc.constant('reload' as const) }),
  fc.record({ kind: fc.constant('visit' as const), path }),
  fc.record({ kind: fc.constant('signup' as const), key: fc.stringMatching(/^[a-z]{1,8}$/) }),
);

it('keeps the last partner in the cookie and every lead, and sends one click per new landing', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
      let url = 'https://shop.example.com/';
      setUrl(url);
      api.reset();
      clearCookies();
      let lastPartner: Partner | null = null;
      let expectedClicks = 0;
      let tracker: AffitorTracker | null = null;

      for (const s of steps) {
        if (s.kind === 'signup') {
          tracker ??= new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
          const leadsBefore = api.leads().length;
          await tracker.signup(s.key);
          const lead = api.leads()[leadsBefore]!.body;
          if (lastPartner) expect(lead.click_id).toBe(cookieValue('affitor_click_id'));
          else expect(lead).not.toHaveProperty('click_id');
          continue;
        }
        if (s.kind === 'land') {
          url = `https://shop.example.com${s.path}?aff=${s.partner}`;
          if (s.partner !== lastPartner) expectedClicks += 1;
          lastPartner = s.partner;
        } else if (s.kind === 'visit') {
          url = `https://shop.example.com${s.path}`;
        }
        tracker = await land(url);
      }

      expect(api.clicks()).toHaveLength(expectedClicks);
      if (lastPartner) {
        const clickId = cookieValue('affitor_click_id');
        expect(cookieValue('affitor_aff_url')).toContain(`aff=${lastPartner}`);
        const customer = (api.app.inspect().customers as Array<{ click_id: string; partner_id: number }>).find(
          (c) => c.click_id === clickId,
        );
        expect(customer?.partner_id).toBe(PARTNERS[lastPartner]);
      } else {
        expect(cookieValue('affitor_click_id')).toBeUndefined();
      }
    }),
    { numRuns: 40 },
  );
});
