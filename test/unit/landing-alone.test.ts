import { describe, expect, it } from 'vitest';
import { landingAlone, mayKeep } from '../../src/core/landing-alone';
import type { LandingFacts } from '../../src/core/landing-alone';

/** A plain page on www.shop.example.com: the tag's attributes as tagOptions reads them (switches off, the rest unset), a program id. */
const plain: LandingFacts = {
  options: { debug: false, apiBase: undefined, cookieDomain: undefined, consent: undefined, decorateStripe: false },
  programId: 1,
  kept: false,
  calls: [],
  domains: ['example.com', 'shop.example.com', 'www.shop.example.com'],
  gpc: false,
};
const withOptions = (options: Record<string, unknown>): LandingFacts => ({ ...plain, options: { ...plain.options, ...options } });

describe('landingAlone: can affitor.global.js do this page view alone, without affitor.main.js?', () => {
  it.each([
    ['a plain page view', plain, true],
    ['an API base of another origin', withOptions({ apiBase: 'https://track.shop.example' }), true],
    ['a program id given to init', withOptions({ programId: 7 }), true],
    ['consent granted', withOptions({ consent: 'granted' }), true],
    ["debug 'false' (a string from a config)", withOptions({ debug: 'false' }), true],
    ['queued calls: init, signup, ready, trackClick, grantConsent', { ...plain, calls: ['init', 'signup', 'ready', 'trackClick', 'grantConsent'] }, true],
    ['no program id', { ...plain, programId: null }, false],
    ['cookies only the main file reads (the handler\'s, a legacy click id)', { ...plain, kept: true }, false],
    ['a withdrawal queued before the file ran', { ...plain, calls: ['init', 'revokeConsent'] }, false],
    ['debug', withOptions({ debug: true }), false],
    ['consent pending', withOptions({ consent: 'pending' }), false],
    ['consent of another value', withOptions({ consent: 'denied' }), false],
    ['consent false (no consent given, as pending)', withOptions({ consent: false }), false],
    ['consent "false", as a tag writes it', withOptions({ consent: 'false' }), false],
    ['the first-party handler (an API base that is a path)', withOptions({ apiBase: '/relay' }), false],
    ['a cookie domain of the page, as the page\'s domains are written', withOptions({ cookieDomain: 'shop.example.com' }), true],
    ['the page\'s own hostname as its cookie domain', withOptions({ cookieDomain: 'www.shop.example.com' }), true],
    ['an empty cookie domain (a blank attribute)', withOptions({ cookieDomain: '' }), true],
    ['the Stripe decoration (the main file starts it once the landing\'s click settled)', withOptions({ decorateStripe: true }), true],
    ['a cookie domain written otherwise (a leading dot, capitals): the main file normalises it', withOptions({ cookieDomain: '.Shop.Example.com' }), false],
    ['another site\'s cookie domain: the main file says it is invalid', withOptions({ cookieDomain: 'other.example' }), false],
    ['a public suffix as the cookie domain', withOptions({ cookieDomain: 'com' }), false],
    ['a cookie domain on a page with none of its own (an IP address)', { ...withOptions({ cookieDomain: '127.0.0.1' }), domains: [] }, false],
    ['Global Privacy Control respected, and the browser sends it', { ...withOptions({ respectGlobalPrivacyControl: true }), gpc: true }, false],
    ['Global Privacy Control respected, and the browser does not send it', withOptions({ respectGlobalPrivacyControl: true }), true],
    ['Global Privacy Control not respected, and the browser sends it', { ...plain, gpc: true }, true],
    ['an option it does not know', withOptions({ somethingNew: 'on' }), false],
  ] as const)('%s -> %s', (_, facts, alone) => {
    expect(landingAlone(facts)).toBe(alone);
  });
});

describe('mayKeep: may affitor.global.js write this page view\'s cookies (a signup\'s lead kept where affitor.main.js cannot be had)?', () => {
  it.each([
    ['a plain page view', plain, true],
    ['debug (the main file does the page view)', withOptions({ debug: true }), true],
    ['the first-party handler', withOptions({ apiBase: '/relay' }), true],
    ['cookies only the main file reads (a legacy click id)', { ...plain, kept: true }, true],
    ['no program id', { ...plain, programId: null }, false],
    ['consent pending', withOptions({ consent: 'pending' }), false],
    ['consent false', withOptions({ consent: false }), false],
    ['a withdrawal queued', { ...plain, calls: ['revokeConsent'] }, false],
    ['Global Privacy Control respected and sent', { ...withOptions({ respectGlobalPrivacyControl: true }), gpc: true }, false],
    ['a cookie domain written otherwise than the page\'s domains', withOptions({ cookieDomain: '.example.com' }), false],
  ] as const)('%s -> %s', (_, facts, keeps) => {
    expect(mayKeep(facts)).toBe(keeps);
  });
});
