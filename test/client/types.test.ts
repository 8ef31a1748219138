import { describe, expectTypeOf, it } from 'vitest';
import type { Affitor, AffitorErrorCode, AffitorHandlerOptions, AffitorOptions, AffitorSaleResult, CustomFetch, FetchLike, SaleData } from '../../src/server';

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

describe('option types take what the README says works', () => {
  it("take a fetch adapter's object with status, headers.get() and text() only, as the client and the handler read no more", () => {
    const adapter = async (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => {
      const answer = await fetch(url, init);
      return { status: answer.status, headers: { get: (name: string) => answer.headers.get(name) }, text: () => answer.text() };
    };
    expectTypeOf(adapter).toExtend<CustomFetch>();
    expectTypeOf(globalThis.fetch).toExtend<CustomFetch>();
    expectTypeOf<{ apiKey: string; fetch: typeof adapter }>().toExtend<AffitorOptions>();
    expectTypeOf<{ fetch: typeof adapter }>().toExtend<AffitorHandlerOptions>();
  });

  it('keep FetchLike as the runtime\'s fetch is typed, so code that calls one (a logging wrapper) compiles as before, and take it as the fetch option', () => {
    const logged =
      (inner: FetchLike): FetchLike =>
      async (input, init) => {
        const answer = await inner(input, init);
        if (!answer.ok) console.warn(answer.statusText);
        return answer;
      };
    expectTypeOf(logged(fetch)).toExtend<CustomFetch>();
    expectTypeOf<{ apiKey: string; fetch: FetchLike }>().toExtend<AffitorOptions>();
    expectTypeOf<{ fetch: FetchLike }>().toExtend<AffitorHandlerOptions>();
  });

  it("take the handler's timeoutMs as read from the environment, and a null apiUrl for the default", () => {
    expectTypeOf<{ timeoutMs: string | undefined; apiUrl: null }>().toExtend<AffitorHandlerOptions>();
  });
});
