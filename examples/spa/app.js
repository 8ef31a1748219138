/* global document, location, history, window, Element, HTMLFormElement -- browser globals, for ESLint */
// A small single-page app using the SDK as an ES module: init once at start-up, signup
// when the user creates an account. Navigation is client-side (history.pushState), so the
// SDK runs once per page load, as in any SPA.
import { getData, init, onAttribution, signup } from '@affitor/sdk';

// Once, before rendering. On a landing such as /?aff=PARTNER123 this reports the click and
// writes the affitor_click_id cookie on the root domain; on later visits (or on another
// subdomain of the same site) it reads the cookie back and sends nothing.
init({
  programId: 1,
  // Only for this demo: the local tracking server. Leave it out in production.
  apiBase: 'http://127.0.0.1:8787',
  debug: true,
});

const views = {
  '/': () => `
    <h1>Welcome</h1>
    <p>Project planning for small teams.</p>
    <p><a href="/pricing" data-link>See pricing →</a></p>`,
  '/pricing': () => `
    <h1>Pricing</h1>
    <p>Free for three projects, then $9 a month.</p>
    <p><a href="/signup" data-link>Start free →</a></p>`,
  '/signup': () => `
    <h1>Create your account</h1>
    <form id="signup-form">
      <label>Email <input name="email" type="email" required autocomplete="email" /></label>
      <button type="submit">Sign up</button>
    </form>
    <p id="result" role="status"></p>`,
};

function showAttribution(data = getData()) {
  document.getElementById('attribution').textContent = data?.hasAttribution
    ? `Referred by a partner (click id ${data.clickId}).`
    : 'No partner referral on this visit.';
}

function render() {
  const view = views[location.pathname] ?? (() => '<h1>Not found</h1>');
  document.getElementById('view').innerHTML = view();
  showAttribution();
}

// A landing's click answers after the first render: show the attribution once it is known (and
// when a newer partner takes over), without redrawing the view and a form being filled in.
onAttribution(showAttribution);

// Client-side navigation: links marked data-link change the URL without a page load.
document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[data-link]') : null;
  if (!link) return;
  event.preventDefault();
  history.pushState(null, '', link.href);
  render();
});
window.addEventListener('popstate', render);

document.addEventListener('submit', async (event) => {
  if (!(event.target instanceof HTMLFormElement) || event.target.id !== 'signup-form') return;
  event.preventDefault();
  const email = event.target.elements.email.value.trim();
  // Create the account on your backend first; report the signup with the id it gives the
  // user (the same customer key your server sends with sales). This demo uses the email.
  // signup never rejects: a tracking problem is logged, it never breaks your signup flow.
  await signup(email.toLowerCase(), email);
  document.getElementById('result').textContent = `Welcome, ${email}! (signup reported to Affitor)`;
});

render();
