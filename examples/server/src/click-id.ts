/**
 * The click id format, written in one place: `cust_<customerId>_<epochMs>`. The server
 * makes every click id it hands out with `formatClickId`; `customerIdOf` reads the customer
 * back out of one, so finding a customer by click id needs no index of its own.
 */
export function formatClickId(customerId: number, epochMs: number): string {
  return `cust_${customerId}_${epochMs}`;
}

const CLICK_ID = /^cust_(\d{1,15})_\d{1,15}$/;

/** The customer id a click id in the server's format names, else `undefined` (e.g. a seeded click id of another shape). */
export function customerIdOf(clickId: string): number | undefined {
  const match = CLICK_ID.exec(clickId);
  return match ? Number(match[1]) : undefined;
}
