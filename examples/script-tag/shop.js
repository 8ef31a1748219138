/* global document, affitor -- browser globals (affitor: the stub in the page's <head>), for ESLint */
// The shop's own code. It talks to window.affitor only, so it runs the same whether the SDK
// has loaded yet or not: before load, the stub queues the calls.

// Landing page: a cart, to show the page works whatever happens to tracking.
var cartButton = document.getElementById('add-to-cart');
if (cartButton) {
  var count = 0;
  cartButton.addEventListener('click', function () {
    document.getElementById('cart-count').textContent = String(++count);
  });
}

// Signup page.
var form = document.getElementById('signup-form');
if (form) {
  // affitor.ready(callback) runs callback(window.affitor) once the SDK has loaded (at once if
  // it already has), so the page can read the attribution.
  affitor.ready(function (sdk) {
    var data = sdk.getData();
    document.getElementById('attribution').textContent = data.hasAttribution
      ? 'Referred by a partner (click id ' + data.clickId + ').'
      : 'No partner referral on this visit.';
  });

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var email = form.elements.email.value.trim();
    // Create the account on your own backend here, then report the signup with the id your
    // backend gives the user: the same customer key your server sends with sales. This demo
    // uses the email as the key.
    var customerKey = email.toLowerCase();

    // A plain affitor.signup(customerKey, email) works too, even before the SDK has loaded (the
    // stub's promise then settles once the SDK has the lead). Through ready() you get the SDK's
    // own promise, settled once the lead was answered or within 5 s (a lead not sent by then waits
    // in the outbox for the next page view): wait for it before navigating away.
    affitor.ready(function (sdk) {
      sdk.signup(customerKey, email).then(function () {
        document.getElementById('result').textContent = 'Welcome, ' + email + '! (signup reported to Affitor)';
      });
    });
  });
}
