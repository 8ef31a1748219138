/**
 * The `<script>` build's first file on a happy-dom page, and the main file it asks for: the script
 * tags the first file adds are held here instead of run, and a test plays the browser's part.
 */
import { beforeEach, expect, vi } from 'vitest';
import { API_BASE, HttpResponse, http, setUrl } from './dom';
import type { useTrackingApi } from './dom';

export const FIRST_SRC = 'https://cdn.affitor.test/sdk/affitor.global.js';
export const MAIN_SRC = 'https://cdn.affitor.test/sdk/affitor.main.js';

type Affitor = Record<string, (...args: unknown[]) => unknown>;
const host = window as unknown as { affitor?: Affitor | { q: unknown[] } };
/** The page's `window.affitor`. */
export const affitor = (): Affitor => host.affitor as Affitor;

/** The page's script tag of the first file, with a program id and the test API. */
export function scriptTag(attributes: Record<string, string> = {}): HTMLScriptElement {
  const tag = document.createElement('script');
  tag.setAttribute('src', FIRST_SRC);
  tag.setAttribute('data-affitor-program-id', '1');
  tag.setAttribute('data-affitor-api-base', API_BASE);
  for (const [name, value] of Object.entries(attributes)) tag.setAttribute(name, value);
  document.head.append(tag);
  return tag;
}

/** Runs a file as the page's `<script>` would, its tag as document.currentScript. */
export async function run(file: 'script-landing' | 'script', tag: HTMLScriptElement): Promise<void> {
  Object.defineProperty(document, 'currentScript', { configurable: true, get: () => tag });
  try {
    await (file == 'script' ? import('../../src/script') : import('../../src/script-landing'));
  } finally {
    delete (document as unknown as Record<string, unknown>).currentScript;
  }
}

/**
 * Holds the script tags the first file adds (the main file), serves the main file's look with
 * JavaScript, and gives a test the steps the browser would take.
 */
export function useMainFile(api: ReturnType<typeof useTrackingApi>) {
  const held = { requested: [] as HTMLScriptElement[] };
  beforeEach(() => {
    held.requested = [];
    const append = document.head.append.bind(document.head);
    vi.spyOn(document.head, 'append').mockImplementation((...nodes) => {
      for (const node of nodes) {
        if (node instanceof HTMLScriptElement && node.src != FIRST_SRC) held.requested.push(node);
        else append(node);
      }
    });
    api.server.use(http.get(MAIN_SRC, () => new HttpResponse('/* the main file */', { headers: { 'Content-Type': 'text/javascript' } })));
  });
  /** The main file, asked for by the first: its script tag (after the look at its answer). */
  const mainRequested = () => vi.waitFor(() => expect(held.requested.map((tag) => tag.src)).toEqual([MAIN_SRC]));
  /** The browser runs the main file the first asked for, then fires its `load`. */
  const mainArrives = async (): Promise<void> => {
    await mainRequested();
    await run('script', held.requested[0]!);
    held.requested[0]!.onload?.(new Event('load'));
  };
  /** The main file is not deployed (404); the one error saying so is kept off the test's output. */
  const mainMissing = () => {
    api.server.use(http.get(MAIN_SRC, () => new HttpResponse('Not found', { status: 404 })));
    return vi.spyOn(console, 'error').mockImplementation(() => {});
  };
  /** A plain landing the first file makes alone, once its cookie is written. */
  const landAlone = async (url = 'https://www.shop.example.com/?aff=PARTNER123'): Promise<void> => {
    setUrl(url);
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(document.cookie).toMatch(/affitor_click_id=/));
  };
  return { held, mainRequested, mainArrives, mainMissing, landAlone };
}
