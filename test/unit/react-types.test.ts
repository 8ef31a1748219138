/** The types of `@affitor/sdk/react`, checked by the compiler (`expectTypeOf`). */
import type { ReactElement, ReactNode } from 'react';
import { describe, expectTypeOf, it } from 'vitest';
import { AffitorProvider, useAffitor } from '../../src/react';
import type { AffitorData, AffitorDiagnosis, AffitorInitOptions, AffitorProviderProps, UseAffitor } from '../../src/react';

describe('@affitor/sdk/react types', () => {
  it('takes the init options and children as provider props', () => {
    expectTypeOf(AffitorProvider).parameter(0).toEqualTypeOf<AffitorProviderProps>();
    expectTypeOf(AffitorProvider).returns.toEqualTypeOf<ReactElement>();
    expectTypeOf<AffitorProviderProps>().toMatchTypeOf<AffitorInitOptions>();
    expectTypeOf<AffitorProviderProps['children']>().toEqualTypeOf<ReactNode | undefined>();
    expectTypeOf<AffitorProviderProps['programId']>().toEqualTypeOf<number | string | undefined>();
    // @ts-expect-error: an unknown option is refused
    const wrong: AffitorProviderProps = { programId: 1, program: 1 };
    void wrong;
  });

  it('returns the attribution, ready and the calls from useAffitor', () => {
    expectTypeOf(useAffitor).returns.toEqualTypeOf<UseAffitor>();
    expectTypeOf<UseAffitor['data']>().toEqualTypeOf<AffitorData | null>();
    expectTypeOf<UseAffitor['ready']>().toEqualTypeOf<boolean>();
    expectTypeOf<UseAffitor['signup']>().toEqualTypeOf<(customerKey: string, email?: string) => Promise<void>>();
    expectTypeOf<UseAffitor['trackClick']>().toEqualTypeOf<(affiliateUrl?: string, existingClickId?: string | null) => Promise<void>>();
    expectTypeOf<UseAffitor['getClickId']>().toEqualTypeOf<() => string | null>();
    expectTypeOf<UseAffitor['grantConsent']>().toEqualTypeOf<() => void>();
    expectTypeOf<UseAffitor['revokeConsent']>().toEqualTypeOf<() => void>();
    expectTypeOf<UseAffitor['diagnose']>().toEqualTypeOf<() => AffitorDiagnosis | null>();
    expectTypeOf<AffitorData['clickId']>().toEqualTypeOf<string | null>();
  });
});
