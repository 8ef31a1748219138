import { describe, expectTypeOf, it } from 'vitest';
import type { Affitor, AffitorErrorCode, AffitorSaleResult, SaleData } from '../../src/server';

describe('result types', () => {
  it('narrow a sale result by ok and duplicate', () => {
    const narrow = (result: AffitorSaleResult) => {
      if (!result.ok) {
        expectTypeOf(result.code).toEqualTypeOf<AffitorErrorCode>();
        expectTypeOf(result.error).toEqualTypeOf<string>();
      } else if (result.duplicate) {
        expectTypeOf(result.data).toEqualTypeOf<null>();
        expectTypeOf(result.status).toEqualTypeOf<409>();
      } else {
        expectTypeOf(result.data).toEqualTypeOf<SaleData>();
      }
    };
    expectTypeOf(narrow).toBeFunction();
  });

  it('resolve every method to a result, never to a rejection type', () => {
    expectTypeOf<ReturnType<Affitor['trackSale']>>().toEqualTypeOf<Promise<AffitorSaleResult>>();
    expectTypeOf<Awaited<ReturnType<Affitor['trackRefund']>>['requestId']>().toEqualTypeOf<string>();
  });
});
