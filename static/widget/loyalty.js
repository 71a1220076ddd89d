/* loyalty.js: the customer's loyalty panel (README.md, "Loyalty: the shopper's panel").
 * reviews.js imports it only when the shop's programme is on, in two places, and lends it its helpers:
 * - the thank-you page (an order's widget token): the panel after "rate what you bought", view only;
 * - the shop's account page (data-reviews-loyalty="<customer token>", which the shop's backend got from
 *   POST /api/v1/loyalty/customer-tokens): the panel, with one-click redemption.
 * The customer token only ever travels in a JSON body, never in a URL (URLs end up in logs and in the
 * Referer of every link). Shop text and codes become Text nodes only; strings come from the locale. */

let sheet;  // loyalty.css, fetched once for the page

/** The shop's own words inside a translated sentence keep their direction (Unicode isolates). */
const isolate = (text) => `\u2068${text}\u2069`;

/**
 * Render the panel: after `section` on a thank-you page, or as the whole widget of an account page
 * (no `section`). Nothing when the programme is off; on the thank-you page, nothing either when the
 * token is not valid (the page stands as it is).
 */
export async function panel(ctx, section, kit) {
  const customerToken = !section && ctx.el.dataset.reviewsLoyalty;
  let me;
  try {
    [me] = await Promise.all([customerToken
      ? kit.json(`${ctx.api}loyalty/account`, body({ token: customerToken, lang: ctx.lang }))
      : kit.json(`${ctx.api}loyalty/me?token=${encodeURIComponent(ctx.token)}&lang=${ctx.lang}`), stylesheet()]);
  } catch (error) {
    if (customerToken) throw error;  // reviews.js says it could not load, with a retry
    return;
  }
  if (!me.enabled) return customerToken ? kit.show(ctx, null) : undefined;
  let current = view(ctx, kit, me, redeem);
  if (section) section.after(current);
  else kit.show(ctx, current);
  const root = current.getRootNode();
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, await stylesheet()];

  /** One click: spend the points, then show the panel as it is now, with the code first. */
  async function redeem(reward, status) {
    for (const item of current.querySelectorAll(".loyalty-redeem")) item.disabled = true;
    status.textContent = ctx.t("sending");
    try {
      const answer = await kit.json(`${ctx.api}loyalty/redemptions`,
        body({ token: customerToken, reward: reward.id, lang: ctx.lang }));
      const next = view(ctx, kit, answer.panel, redeem, answer.redemption);
      current.replaceWith(next);
      current = next;
      next.querySelector(".loyalty-done")?.focus();
    } catch (problem) {
      status.textContent = kit.problemText(ctx, problem, "loy_conflict");
      for (const item of current.querySelectorAll(".loyalty-redeem")) item.disabled = !item.dataset.affordable;
    }
  }
}

const body = (data) => ({ method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data) });

function stylesheet() {
  sheet ||= fetch(new URL("loyalty.css", import.meta.url)).then(async (res) => {
    if (!res.ok) throw new Error(`loyalty.css: ${res.status}`);
    const css = new CSSStyleSheet();
    css.replaceSync(await res.text());
    return css;
  });
  return sheet;
}

function view(ctx, kit, me, redeem, justRedeemed) {
  const { t } = ctx;
  const { h, heading } = kit;
  return h("section", { class: "loyalty", "aria-labelledby": "loyalty-heading" },
    heading(ctx, 0, { class: "heading", id: "loyalty-heading" }, t("loy_title")),
    justRedeemed && done(ctx, h, justRedeemed),
    standing(ctx, h, me),
    me.ways_to_earn.length > 0 && waysToEarn(ctx, kit, me.ways_to_earn),
    me.rewards.length > 0 && rewards(ctx, kit, me, redeem),
    me.redeemed.length > 0 && redeemed(ctx, kit, me.redeemed),
    me.history.length > 0 && history(ctx, kit, me.history));
}

/** The reward just bought: its code, said at once to a screen reader too. */
function done(ctx, h, redemption) {
  const { t } = ctx;
  return h("div", { class: "loyalty-done", role: "status", tabindex: "-1" },
    h("strong", { text: t("loy_redeemed", { reward: isolate(redemption.description) }) }), " ",
    redemption.code
      ? h("span", {}, `${t("loy_code")} `, h("strong", { class: "loyalty-code", dir: "ltr", text: redemption.code }))
      : h("span", { text: t("loy_reward_soon") }));
}

