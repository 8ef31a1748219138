/**
 * Stripe's REST API called with `fetch` (form-encoded, as the stripe package does) at
 * STRIPE_API_BASE, so tests point it at a local stand-in; with the stripe package, spread the
 * same params into `stripe.checkout.sessions.create`. Server code only: it holds the secret key.
 */

/** Stripe's limit on a metadata value: `stripeCheckoutParams` throws on a longer one. */
const METADATA_VALUE_MAX = 500;

/**
 * The customer key for the Checkout Session, from this example's customer cookie (a real shop reads
 * it from its session). A cookie is the visitor's to edit: one over Stripe's 500 characters made
 * `stripeCheckoutParams` throw, and the checkout route answer a bare 500, so the customer could not
 * pay. It is left out, with a warning in the server log (its length, never the value), and the
 * checkout goes on without it. (`stripeCheckoutParams` itself leaves out a click id cookie that no
 * click id can be.)
 */
export function checkoutCustomerKey(cookie: string | undefined): string | undefined {
  const customerKey = cookie?.trim() || undefined;
  if (!customerKey || customerKey.length <= METADATA_VALUE_MAX) return customerKey;
  console.warn(`[affitor] checkout without the customer key: its cookie is over Stripe's ${METADATA_VALUE_MAX} characters (${customerKey.length})`);
  return undefined;
}

/** Stripe's form encoding of nested fields: `metadata[key]=value`, `subscription_data[metadata][key]=value`. */
export function formEncode(value: unknown, prefix: string, into: URLSearchParams): URLSearchParams {
  if (value === undefined || value === null) return into;
  if (typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
    for (const [key, item] of entries) formEncode(item, prefix ? `${prefix}[${key}]` : key, into);
  } else into.append(prefix, String(value));
  return into;
}

/**
 * How long the checkout waits for Stripe. fetch has no deadline of its own: a Stripe (or a proxy) that
 * took the request and never answered left the visitor's checkout hanging for minutes. Stripe creates
 * a session in well under a second; the stripe package itself gives up after 80 s, too long for a
 * visitor on a button.
 */
export const STRIPE_TIMEOUT_MS = 15_000;

/** Creates a Checkout Session with `session`'s fields and answers the redirect to it; 502 with Stripe's reason when it fails. */
export async function redirectToCheckout(session: Record<string, unknown>, { timeoutMs = STRIPE_TIMEOUT_MS } = {}): Promise<Response> {
  // `||`: an empty `STRIPE_API_BASE=` in a .env means the default, not a relative URL fetch refuses.
  const base = process.env.STRIPE_API_BASE || 'https://api.stripe.com';
  let answer: Response;
  try {
    answer = await fetch(`${base}/v1/checkout/sessions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${process.env.STRIPE_SECRET_KEY ?? ''}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: formEncode(session, '', new URLSearchParams()),
      // Also bounds the read of the answer's body below.
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    // No answer (DNS, refused, reset, none within timeoutMs): said as a 502 like Stripe's refusals, not thrown as a bare 500.
    return Response.json({ error: `No answer from Stripe at ${base} (${String(error)})` }, { status: 502 });
  }
  const created = (await answer.json().catch(() => null)) as { url?: unknown; error?: { message?: string } } | null;
  // A URL a redirect can take, or Stripe's refusal: `Response.redirect` throws on anything else (a
  // proxy or a stand-in answering 200 with junk), which the route would answer as a bare 500.
  if (!answer.ok || typeof created?.url != 'string' || !URL.canParse(created.url)) {
    return Response.json({ error: created?.error?.message ?? `Stripe answered HTTP ${answer.status}` }, { status: 502 });
  }
  return Response.redirect(created.url, 303);
}
