/**
 * Amounts are kept in their currency's smallest unit (`amount_cents`: cents for USD, the yen
 * itself for JPY, fils for KWD); answers that speak in the main unit (a refund's
 * `deductionAmount`) divide by the currency's own factor, not always by 100.
 */
/**
 * A sale's `currency` as it is kept: the ISO 4217 code upper case and trimmed, `USD` when none is
 * given. Raw calls pass on what their source wrote (Stripe's 'usd', a padded column's 'JPY '):
 * kept as sent, ' jpy' was no code `Intl` knows, and a JPY refund's deductionAmount came out in
 * hundredths. The server client sends the same spelling (src/server/input.ts).
 */
export function currencyCode(value: unknown): string {
  const code = typeof value === 'string' ? value.trim().toUpperCase() : '';
  return code === '' ? 'USD' : code;
}

const digitsByCurrency = new Map<string, number>();

/** Digits after the point in `currency`'s amounts: 2 for USD, 0 for JPY, 3 for KWD; 2 for a code `Intl` does not know. */
export function minorDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    // Cached: a NumberFormat costs far more than the refund it serves. Bounded by what callers
    // send, so only well-formed codes (three letters) are kept.
    if (/^[A-Za-z]{3}$/.test(currency)) digitsByCurrency.set(currency, digits);
  }
  return digits;
}

/** An amount in `currency`'s smallest unit, in its main unit: 4900 USD cents are 49, 4900 JPY are 4900. */
export function toMainUnit(minor: number, currency: string): number {
  return minor / 10 ** minorDigits(currency);
}
