'use client';
/** Shows the attribution from useAffitor(); re-renders when the click id arrives or changes. */
import { useAffitor } from '@affitor/sdk/react';

export function Attribution() {
  const { ready, data } = useAffitor();
  if (!ready) return <p id="attribution">Checking your referral…</p>;
  return <p id="attribution">{data?.clickId ? `Referred: ${data.clickId}` : 'No referral'}</p>;
}
