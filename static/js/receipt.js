// The receipt page's Print button (an inline handler would break the Content-Security-Policy).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("print-now");
  if (button) button.addEventListener("click", () => window.print());
});
