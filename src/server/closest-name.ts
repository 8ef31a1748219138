/**
 * Which accepted name a wrong one most likely meant: the "did you mean" of an input error naming a
 * field or an option the client does not know.
 */

/** A name as written in any case or style: `invoice_id`, `InvoiceID` and `invoiceId` are one. */
const squash = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Whether `a` is `b` with one or two typos (a letter added, left out, changed or two swapped). */
function typoOf(a: string, b: string): boolean {
  const allowed = Math.min(a.length, b.length) >= 6 ? 2 : 1;
  if (Math.abs(a.length - b.length) > allowed) return false;
  // Optimal string alignment distance (Levenshtein with swaps), rows of the usual table.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      row.push(best);
    }
    before = previous;
    previous = row;
  }
  return previous[b.length]! <= allowed;
}

/** Whether the letters of `short` appear in `long` in order: `customerId` in `customerExternalId`, `currency` in `currencyCode`. */
function within(short: string, long: string): boolean {
  let at = 0;
  for (const letter of long) if (letter === short[at]) at++;
  return at === short.length;
}

/**
 * The accepted name a wrong one most likely meant: the same name written otherwise or the API's
 * (`idempotency_key`, `transaction_id`), then one a typo or two away (`invoiceld`), then one whose
 * letters hold the other's in order (`currencyCode` for currency, `customerId` for customerExternalId).
 */
export function closest(wrong: string, names: Record<string, string>): string | undefined {
  const given = squash(wrong);
  const entries = Object.entries(names).map(([name, other]) => [name, [squash(name), squash(other)]] as const);
  const tests = [
    (known: string) => known === given,
    (known: string) => typoOf(given, known),
    (known: string) => Math.min(given.length, known.length) >= 5 && (within(given, known) || within(known, given)),
  ];
  for (const test of tests) {
    const found = entries.find(([, spellings]) => spellings.some(test));
    if (found) return found[0];
  }
  return undefined;
}
