/* stars.js: the stars of every [data-reviews-stars] product, in one request (README.md). */
(() => {
  const VERSION = "__RV_VERSION__";
  const me = document.currentScript;
  const { reviewsKey, reviewsApi, reviewsLocale } = me.dataset;
  const src = new URL(me.src);
  const base = new URL(VERSION.startsWith("__") || src.pathname.includes(VERSION)
    ? "./" : `./${VERSION}/`, src);
  const ratings = `${reviewsApi || src.origin}/api/v1/public/${encodeURIComponent(reviewsKey)}/ratings?`;
  const lang = [reviewsLocale, document.documentElement.lang, navigator.language, "en"]
    .find((x) => /^(en|es|de|fr|pt|it|nl|pl|ru|uk|tr|ar|hy|ka|lo|vi|ja|zh)\b/i.test(x));
  const strings = fetch(new URL(`locales/${lang.slice(0, 2).toLowerCase()}.json`, base))
    .then((r) => r.json());
  const css = new CSSStyleSheet();
  css.replaceSync("svg{width:5.5em;height:1.1em;vertical-align:-.2em}.off{fill:var(--rv-star-off,#c4cbd3)}" +
    ".on{fill:var(--rv-star,#b45309)}:host(:dir(rtl)) svg{transform:scaleX(-1)}");
  if (location.search) import(new URL("referral-link.js", base));

  function svg(tag, attrs) {
    const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const k in attrs) el.setAttribute(k, attrs[k]);
    return el;
  }

  // Gold over grey, cut to the average by a width attribute: no style, so strict CSPs work.
  const d = [12, 36, 60, 84, 108].map((x) => `M${x} 2l3 6 7 1-5 5 1 7-6-3-6 3 1-7-5-5 7-1z`).join("");
  const stars = svg("svg", { viewBox: "0 0 120 24" });
  stars.append(svg("path", { class: "off", d }), svg("svg", { height: 24 }));
  stars.lastChild.append(svg("path", { class: "on", d }));

  async function load() {
    const els = [...document.querySelectorAll("[data-reviews-stars]")].filter((el) => !el.shadowRoot);
    for (const el of els) el.attachShadow({ mode: "open" }).adoptedStyleSheets = [css];
    const ids = [...new Set(els.map((el) => el.dataset.reviewsStars))];
    const { stars_label: label } = await strings;
    for (let i = 0; i < ids.length; i += 100) {  // the bulk endpoint takes 100 ids at most
      const res = await fetch(ratings + new URLSearchParams({ ids: ids.slice(i, i + 100) }));
      const page = (await res.json()).ratings;
      for (const el of els) {
        const r = page.find((x) => x.product_id === el.dataset.reviewsStars);
        if (!r?.count) continue;
        const count = r.count.toLocaleString(lang);
        const avg = r.average.toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
        const img = document.createElement("span");
        img.setAttribute("role", "img");
        img.setAttribute("aria-label", label.replace("{avg}", avg).replace("{n}", count));
        img.append(stars.cloneNode(true), ` (${count})`);
        img.firstChild.lastChild.setAttribute("width", r.average * 24);
        el.shadowRoot.append(img);
      }
    }
  }

  window.ReviewsStars = { load };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load);
  else load();
})();
