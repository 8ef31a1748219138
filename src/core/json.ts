/**
 * `JSON.stringify` as the standard writes it, also on a page whose library added `toJSON` to the
 * prototype of every array or object (Prototype.js: an array written as a string of JSON). Through
 * it, the outbox cookie held one string, which the next page view could not read, and every click
 * and lead kept through an outage was lost; a lead's click ids reached the API as a string. It is set
 * aside for the call and put back as it was. (Strings and numbers are no objects: JSON.stringify never
 * asks theirs.)
 */
export function toJson(value: unknown): string {
  const taken = [Object.prototype, Array.prototype].map((proto) => {
    const own = Object.getOwnPropertyDescriptor(proto, 'toJSON');
    // Reflect: a frozen prototype's toJSON stays, where `delete` would throw.
    return own && Reflect.deleteProperty(proto, 'toJSON') && (() => Object.defineProperty(proto, 'toJSON', own));
  });
  try {
    return JSON.stringify(value);
  } finally {
    for (const putBack of taken) if (putBack) putBack();
  }
}
