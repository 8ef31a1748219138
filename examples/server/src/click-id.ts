/**
 * The click id format, written in one place: `cust_<customerId>_<epochMs>`. The server
 * makes every click id it hands out with `formatClickId`; `customerIdOf` reads the customer
 * back out of one, so finding a customer by click id needs no index of its own.
 */
export function formatClickId(customerId: number, epochMs: number): string {
  return `cust_${customerId}_${epochMs}`;
}

const CLICK_ID = /^cust_(\d{1,15})_\d{1,15}$/;

/** A number `CLICK_ID` reads back as itself: a whole number of at most 15 digits. */
const readable = (value: number): boolean => Number.isInteger(value) && value >= 0 && value < 1e15;

/**
 * Whether `formatClickId(customerId, epochMs)` reads back (`customerIdOf`) as `customerId`: told
 * from the numbers, without parsing the id, as the store asks for every customer it creates.
 */
export const readsBack = (customerId: number, epochMs: number): boolean => readable(customerId) && readable(epochMs);

/** The customer id a click id in the server's format names, else `undefined` (e.g. a seeded click id of another shape). */
export function customerIdOf(clickId: string): number | undefined {
  const match = CLICK_ID.exec(clickId);
  return match ? Number(match[1]) : undefined;
}
