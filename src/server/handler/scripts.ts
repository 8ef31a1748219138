/**
 * Serving the `<script>` build's files (`affitor.*.js`) from the merchant's own domain.
 * Only names of that shape are served, and only from the one source the merchant chose.
 */
import { LOADER_FILE, MAIN_FILE, MORE_FILE } from '../../core/script-files';

/** `affitor.<part>[.<part>…].js`: no slash, no `..`, nothing but letters, digits, `_` and `-` between the dots. */
export const SCRIPT_FILE_NAME = /^affitor(?:\.[\w-]+)+\.js$/;

/** The build's three files: a source the merchant chose that lacks one is said to, not answered with a bare 404. */
const BUILD_FILE_NAMES = [LOADER_FILE, MAIN_FILE, MORE_FILE];

export type ScriptContent = string | Uint8Array | ArrayBuffer;

/**
 * Where the script files come from:
 * - a directory path (Node, Bun, Deno): files named `affitor.*.js` in it;
 * - an object of file name to content (any runtime, e.g. text modules in a Cloudflare Worker);
 * - a function of the file name, answering its content or null;
 * - `false`: serve no script file.
 */
export type ScriptSource = string | Readonly<Record<string, ScriptContent>> | ((name: string) => Promise<ScriptContent | null | undefined>) | false;

/** Browsers revalidate after an hour (a new release of the package reaches visitors within it), with the ETag. */
export const SCRIPT_CACHE_CONTROL = 'public, max-age=3600, stale-while-revalidate=86400';

interface ScriptFile {
  bytes: Uint8Array<ArrayBuffer>;
  etag: string;
}

type NodeProcess = {
  getBuiltinModule?: (id: string) => unknown;
  versions?: { node?: unknown };
};

/**
 * The directory of this module once built: the package's `dist`, where the script build's files
 * sit next to it. Undefined where the runtime gives no file URL (a Worker) or the module was bundled
 * somewhere else.
 */
async function ownDirectory(): Promise<string | undefined> {
  try {
    // Not `new URL('.', import.meta.url)`: webpack takes that form for an asset to emit, and
    // emitted `dist/index.js` as a plain script, whose `export` failed Next.js 14's build.
    const url = new URL('.', String(import.meta.url));
    if (url.protocol != 'file:') return undefined;
    const { fileURLToPath } = (await nodeModule<{ fileURLToPath: (url: URL) => string }>('node:url')) ?? {};
    return fileURLToPath?.(url);
  } catch {
    return undefined;
  }
}

/**
 * A Node built-in module, without an `import` a Worker bundler would have to resolve:
 * `process.getBuiltinModule` (Node 20.16+, 22.3+, Bun, Deno), else, in Node 18 to 20.15 (the
 * package's `engines` allow them), a dynamic `import()` of a name bundlers neither see nor follow.
 * Undefined where the runtime has no such module (a Worker, an edge runtime).
 */
async function nodeModule<T>(id: string): Promise<T | undefined> {
  const process = (globalThis as { process?: NodeProcess }).process;
  if (typeof process?.getBuiltinModule == 'function') return process.getBuiltinModule(id) as T | undefined;
  if (typeof process?.versions?.node != 'string') return undefined;
  try {
    return (await import(/* webpackIgnore: true */ /* @vite-ignore */ id)) as T;
  } catch {
    return undefined;
  }
}

/** Reads `name` from `directory`; null when it is missing or cannot be read. */
async function readFromDirectory(directory: string, name: string): Promise<ScriptContent | null> {
  const fs = await nodeModule<{ readFile: (path: string) => Promise<Uint8Array> }>('node:fs/promises');
  const path = await nodeModule<{ join: (...parts: string[]) => string }>('node:path');
  if (!fs || !path) throw new Error('this runtime cannot read files: pass the script files in the `scripts` option');
  try {
    return await fs.readFile(path.join(directory, name));
  } catch {
    return null;
  }
}

/**
 * A copy in a plain ArrayBuffer: a file's bytes are kept for the life of the server, whatever buffer
 * they came in (a view of a larger one, a Node Buffer from a pool, another realm's).
 * @throws TypeError for anything else, naming it: a `Response` not read, a `Blob`, would otherwise be
 * served as an empty script and cached by browsers for an hour
 */
function toBytes(content: unknown): Uint8Array<ArrayBuffer> {
  if (typeof content == 'string') return new TextEncoder().encode(content);
  if (ArrayBuffer.isView(content)) return new Uint8Array(new Uint8Array(content.buffer, content.byteOffset, content.byteLength));
  if (Object.prototype.toString.call(content) == '[object ArrayBuffer]') return new Uint8Array((content as ArrayBuffer).slice(0));
  const kind = typeof content == 'object' && content ? content.constructor?.name : typeof content;
  const given = !kind || kind == 'Object' ? 'an object' : `a ${kind}`;
  throw new TypeError(
    `the scripts option gave ${given} for it, not its content: answer a string, a Uint8Array or an ArrayBuffer (await response.arrayBuffer()), or null`,
  );
}

