/* referral.js: the customer's referral panel on the thank-you page (README.md, "Referrals").
 * reviews.js imports it after "rate what you bought", only when the shop's program is on, and lends
 * it its helpers, so that it renders as the rest of the widget does: user text as Text nodes only,
 * strings from the page's locale, and a stylesheet (referral.css) adopted into the shadow root. */

let sheet;  // referral.css, fetched once for all the panels of the page

/** The shop's own words inside a translated sentence keep their direction (Unicode isolates). */
const isolate = (text) => `\u2068${text}\u2069`;

/** Render the panel after `section`: nothing when the program is off or the token is not valid. */
export async function panel(ctx, section, kit) {
  try {
    const [me, css] = await Promise.all([
      kit.json(`${ctx.api}referrals/me?token=${encodeURIComponent(ctx.token)}`), stylesheet(),
    ]);
    if (!me.enabled) return;
    handover(ctx, kit);
    const root = section.getRootNode();
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, css];
    section.after(view(ctx, kit, me));
  } catch {
    // No panel: the thank-you page stands as it is without one.
  }
}

function stylesheet() {
  sheet ||= fetch(new URL("referral.css", import.meta.url)).then(async (res) => {
    if (!res.ok) throw new Error(`referral.css: ${res.status}`);
    const css = new CSSStyleSheet();
    css.replaceSync(await res.text());
    return css;
  });
  return sheet;
}

/** This order came after a friend's link: the kept code goes with it (the shop may send it too). */
function handover(ctx, { write, referral }) {
  const kept = referral();
  if (kept) write(`${ctx.api}referrals/handover`, { token: ctx.token, code: kept.code }).catch(() => {});
}

function view(ctx, { h, button, heading }, me) {
  const { t } = ctx;
  // Ids are scoped to the widget's shadow root, and there is one panel in it.
  const link = h("input", {
    id: "referral-link", class: "referral-url", type: "text", readonly: true, value: me.share_url, dir: "ltr",
    onfocus: (event) => event.target.select(),
  });
  const status = h("p", { class: "referral-status", role: "status" });
  const copy = button(t("ref_copy"), async () => {
    status.textContent = "";
    status.textContent = t(await copyText(link) ? "ref_copied" : "ref_copy_failed");
  }, "button primary");
  // Native sharing only where the browser has it (phones, mostly); copying works everywhere.
  const share = navigator.share && button(t("ref_share"), () => navigator.share({
    title: ctx.shop.name, text: t("ref_share_text", { offer: me.friend_offer.description }), url: me.share_url,
  }).catch(() => {}));
  const count = (label, value) => h("div", {}, h("dt", { text: t(label) }), h("dd", { text: ctx.number.format(value) }));
  return h("section", { class: "referral", "aria-labelledby": "referral-heading" },
    heading(ctx, 0, { class: "heading", id: "referral-heading" }, t("ref_title")),
    h("p", { class: "intro" }, t("ref_intro", {
      offer: isolate(me.friend_offer.description), reward: isolate(me.referrer_reward.description),
    })),
    h("label", { class: "field-label", for: "referral-link" }, t("ref_link")),
    h("div", { class: "referral-row" }, link, copy, share),
    status,
    h("p", { class: "referral-code" }, `${t("ref_code")} `, h("strong", { text: me.code })),
    h("dl", { class: "referral-counts" },
      count("ref_friends", me.counts.friends_ordered), count("ref_rewards", me.counts.rewards)),
    me.rewards.length > 0 && rewards(ctx, h, heading, me.rewards));
}

/** The rewards earned, each with its coupon code (or word that the code is on its way). */
function rewards(ctx, h, heading, earned) {
  const { t } = ctx;
  return h("div", { class: "referral-earned" },
    heading(ctx, 1, { class: "referral-subheading" }, t("ref_your_rewards")),
    h("ul", {}, earned.map((reward) => h("li", {}, h("span", { dir: "auto", text: reward.description }), " ", reward.code
      ? h("strong", { class: "referral-coupon", text: reward.code })
      : h("span", { class: "referral-soon", text: t("ref_reward_soon") })))));
}

/** The Clipboard API where the page may use it; else the selected text and the older copy command. */
async function copyText(input) {
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    input.select();
    try {
      return document.execCommand("copy");
    } catch {
      return false;  // the link stays selected, for the reader to copy by hand
    }
  }
}
