/** The shop's page: what the visitor's attribution is, a signup form, and a checkout button. */
import { Attribution } from './attribution';
import { SignupForm } from './signup-form';

export default function Home() {
  return (
    <main>
      <h1>Example shop</h1>
      <Attribution />
      <SignupForm />
      <form action="/api/checkout" method="post">
        <button id="checkout" type="submit">
          Subscribe (Stripe Checkout)
        </button>
      </form>
      <p>
        Or pay with a Payment Link: <a id="payment-link" href="https://buy.stripe.com/test_example">buy.stripe.com</a>
      </p>
    </main>
  );
}