/** Balance, what it is worth, held points, tier and the way to the next, what expires when. */
function standing(ctx, h, me) {
  const { t } = ctx;
  const progress = me.progress;
  const next = progress.next_tier;
  return h("div", { class: "loyalty-standing" },
    h("p", { class: "loyalty-balance" }, h("strong", { text: t("loy_points", { n: me.spendable }) }),
      me.spendable > 0 && h("span", { class: "loyalty-muted", text: ` ${t("loy_worth", { amount: me.spendable_value })}` })),
    me.pending > 0 && h("p", { text: t("loy_pending", { n: me.pending }) }),
    me.flagged && h("p", { class: "loyalty-warning", text: t("loy_flagged") }),
    me.tier && h("p", { class: "loyalty-tier" }, t("loy_tier", { tier: isolate(me.tier.name) })),
    me.tier && me.tier.perks && h("p", { class: "loyalty-muted", text: t("loy_perks", { perks: isolate(me.tier.perks) }) }),
    next && h("p", {}, progress.basis === "spend"
      ? t("loy_next_spend", { amount: me.missing_amount, tier: isolate(next.name) })
      : t("loy_next", { n: +progress.missing, tier: isolate(next.name) })),
    next && meter(ctx, h, +progress.value, next.threshold),
    !next && me.tier && h("p", { class: "loyalty-muted", text: t("loy_top") }),
    me.expiring && me.expiring.soon && h("p", { class: "loyalty-warning", text: t("loy_expiring", {
      n: me.expiring.points, date: ctx.date.format(new Date(me.expiring.at)) }) }));
}

/** The way to the next tier, as a native meter (its value read out by screen readers). */
function meter(ctx, h, value, threshold) {
  return h("meter", { class: "loyalty-meter", min: 0, max: threshold, value: Math.min(value, threshold),
    "aria-label": ctx.t("loy_progress") });
}

function waysToEarn(ctx, { h, heading }, ways) {
  const { t } = ctx;
  return h("div", { class: "loyalty-part" },
    heading(ctx, 1, { class: "loyalty-subheading" }, t("loy_earn_title")),
    h("ul", { class: "loyalty-list" }, ways.map((way) => h("li", {
      text: t(`loy_earn_${way.kind}`, { n: +way.points, amount: way.per }) }))));
}

/** Each reward and its cost; a button to redeem it with a customer token, else how to. */
function rewards(ctx, kit, me, redeem) {
  const { t } = ctx;
  const { h, heading, button } = kit;
  const status = h("p", { class: "loyalty-status", role: "status" });
  const items = me.rewards.map((reward) => h("li", { class: "loyalty-reward" },
    h("span", { class: "loyalty-reward-name", dir: "auto", text: reward.description }),
    h("span", { class: "loyalty-cost", text: t("loy_points", { n: reward.points }) }),
    me.can_redeem && button(t(reward.available === 0 ? "loy_sold_out" : "loy_redeem"), () => redeem(reward, status),
      "button primary loyalty-redeem", { disabled: !reward.affordable, "data-affordable": reward.affordable ? "1" : null })));
  return h("div", { class: "loyalty-part" },
    heading(ctx, 1, { class: "loyalty-subheading" }, t("loy_rewards_title")),
    h("ul", { class: "loyalty-list" }, items),
    me.can_redeem ? status : h("p", { class: "loyalty-muted", text: t("loy_view_only") }));
}

function redeemed(ctx, { h, heading }, list) {
  const { t } = ctx;
  return h("div", { class: "loyalty-part" },
    heading(ctx, 1, { class: "loyalty-subheading" }, t("loy_your_rewards")),
    h("ul", { class: "loyalty-list" }, list.map((item) => h("li", {},
      h("span", { dir: "auto", text: item.description }), " ", item.code
        ? h("strong", { class: "loyalty-code", dir: "ltr", text: item.code })
        : h("span", { class: "loyalty-muted", text: t("loy_reward_soon") })))));
}

/** What happened to the points, newest first: what it was, when, and how many. */
function history(ctx, { h, heading }, entries) {
  const { t } = ctx;
  const signed = (n) => (n > 0 ? "+" : n < 0 ? "\u2212" : "") + ctx.number.format(Math.abs(n));
  return h("div", { class: "loyalty-part" },
    heading(ctx, 1, { class: "loyalty-subheading" }, t("loy_history_title")),
    h("ul", { class: "loyalty-history" }, entries.map((entry) => h("li", {},
      h("span", { class: "loyalty-when", text: ctx.date.format(new Date(entry.created_at)) }),
      h("span", { text: t(`loy_h_${entry.label}`) }),
      h("span", { class: "loyalty-change", dir: "ltr" }, signed(entry.points)),
      entry.pending && h("span", { class: "loyalty-muted", text: t("loy_on_hold") })))));
}
