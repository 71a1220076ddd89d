/* referral-link.js: a visit through a referral link (README.md, "Referrals"). reviews.js and
 * stars.js import this module when the page's address has a query; importing it is the visit, so
 * the two entry scripts spend one line on it, and a page with both records one click.
 *
 * The code is kept first-party, on the shop's own origin, for the program's attribution window: in
 * localStorage for the widget (a review carries it) and for ReviewsWidget.referral(), and in the
 * rv_ref cookie for the shop's server at checkout. An unknown code keeps nothing, and leaves a code
 * kept before as it was. */

const KEY = "rv_ref";
const DAY = 86400;  // seconds
const DEFAULT_DAYS = 30;

/** The referral kept once this visit is recorded: {code, offer, expires}, or null. */
export const landing = visit().catch(() => null);

/** The first value of a data-reviews-* option on the page (the script tag or a widget's element). */
function option(name) {
  return document.querySelector(`[data-reviews-${name}]`)?.getAttribute(`data-reviews-${name}`);
}

async function visit() {
  if (document.readyState === "loading") {  // an async script may run before the widget's element
    await new Promise((parsed) => document.addEventListener("DOMContentLoaded", parsed, { once: true }));
  }
  const code = new URLSearchParams(location.search).get(option("ref-param") || "ref");
  const key = option("key");
  if (code && key) {
    // A click is a write, so it makes the visitor id (visitor.js): a page view never does.
    const { visitorId } = await import("./visitor.js");
    const origin = option("api") || new URL(import.meta.url).origin;
    const res = await fetch(`${origin}/api/v1/public/${encodeURIComponent(key)}/referrals/clicks`, {
      method: "POST", credentials: "omit", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code, visitor_id: visitorId() }),
    });
    const click = await res.json().catch(() => ({}));
    // The referrer opening their own link is no friend's visit: there is nothing to keep.
    if (res.ok && click.valid && !click.own) return keep(click);
  }
  return kept();
}

function keep({ code, offer, attribution_days: days = DEFAULT_DAYS }) {
  const expires = new Date(Date.now() + days * DAY * 1000).toISOString();
  try {
    localStorage.setItem(KEY, JSON.stringify({ code, offer, expires }));
  } catch { /* storage is off in this browser: the cookie still carries the code */ }
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${KEY}=${encodeURIComponent(code)}; Max-Age=${days * DAY}; Path=/; SameSite=Lax${secure}`;
  document.dispatchEvent(new CustomEvent("reviews:referral", { detail: { code, offer } }));
  return { code, offer, expires };
}

/** The same reading as ReviewsWidget.referral(): the kept code while its window lasts. */
function kept() {
  try {
    const referral = JSON.parse(localStorage.getItem(KEY));
    return Date.parse(referral.expires) > Date.now() ? referral : null;
  } catch {
    return null;
  }
}
