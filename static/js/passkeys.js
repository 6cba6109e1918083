// Passkeys on the two-factor pages (clinic/passkeys.py). django-otp-webauthn's module script runs
// the ceremony and announces its end with an event; a new passkey then shows in the page's list
// (or, on the set-up page, the account page opens), where the button names it.
(function () {
  "use strict";
  document.addEventListener("otp_webauthn.register_complete", function (event) {
    var button = event.target.closest ? event.target.closest("[data-passkey-done]") : null;
    var done = button ? button.dataset.passkeyDone : "";
    if (done) { window.location.assign(done); } else { window.location.reload(); }
  });
}());