/** An ETag from the content: FNV-1a and the length. Not a security measure, only a version; no Web Crypto needed (Node 18). */
function etagOf(bytes: Uint8Array): string {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
  return `"${(hash >>> 0).toString(16).padStart(8, '0')}-${bytes.byteLength.toString(16)}"`;
}

/**
 * At most this many files are kept: the build has two. A source that answers every name (a
 * function falling back to the app) would otherwise keep one per name a visitor makes up.
 */
const MAX_KEPT_FILES = 16;

/**
 * `work`, or a rejection after `ms`: a source that never settles (a Worker's ASSETS binding, a
 * network file system) would otherwise hold the visitor's request, and, kept in the cache below,
 * every later request for that file too.
 */
function within<T>(work: Promise<T>, ms: number | undefined): Promise<T> {
  if (!ms) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the scripts source within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * A reader of script files by name, caching what it found (the files of an installed package do
 * not change while the server runs; a file not found, or not read within `timeoutMs`, is looked for again next time).
 * @throws Error from the returned function when the source cannot be read in this runtime
 */
export function scriptReader(source: ScriptSource | undefined, timeoutMs?: number): (name: string) => Promise<ScriptFile | null> {
  const found = new Map<string, Promise<ScriptFile | null>>();
  // The package's own directory, looked up once, on the first file asked for.
  let own: Promise<string | undefined> | undefined;
  const load = async (name: string): Promise<ScriptContent | null | undefined> => {
    const directory = source === undefined ? await (own ??= ownDirectory()) : source;
    if (directory === false) return null;
    if (directory === undefined) {
      throw new Error("the package's own directory is unknown here (a Worker, or a bundled server): pass the script files in the `scripts` option");
    }
    let content: ScriptContent | null | undefined;
    if (typeof directory == 'string') {
      content = await readFromDirectory(directory, name);
      // The package's dist always holds the loader: without it, this is not that folder (a bundled
      // server, deployed, runs this module away from the package's files), which a bare 404 would not tell.
      if (content == null && source === undefined && name == LOADER_FILE) {
        throw new Error(
          `it is not in ${directory}, the package's own dist as this module sees it (a bundled server, such as Next.js, runs it from elsewhere): pass the script files in the \`scripts\` option`,
        );
      }
    } else if (typeof directory == 'function') content = await directory(name);
    else content = Object.prototype.hasOwnProperty.call(directory, name) ? directory[name] : null;
    // A source the merchant chose that lacks a file of the build (a deploy that copied one of the three,
    // a folder relative to another working directory): its pages lose their landings, or their
    // diagnosis and retries, to a 404 that nothing in the server's log explained.
    if (content == null && source !== undefined && BUILD_FILE_NAMES.includes(name)) {
      const lacks =
        typeof source == 'string' ? `it is not in ${source}, the \`scripts\` folder` : `the \`scripts\` ${typeof source == 'function' ? 'function gave nothing' : 'object has nothing'} for it`;
      throw new Error(`${lacks}: serve the three files of the build, the package's dist/${LOADER_FILE}, dist/${MAIN_FILE} and dist/${MORE_FILE}`);
    }
    return content;
  };
  return (name) => {
    let file = found.get(name);
    if (!file) {
      file = (async () => {
        const content = await within(load(name), timeoutMs);
        if (content == null) return null;
        const bytes = toBytes(content);
        return { bytes, etag: etagOf(bytes) };
      })();
      if (found.size < MAX_KEPT_FILES) found.set(name, file);
      // Failures and misses are not kept: the file may appear (a build finishing) or the error pass.
      void file.then((result) => result ?? found.delete(name), () => found.delete(name));
    }
    return file;
  };
}

/** The answer to GET or HEAD of a script file: 304 when the browser's copy is current. */
export function scriptResponse(file: ScriptFile, request: Request): Response {
  const headers = {
    'Content-Type': 'text/javascript; charset=utf-8',
    'Cache-Control': SCRIPT_CACHE_CONTROL,
    ETag: file.etag,
    'X-Content-Type-Options': 'nosniff',
  };
  // `*`: any current copy will do (RFC 9110, 13.1.2).
  const current = request.headers.get('if-none-match')?.split(',').some((tag) => ['*', file.etag].includes(tag.trim().replace(/^W\//, '')));
  if (current) return new Response(null, { status: 304, headers });
  return new Response(request.method == 'HEAD' ? null : file.bytes, {
    status: 200,
    headers: { ...headers, 'Content-Length': String(file.bytes.byteLength) },
  });
}
