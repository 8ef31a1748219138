'use client';
/** The signup form, posting to the server action that reports the lead. */
import { useActionState, useEffect } from 'react';
import { useAffitor } from '@affitor/sdk/react';
import { signUp } from './actions';

export function SignupForm() {
  const [state, action, pending] = useActionState(signUp, null);
  const { signup } = useAffitor();
  // The server saw no click id (see SignupState): the browser SDK's signup waits for the landing's
  // click, in flight or kept in its outbox, and sends the lead with its click id. A visitor who came
  // from no partner costs one unattributed lead request, as with the browser SDK alone. Or the server
  // could not deliver the lead (the API down): the SDK's outbox retries it on later page views.
  useEffect(() => {
    if (state?.leadInBrowser) void signup(state.leadInBrowser.customerKey, state.leadInBrowser.email);
  }, [state, signup]);
  return (
    <form action={action}>
      <input name="email" type="email" placeholder="you@example.com" required />
      <button id="signup" type="submit" disabled={pending}>
        Sign up
      </button>
      {state && <p id="result">{state.message}</p>}
    </form>
  );
}
