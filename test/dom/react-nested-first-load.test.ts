/**
 * `@affitor/sdk/react` on a first load with a nested provider whose program id is not there yet (a
 * prop filled once a fetch answered): a file of its own, since the hook's module state is the
 * page's and a test after another in one file would find the SDK started.
 */
import { act, createElement, useEffect } from 'react';
import type { ReactNode } from 'react';
import { expect, it } from 'vitest';
import { AffitorProvider, useAffitor } from '../../src/react';
import { getData } from '../../src/index';
import { API_BASE, landed, setUrl, useTrackingApi } from '../support/dom';
import { useReactRoot } from '../support/react';

const api = useTrackingApi();
const react = useReactRoot();

it("a nested provider still without its program id leaves the outer one's in force: the landing is tracked and a signup under it goes at once, with the outer program id; the inner id, once there, is in force", async () => {
  setUrl('https://shop.example.com/?aff=PARTNER123');
  let signedUp: Promise<void> | undefined;
  function Welcome(): ReactNode {
    const { signup } = useAffitor();
    useEffect(() => void (signedUp ??= signup('user_nested', 'n@example.com')), [signup]);
    return null;
  }
  const page = (inner?: number) =>
    createElement(AffitorProvider, { programId: 1, apiBase: API_BASE }, createElement(AffitorProvider, { programId: inner }, createElement(Welcome)));
  const started = Date.now();
  act(() => react.create().render(page(undefined)));
  await act(async () => {
    await landed();
    await signedUp;
  });
  expect(Date.now() - started).toBeLessThan(2_000);
  expect(api.clicks().map((click) => (click.body.additional_data as { program_id: number }).program_id)).toEqual([1]);
  expect(api.leads().map((lead) => lead.body)).toEqual([expect.objectContaining({ customer_key: 'user_nested', program_id: 1 })]);
  act(() => react.root.render(page(2)));
  expect(getData()?.programId).toBe(2);
});
