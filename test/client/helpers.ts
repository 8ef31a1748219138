
export interface RecordedCall {
  url: string;
  method: string | undefined;
  headers: Headers;
  body: Record<string, unknown>;
  signal: AbortSignal | undefined;
}

/** A fetch as the runtime's is typed (any FetchLike's caller may pass it on to one). */
export type FakeFetch = ((input: string, init: RequestInit) => Promise<Response>) & { calls: RecordedCall[] };

/** A fetch double: records every call, answers with whatever `answer` returns or throws. */
export function fakeFetch(answer: (call: RecordedCall, index: number) => Response | Promise<Response>): FakeFetch {
  const calls: RecordedCall[] = [];
  const fn = (input: string, init: RequestInit) => {
    const call: RecordedCall = {
      url: input,
      method: init.method,
      headers: new Headers(init.headers),
      body: JSON.parse(init.body as string) as Record<string, unknown>,
      signal: init.signal ?? undefined,
    };
    calls.push(call);
    return Promise.resolve().then(() => answer(call, calls.length - 1));
  };
  return Object.assign(fn, { calls });
}

/** A JSON answer that echoes the request id, like the tracking API. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

/** A fetch double that never answers on its own, and rejects the way fetch does when its signal aborts. */
export function hangingFetch(): FakeFetch {
  return fakeFetch(
    (call) =>
      new Promise<Response>((_, reject) => {
        call.signal?.addEventListener('abort', () => reject(new DOMException('This operation was aborted', 'AbortError')));
      }),
  );
}

export const API_KEY = 'aff_secret_key_do_not_leak_7f3a';

/** Runs `fn`, expecting a synchronous throw, and returns what it threw. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/**
 * An answer of 64 MiB of spaces, streamed 1 MiB at a time as it is read (an apiUrl that points at
 * another server's page): `pulled()` says how much was read, which a capped reader keeps small.
 */
export function endlessAnswer(contentType: string): { response: () => Response; pulled: () => number } {
  let pulled = 0;
  const response = () =>
    new Response(
      new ReadableStream({
        pull(controller) {
          pulled += 1 << 20;
          controller.enqueue(new Uint8Array(1 << 20).fill(0x20));
          if (pulled >= 64 << 20) controller.close();
        },
      }),
      { status: 200, headers: { 'Content-Type': contentType } },
    );
  return { response, pulled: () => pulled };
}
