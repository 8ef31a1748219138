import type { AffitorErrorCode } from './types';

/**
 * Thrown synchronously for input the API would refuse anyway (a missing invoice id, an amount
 * that is not whole cents, no customer id...) and for a client built without an API key.
 * It is a programming error to fix in the caller, so it is not folded into a result.
 */
export class AffitorInputError extends TypeError {
  override readonly name = 'AffitorInputError';
  /** The option or input field at fault, as the caller spells it (`amount`, `invoiceId`...). */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/** True for an {@link AffitorInputError}, also across realms and duplicated package copies. */
export function isAffitorInputError(error: unknown): error is AffitorInputError {
  return error instanceof Error && error.name === 'AffitorInputError';
}

/** The class of an object that is no plain object (`Date`, `Map`), or undefined; a proxy that throws is none. */
function classOf(value: object): string | undefined {
  try {
    const proto: unknown = Object.getPrototypeOf(value);
    const name: unknown = proto && proto !== Object.prototype ? (proto as { constructor?: { name?: unknown } }).constructor?.name : undefined;
    return typeof name === 'string' && /^[A-Za-z_$][\w$]*$/.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What kind of value was given, never what it holds (for a secret): `a string`, `an object`,
 * `an array`, `null`, `a number`...
 */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (value === '') return 'an empty string';
  if (Array.isArray(value)) return 'an array';
  if (typeof value !== 'object') return `a ${typeof value}`;
  // A class's instance by its class (`a Date`, `a Map`): "an object" says nothing of why a Date is no
  // plain object. `typeof` alone says "object" for them all, and "a object" reads as a typo.
  const name = classOf(value);
  return name ? `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}` : 'an object';
}

/** A short, safe description of a value for an error message: `49.5`, `"abc"`, `undefined`, `an array`. */
export function describe(value: unknown): string {
  if (typeof value === 'string' && value !== '') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return kindOf(value);
}

/** The error code of an HTTP failure status. A sale's 409 never gets here: it is a duplicate. */
export function codeForStatus(status: number): AffitorErrorCode {
  if (status === 401 || status === 403) return 'unauthorized';
  // The request did not reach the server whole in time: a timeout (retried), not a refused input.
  if (status === 408) return 'timeout';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500 && status <= 599) return 'server';
  if (status >= 400 && status <= 499) return 'validation';
  return 'invalid_response';
}
