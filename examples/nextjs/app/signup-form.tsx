'use client';
/** The signup form, posting to the server action that reports the lead. */
import { useActionState } from 'react';
import { signUp } from './actions';

export function SignupForm() {
  const [state, action, pending] = useActionState(signUp, null);
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
