/**
 * Amounts are kept in their currency's smallest unit (`amount_cents`: cents for USD, the yen
 * itself for JPY, fils for KWD); answers that speak in the main unit (a refund's
 * `deductionAmount`) divide by the currency's own factor, not always by 100.
 */
/**
 * A sale's `currency` as it is kept: the ISO 4217 code upper case and trimmed, `USD` when none is
 * given. Raw calls pass on what their source wrote (Stripe's 'usd', a padded column's 'JPY '):
 * kept as sent, ' jpy' was no code the table below knows, and a JPY refund's deductionAmount came out in
 * hundredths. The server client sends the same spelling (src/server/input.ts).
 */
export function currencyCode(value: unknown): string {
  const code = typeof value === 'string' ? value.trim().toUpperCase() : '';
  return code === '' ? 'USD' : code;
}

/**
 * ISO 4217's minor units where they are not two: the unit `amount_cents` counts in. Not `Intl`:
 * its digits are how a locale shows a price (CLDR), which drops the forint's, the rupiah's and the
 * Colombian peso's two minor digits, amounts Stripe and ISO both write in hundredths.
 */
const MINOR_DIGITS = new Map<string, number>([
  ...'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'.split(' ').map((code) => [code, 0] as const),
  ...'BHD IQD JOD KWD LYD OMR TND'.split(' ').map((code) => [code, 3] as const),
  ['CLF', 4],
  ['UYW', 4],
]);

/** Digits after the point in `currency`'s amounts: 2 for USD, 0 for JPY, 3 for KWD; 2 for a code ISO 4217 does not list otherwise. */
export const minorDigits = (currency: string): number => MINOR_DIGITS.get(currency) ?? 2;

/** An amount in `currency`'s smallest unit, in its main unit: 4900 USD cents are 49, 4900 JPY are 4900. */
export function toMainUnit(minor: number, currency: string): number {
  return minor / 10 ** minorDigits(currency);
}
