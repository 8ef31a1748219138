/**
 * The server client, with the program's secret API key: server code only (actions, route handlers).
 * Its defaults (5 s a try, 2 retries) suit webhooks reporting sales and refunds; the signup action's
 * lead, which a visitor waits for, puts a shorter deadline on its own call (lib/lead.ts).
 */
import { Affitor } from '@affitor/sdk/server';

let client: Affitor | undefined;

export function affitor(): Affitor {
  // `|| undefined`: an empty `AFFITOR_API_URL=` in a .env means the default, not a bad URL.
  client ??= new Affitor({ apiKey: process.env.AFFITOR_API_KEY ?? '', apiUrl: process.env.AFFITOR_API_URL || undefined });
  return client;
}

/** The visitor's click id, from the cookie the first-party handler set. */
export const CLICK_COOKIE = 'affitor_click_id';
/** This shop's own session cookie: the signed-up customer's id. */
export const CUSTOMER_COOKIE = 'shop_customer';
