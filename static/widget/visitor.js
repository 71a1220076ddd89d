/* visitor.js: the visitor id (README.md, "The visitor id"). reviews.js imports this module on a
 * visitor's first write (a vote, a report, a review), referral-link.js when it records a click; a
 * page that is only viewed never loads it, so viewing never creates the id.
 *
 * The id is random and first-party, on the shop's own origin: in localStorage and in the rv_vid
 * cookie (so that it survives either being cleared alone). It lets the service count one vote per
 * visitor; the server never trusts it to loosen a limit. */

const KEY = "rv_vid";
const YEAR = 31536000;  // seconds
const VALID = /^[A-Za-z0-9_-]{22,43}$/;

/** This browser's visitor id: the kept one, or a new one, kept for a year from now either way. */
export function visitorId() {
  const id = kept() || create();
  try {
    localStorage.setItem(KEY, id);
  } catch { /* storage is off in this browser: the cookie still carries the id */ }
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${KEY}=${id}; Max-Age=${YEAR}; Path=/; SameSite=Lax${secure}`;
  return id;
}

function kept() {
  let stored = null;
  try {
    stored = localStorage.getItem(KEY);
  } catch { /* storage is off: read the cookie */ }
  const cookie = document.cookie.split("; ").find((pair) => pair.startsWith(`${KEY}=`));
  return [stored, cookie?.slice(KEY.length + 1)].find((id) => id && VALID.test(id));
}

/** 24 random bytes as 32 characters of base64url. */
function create() {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
}
