/* reviews.js: the reviews widget, plain ES2020 with no build step (README.md: embed, API, events).
 * Each widget renders into a shadow root styled by an adopted stylesheet, never a style attribute,
 * so pages with a strict CSP work. User text only ever becomes Text nodes or attribute values. */
(() => {
  "use strict";

  // The server writes its digest here: the CSS and locales then load from immutable URLs.
  const VERSION = "__RV_VERSION__";
  const SCRIPT = document.currentScript || document.querySelector("script[src*='reviews.js']");
  const SRC = new URL(SCRIPT.src);
  const BASE = new URL(VERSION.startsWith("__") || SRC.pathname.includes(`/${VERSION}/`)
    ? "./" : `./${VERSION}/`, SRC);
  const LANGS = "en es de fr pt it nl pl ru uk tr ar hy ka lo vi ja zh".split(" ");
  const RTL = ["ar"];
  const SORTS = ["newest", "helpful", "highest", "lowest", "photos_first", "oldest"];
  const REASONS = ["spam", "abuse", "personal_data", "off_topic", "fake", "other"];
  const PAGE = 10;
  const STAR = "l3 6 7 1-5 5 1 7-6-3-6 3 1-7-5-5 7-1z";
  // Reserves the element's space from the first frame, before the stylesheet and data arrive.
  const RESERVE = new CSSStyleSheet();
  RESERVE.replaceSync(":host{display:block;min-height:var(--rv-min-height,20rem)}" +
    ":host([data-reviews-state=ready]){min-height:0}");

  let uid = 0;
  const id = () => `rv${++uid}`;
  const cache = new Map();
  const mounted = new WeakSet();
  const roots = new WeakMap();
  let observer;
  // A visit through a referral link (?ref=CODE): referral-link.js records it and keeps the code.
  const landing = location.search && import(new URL("referral-link.js", BASE)).then((module) => module.landing, referral);

  /** One promise per key (stylesheet, locale, shop), shared by all widgets; dropped if it fails. */
  function once(key, make) {
    if (!cache.has(key)) cache.set(key, make().catch((error) => { cache.delete(key); throw error; }));
    return cache.get(key);
  }

  /** An element. `text` sets textContent, `on*` listens; strings become Text nodes, falsy kids go. */
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value == null || value === false) continue;
      if (name === "text") el.textContent = value;
      else if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? "" : value);
    }
    el.append(...kids.flat().filter(Boolean));
    return el;
  }

  const button = (text, onclick, className = "button", attrs) =>
    h("button", { class: className, type: "button", onclick, ...attrs }, text);

  /** Open or close what `toggle` controls (its aria-expanded); answers whether it is open now. */
  function flip(toggle) {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open);
    return open;
  }

  function svg(tag, attrs) {
    const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const name in attrs) el.setAttribute(name, attrs[name]);
    return el;
  }

  /** Five stars, filled to `value` by an SVG width (not a style). */
  function stars(value) {
    const path = [0, 1, 2, 3, 4].map((i) => `M${12 + 24 * i} 2${STAR}`).join("");
    const box = svg("svg", { class: "stars", viewBox: "0 0 120 24", "aria-hidden": "true" });
    const on = svg("svg", { width: (value / 5) * 120, height: 24 });
    on.append(svg("path", { class: "on", d: path }));
    box.append(svg("path", { class: "off", d: path }), on);
    return box;
  }

  /** An absolute http(s) URL from data, or null: never `javascript:`. */
  function safeUrl(value) {
    try {
      const url = new URL(value);
      return /^https?:$/.test(url.protocol) ? url.href : null;
    } catch { return null; }
  }

  async function json(url, init) {
    const response = await fetch(url, { credentials: "omit", ...init });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw Object.assign({ status: response.status }, body);
    return body;
  }

  const post = (url, data) => json(url, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data),
  });

  /** A vote, report or review: with the visitor id, which visitor.js makes on the first write. */
  const write = (url, data) => import(new URL("visitor.js", BASE))
    .then((module) => post(url, { ...data, visitor_id: module.visitorId() }));

  /** form.js, fetched when a form is first wanted (README.md). */
  const formModule = () => once("form", () => import(new URL("form.js", BASE)));

  function emit(ctx, name, detail) {
    ctx.el.dispatchEvent(new CustomEvent(`reviews:${name}`, { bubbles: true, composed: true, detail }));
  }

  /** The element's data-reviews-locale, then the page's lang, then the browser's language. */
  function locale(el) {
    for (const tag of [el.dataset.reviewsLocale, el.closest("[lang]")?.lang, navigator.language]) {
      const lang = (tag || "").toLowerCase().split(/[-_]/)[0];
      if (!LANGS.includes(lang)) continue;
      try { return { lang, intl: Intl.getCanonicalLocales(tag)[0] }; } catch { return { lang, intl: lang }; }
    }
    return { lang: "en", intl: "en" };
  }

  /** The code kept from a referral link (referral-link.js) while its attribution window lasts, or null. */
  function referral() {
    try {
      const kept = JSON.parse(localStorage.getItem("rv_ref"));
      return Date.parse(kept.expires) > Date.now() ? kept : null;
    } catch { return null; }
  }

  async function context(el) {
    const key = el.dataset.reviewsKey || SCRIPT.dataset.reviewsKey || "";
    const origin = el.dataset.reviewsApi || SCRIPT.dataset.reviewsApi || SRC.origin;
    const api = `${origin}/api/v1/public/${encodeURIComponent(key)}/`;
    const { lang, intl } = locale(el);
    const [sheet, table, shop, kept] = await Promise.all([
      once("css", async () => {
        const response = await fetch(new URL("reviews.css", BASE));
        if (!response.ok) throw { status: response.status };
        const css = new CSSStyleSheet();
        css.replaceSync(await response.text());
        return css;
      }),
      once(`l:${lang}`, () => json(new URL(`locales/${lang}.json`, BASE))),
      // In the page's language: the config carries the shop's review incentives worded in it.
      once(`c:${api}${lang}`, () => json(`${api}widget-config?lang=${lang}`).catch(() => ({}))),
      "reviewsShowOffer" in el.dataset && (landing || referral()),
    ]);
    // A browser without this language's CLDR data (Debian's Chromium has no hy, ka or lo) formats in
    // English or in CLDR's root ("2026 M11 29"); the language file carries the data for that case:
    // for plurals, a count's category (scripts/widget_catalogs.py's plural_table).
    const cldr = table._cldr;
    const plural = Intl.PluralRules.supportedLocalesOf(intl)[0] ? new Intl.PluralRules(intl) : {
      select: (n) => cldr.plurals[cldr.plural[n % 1e6 || !n ? n < 200 ? n : 100 + n % 100 : 200]] || "other" };
    const date = new Intl.DateTimeFormat(intl, { dateStyle: "medium" });
    // A review's language by name: the browser's names of this language, else the file's, else its tag.
    const names = Intl.DisplayNames.supportedLocalesOf(intl)[0] ? new Intl.DisplayNames(intl, { type: "language" })
      : { of: (tag) => cldr.languages[tag] ?? tag };
    const own = [Intl.NumberFormat, Intl.DateTimeFormat].every((I) => I.supportedLocalesOf(intl)[0])
      && !/M\d/.test(date.format(0));
    const numbers = (options) => {
      const format = new Intl.NumberFormat(own ? intl : "en", options);
      return own ? format : { format: (n) => format.format(n).replace(/[.,]/g, (s) => s < "." ? cldr.group : cldr.decimal) };
    };
    const number = numbers();
    // The string `name` of the page's language, its {placeholders} filled from `params`.
    const t = (name, params = {}) => {
      let text = table[name] ?? name;
      if (typeof text === "object") text = text[plural.select(params.n)] ?? text.other;
      return text.replace(/\{(\w+)\}/g, (_, placeholder) => typeof params[placeholder] === "number"
        ? number.format(params[placeholder]) : params[placeholder] ?? "");
    };
    return {
      el, key, api, lang, t, sheet, shop, number, kept, token: el.dataset.reviewsToken,
      published: el.dataset.reviewsStatic || SCRIPT.dataset.reviewsStatic,
      language: (tag) => { try { return names.of(tag); } catch { return tag; } },
      policy: safeUrl(shop.policy_url) || `${origin}/policy/${encodeURIComponent(key)}?lang=${lang}`,
      dir: RTL.includes(lang) ? "rtl" : "ltr",
      level: Math.min(5, +el.dataset.reviewsHeadingLevel || 2),
      average: numbers({ minimumFractionDigits: 1, maximumFractionDigits: 1 }),
      percent: own ? new Intl.NumberFormat(intl, { style: "percent" })
        : { format: (n) => cldr.percent.replace("#", number.format(Math.round(n * 100))) },
      date: own ? date : { format: (d) => cldr.date.replace(/\{(\w)\}/g, (_, k) => ({
        d: d.getDate(), D: String(d.getDate()).padStart(2, 0), M: cldr.months[d.getMonth()], y: d.getFullYear(),
      })[k]) },
    };
  }

  /** Render; a <form> (the hosted page's) is hidden only once the widget stands before it. */
  function show(ctx, node) {
    const root = rootOf(ctx.el);
    if (ctx.el.tagName === "FORM") ctx.el.hidden = true;
    root.adoptedStyleSheets = [RESERVE, ctx.sheet];
    root.replaceChildren(h("div", { class: "widget", lang: ctx.lang, dir: ctx.dir }, offer(ctx), node));
    root.host.setAttribute("data-reviews-state", "ready");
  }

  /** The element's shadow root; a <form> or an <li> cannot hold one, so a <div> does. */
  function rootOf(el) {
    if (!roots.has(el)) {
      const div = () => h("div", { "data-reviews-theme": el.dataset.reviewsTheme });
      let root;
      if (el.tagName === "FORM") el.before(root = div());
      try {
        root = (root || el).attachShadow({ mode: "open" });
      } catch {
        root = el.appendChild(div()).attachShadow({ mode: "open" });
      }
      root.adoptedStyleSheets = [RESERVE];
      roots.set(el, root);
    }
    return roots.get(el);
  }

  /** The friend offer of a referral link, where the shop shows it (data-reviews-show-offer). */
  function offer({ t, kept }) {
    const friendOffer = kept && kept.offer;
    if (!friendOffer) return null;
    // The shop's words keep their own direction inside the sentence (Unicode isolates).
    return h("p", { class: "offer" }, h("strong", { text: t("offer", { offer: `\u2068${friendOffer.description}\u2069` }) }),
      friendOffer.code && ` ${t("offer_code", { code: friendOffer.code })}`);
  }

  const heading = (ctx, extra, attrs, text) => h(`h${ctx.level + extra}`, attrs, text);

  const policyLink = (ctx) =>
    h("a", { class: "policy", href: ctx.policy, target: "_blank", rel: "noopener" }, ctx.t("policy"));

  function productUrl(ctx, path, params) {
    const url = new URL(`${ctx.api}products/${encodeURIComponent(ctx.el.dataset.reviewsProduct)}/${path}`);
    for (const [name, value] of Object.entries(params || {})) if (value) url.searchParams.set(name, value);
    return url;
  }

  /** The server-rendered fragment's first page, if the element is that fragment. */
  function takeover(el) {
    const state = el.querySelector("script.rv-state");
    try { return state && JSON.parse(state.textContent); } catch { return null; }
  }

  /** The rating from the published files (README.md: data-reviews-static), else from the API. */
  async function ratingOf(ctx) {
    const id = ctx.el.dataset.reviewsProduct;
    const name = /^[\w-][\w.-]{0,127}$/.test(id) && !id.includes("..") ? id : `~${btoa(String.fromCharCode(
      ...new TextEncoder().encode(id))).split("=")[0].replace(/[+/]/g, (c) => c < "/" ? "-" : "_")}`;
    const file = ctx.published && name.length <= 200 && await json(
      `${ctx.published.replace(/\/?$/, "/")}${ctx.key}/products/${name}/rating.json`).catch(() => 0);
    return file?.histogram ? file : json(productUrl(ctx, "rating"));
  }

  async function showProduct(ctx) {
    const first = takeover(ctx.el);
    const [rating, page] = first ? [first.rating, first] : await Promise.all([
      ratingOf(ctx), json(productUrl(ctx, "reviews", { limit: PAGE, lang_first: ctx.lang })),
    ]);
    show(ctx, productView(ctx, rating, page));
    emit(ctx, "ready", { product: ctx.el.dataset.reviewsProduct, rating });
  }

  function productView(ctx, rating, page) {
    const { t } = ctx;
    // The reader's language first; `mine`: only in it.
    const query = { sort: "newest", rating: null, photos: false, mine: false };
    let cursor = page.next_cursor;
    let shown = 0;
    let loading = 0;
    const bars = [];
    const summary = h("div");
    const formSlot = h("div");
    const list = h("ol", { class: "list", "aria-label": t("list") });
    const status = h("p", { class: "status", role: "status" });
    const more = button(t("more"), () => load(false));
    const foot = h("div", { class: "foot" }, more);
    const filterNote = h("p", { class: "filter", hidden: true });
    const sort = h("select", { onchange: () => { query.sort = sort.value; load(true); } },
      SORTS.map((name) => h("option", { value: name }, t(`sort_${name}`))));
    const photos = h("input", {
      type: "checkbox", onchange: () => { query.photos = photos.checked; load(true); },
    });
    const mine = h("input", {
      type: "checkbox", onchange: () => { query.mine = mine.checked; load(true); },
    });
    const tools = h("div", { class: "tools" },
      h("label", { class: "sort" }, h("span", {}, t("sort")), sort),
      h("label", { class: "photos-only" }, photos, h("span", {}, t("with_photos"))),
      h("label", { class: "photos-only mine" }, mine, h("span", {}, t("only_mine"))),
      filterNote, status);
    const writeButton = button(t("write"), async () => {
      formSlot.replaceChildren();
      if (!flip(writeButton)) return;
      let form;
      try {
        form = (await formModule()).reviewForm(ctx, ctx.el.dataset.reviewsProduct, {
          title: t("form_title"),
          onDone(review) {
            writeButton.setAttribute("aria-expanded", "false");
            if (review.status !== "published") return;
            json(productUrl(ctx, "rating")).then((fresh) => { rating = fresh; paint(); }, () => {});
            load(true);
          },
        }, kit);
      } catch (problem) {
        form = h("p", { class: "error", role: "status" }, problemText(ctx, problem));
      }
      if (writeButton.getAttribute("aria-expanded") !== "true") return;  // closed while it loaded
      formSlot.replaceChildren(form);
      form.querySelector("input")?.focus();
    }, "button primary", { "aria-expanded": "false" });

    function top() {
      if (!rating.count) return h("div", { class: "empty" }, h("p", {}, t("empty")), writeButton, policyLink(ctx));
      bars.length = 0;
      const histogram = h("ul", { class: "histogram", "aria-label": t("filter_by") });
      for (let n = 5; n >= 1; n--) {
        const count = rating.histogram[n] || 0;
        const track = svg("svg", { class: "track", "aria-hidden": "true" });
        track.append(svg("rect", { height: "100%", width: `${(100 * count) / rating.count}%`, rx: 4 }));
        // Its name starts with the visible "5 stars 6" and goes on in hidden words.
        const spoken = `${t("reviews_n", { n: count })}, ${ctx.percent.format(count / rating.count)}`;
        const bar = button([h("span", { class: "bar-label" }, t("star_n", { n })), " ", track, " ",
          h("span", { class: "bar-count" }, h("span", { "aria-hidden": "true" }, ctx.number.format(count)),
            h("span", { class: "visually-hidden" }, spoken))],
        () => filter(query.rating === n ? null : n), "bar",
        { "aria-pressed": String(query.rating === n), disabled: !count, "data-stars": n });
        bars.push(bar);
        histogram.append(h("li", {}, bar));
      }
      const average = ctx.average.format(rating.average);
      return h("div", { class: "top" },
        h("div", { class: "score" },
          h("p", { class: "average", "aria-hidden": "true" }, average),
          stars(rating.average),
          h("p", { class: "count" }, h("span", { class: "visually-hidden" }, `${t("rated", { avg: average })}. `),
            t("based_on", { n: rating.count }))),
        histogram,
        h("div", { class: "cta" }, h("p", {}, t("share")), writeButton, policyLink(ctx)));
    }

    function paint() {
      summary.replaceChildren(top());
      tools.hidden = list.hidden = !rating.count;
    }

    /** Show only the reviews with `starRating` stars (null: all of them). */
    function filter(starRating) {
      query.rating = starRating;
      for (const bar of bars) bar.setAttribute("aria-pressed", +bar.dataset.stars === starRating);
      filterNote.hidden = !starRating;
      filterNote.replaceChildren(t("filtered", { stars: t("star_n", { n: starRating || 0 }) }), " ",
        button(t("show_all"), () => filter(null), "link"));
      load(true);
    }

    function say() {
      const total = query.photos || query.mine ? null : query.rating ? rating.histogram[query.rating] : rating.count;
      status.textContent = !shown ? t("none")
        : total != null ? t("showing", { n: shown, total }) : t("shown", { n: shown });
    }

    async function load(reset) {
      const ticket = ++loading;
      more.disabled = true;
      try {
        const answer = await json(productUrl(ctx, "reviews", {
          sort: query.sort, rating: query.rating, with_photos: query.photos, limit: PAGE, cursor: !reset && cursor,
          [query.mine ? "lang" : "lang_first"]: ctx.lang,
        }));
        if (ticket !== loading) return;  // a newer sort or filter won
        if (reset) { list.replaceChildren(); shown = 0; }
        append(answer.reviews, !reset);
        cursor = answer.next_cursor;
        say();
      } catch {
        if (ticket === loading) status.textContent = t("error_load");
      } finally {
        if (ticket === loading) { more.disabled = false; foot.hidden = !cursor; }
      }
    }

    function append(reviews, focus) {
      const items = reviews.map((review) => reviewItem(ctx, review));
      list.append(...items);
      shown += items.length;
      // After "show more", keyboard users continue from the first new review.
      if (focus && items[0]) items[0].firstChild.focus();
    }

    paint();
    append(page.reviews || [], false);
    foot.hidden = !cursor;
    say();
    return h("div", {}, heading(ctx, 0, { class: "heading" }, t("title")), summary, formSlot, tools, list, foot);
  }

  /** One review; its user text gets dir="auto", so it keeps its own direction on any page, and
   * the language it is written in, which is named when it is not the reader's (never translated). */
  function reviewItem(ctx, review) {
    const { t } = ctx;
    const lang = review.lang;
    const titleId = id();
    const photos = review.photos || [];
    const labels = (review.labels || []).map((name) => h("li", {}, h("details", { class: `label ${name}` },
      h("summary", {}, t(`label_${name}`)), h("p", { text: t(`label_${name}_info`) }))));
    const thumb = (photo, index) => h("li", {}, button(h("img", {
      src: safeUrl(photo.thumb_url), alt: "", width: photo.thumb_width, height: photo.thumb_height, loading: "lazy",
    }), () => lightbox(ctx, item, photos, index), "thumb",
    { "aria-label": t("open_photo", { i: index + 1, n: photos.length }) }));
    const item = h("article", { class: "review", tabindex: "-1", "aria-labelledby": titleId },
      h("div", { class: "review-top" },
        stars(review.rating), h("span", { class: "visually-hidden" }, t("rated", { avg: review.rating })),
        review.title && heading(ctx, 1, { class: "review-title", id: titleId, dir: "auto", lang, text: review.title })),
      h("p", { class: "meta", id: review.title ? null : titleId },
        h("span", { class: "author", dir: "auto", text: review.author || t("anonymous") }),
        review.published_at && h("time", {
          datetime: review.published_at, text: ctx.date.format(new Date(review.published_at)),
        }),
        lang && lang !== ctx.lang && h("span", { class: "lang", text: t("written_in", { language: ctx.language(lang) }) })),
      labels.length && h("ul", { class: "labels", "aria-label": t("labels") }, labels),
      review.body && h("p", { class: "body", dir: "auto", lang, text: review.body }),
      photos.length && h("ul", { class: "photos" }, photos.map(thumb)),
      review.reply && h("div", { class: "reply" },
        h("p", {
          class: "reply-by", text: ctx.shop.name ? t("reply_by", { shop: ctx.shop.name }) : t("reply_shop"),
        }),
        h("p", { class: "reply-body", dir: "auto", text: review.reply.body })),
      actions(ctx, review));
    return h("li", {}, item);
  }

  /** "Was this helpful?" with its two votes, and "Report". */
  function actions(ctx, review) {
    const { t } = ctx;
    const questionId = id();
    const api = `${ctx.api}reviews/${encodeURIComponent(review.id)}/`;
    const counts = { up: 0, down: 0, ...review.helpful };
    const paint = (mine) => {
      for (const vote of votes) {
        vote.textContent = `${t(vote.value === "up" ? "yes" : "no")} · ${counts[vote.value]}`;
        if (mine) vote.setAttribute("aria-pressed", vote.value === mine);
      }
    };
    const said = h("p", { class: "error", role: "status" });
    const votes = ["up", "down"].map((value) => button("", async () => {
      said.textContent = "";
      try {
        Object.assign(counts, (await write(`${api}votes`, { value })).helpful);
        paint(value);
      } catch (problem) { said.textContent = problemText(ctx, problem, "e_voted"); }
    }, "vote", { "aria-pressed": "false", value }));
    paint();
    const report = button(t("report"), () => {
      box.querySelector(".report")?.remove();
      if (flip(report)) { box.append(reportForm(ctx, api, report)); box.querySelector("select").focus(); }
    }, "link", { "aria-expanded": "false" });
    const box = h("div", {}, h("div", { class: "review-actions" }, h("span", { id: questionId }, t("helpful")),
      h("span", { role: "group", "aria-labelledby": questionId }, votes[0], " ", votes[1]), report), said);
    return box;
  }

  function reportForm(ctx, api, opener) {
    const { t } = ctx;
    const reason = h("select", {}, REASONS.map((name) => h("option", { value: name }, t(`reason_${name}`))));
    const note = h("textarea", { maxlength: 1000, rows: 3 });
    const error = h("p", { class: "error", role: "alert" });
    const form = h("form", {
      class: "report", "aria-label": t("report_title"),
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await write(`${api}reports`, { reason: reason.value, note: note.value });
          const done = h("p", { class: "note", tabindex: "-1", role: "status" }, t("reported"));
          form.replaceWith(done);
          opener.disabled = true;
          done.focus();
        } catch (problem) { error.textContent = problemText(ctx, problem, "e_reported"); }
      },
    },
    h("label", { class: "field" }, h("span", { class: "field-label" }, t("reason")), reason),
    h("label", { class: "field" },
      h("span", { class: "field-label" }, t("note"), h("span", { class: "optional" }, ` (${t("optional")})`)), note),
    error,
    h("div", { class: "actions" },
      h("button", { class: "button primary", type: "submit" }, t("send_report")),
      button(t("cancel"), () => { opener.click(); opener.focus(); })));
    return form;
  }

  /** A review's photos in a modal <dialog>: Esc closes, arrow keys move. */
  function lightbox(ctx, item, photos, index) {
    const { t } = ctx;
    const img = h("img", { class: "lightbox-image", alt: "" });
    const caption = h("p", { id: id() });
    const many = photos.length > 1;
    const move = (step) => {
      index = (index + step + photos.length) % photos.length;
      img.src = safeUrl(photos[index].url) || "";
      caption.textContent = t("photo_n", { i: index + 1, n: photos.length });
    };
    const dialog = h("dialog", {
      "aria-labelledby": caption.id,
      onclose: () => { dialog.remove(); item.querySelectorAll(".thumb")[index]?.focus(); },
      onkeydown: (event) => {
        if (!many || !/^Arrow(Left|Right)$/.test(event.key)) return;
        move((event.key === "ArrowRight") === (ctx.dir === "ltr") ? 1 : -1);
      },
      onclick: (event) => { if (event.target === dialog) dialog.close(); },
    }, h("figure", { class: "lightbox-figure" }, img,
      h("figcaption", { class: "lightbox-bar" },
        many && button(t("prev"), () => move(-1)), caption, many && button(t("next"), () => move(1)),
        button(t("close"), () => dialog.close(), "button primary"))));
    move(0);
    item.append(dialog);
    dialog.showModal();
  }

  /** A failed write in the reader's words; `conflict` says what a 409 means for it. */
  function problemText(ctx, problem, conflict = "e_conflict") {
    const status = problem && problem.status;
    return ctx.t(!status ? "e_network" : status === 409 ? conflict : status === 429 ? "e_rate"
      : status === 403 ? "e_forbidden" : status === 422 ? "e_invalid" : "error_generic");
  }

  /** "Rate what you bought": a compact form per product of the token's order. */
  async function showThanks(ctx) {
    const { t } = ctx;
    const [info, forms] = await Promise.all([
      json(`${ctx.api}review-requests/${encodeURIComponent(ctx.token)}`), formModule()]);
    const items = info.products.map((product) => {
      const image = safeUrl(product.image_url);
      const url = safeUrl(product.url);
      const name = h("span", { dir: "auto", text: product.name });
      return h("li", { class: "purchase" },
        h("div", { class: "purchase-head" }, image && h("img", {
          src: image, alt: "", width: 56, height: 56, onerror: (event) => event.target.remove(),
        }),
          heading(ctx, 1, { class: "purchase-name" }, url ? h("a", { href: url }, name) : name)),
        product.reviewed ? h("p", { class: "reviewed" }, t("reviewed")) : forms.reviewForm(ctx, product.id, {
          compact: true, name: info.display_name, legend: t("rate_product", { product: product.name }),
        }, kit));
    });
    const name = info.customer_name;
    const section = h("section", { class: "thanks", "aria-label": t("thanks_title") },
      heading(ctx, 0, { class: "heading" }, t("thanks_title")),
      h("p", { class: "intro" }, name ? t("thanks_intro", { name }) : t("thanks_intro_anon")),
      // The hosted review page (a <form>) says the shop's offer above itself already.
      ctx.el.tagName !== "FORM" && forms.offers(ctx, kit),
      h("ul", { class: "purchases" }, items),
      policyLink(ctx));
    show(ctx, section);
    emit(ctx, "ready", { products: info.products.length });
    // The referral panel comes after it, from its own file: only thank-you pages load it.
    if (ctx.shop.referrals_enabled) {
      import(new URL("referral.js", BASE)).then((module) => module.panel(ctx, section,
        { h, button, heading, json, write, referral }), () => {});
    }
    if (ctx.shop.loyalty_enabled) loyalty(ctx, section).catch(() => {});
  }

  /** The loyalty panel (loyalty.js): after a thank-you page's section, or an account page's own. */
  const loyalty = (ctx, section) => import(new URL("loyalty.js", BASE))
    .then((module) => module.panel(ctx, section, { h, button, heading, json, show, problemText }));

  async function start(el) {
    let ctx;
    try {
      ctx = await context(el);
      const data = el.dataset;
      await (data.reviewsLoyalty ? loyalty(ctx) : data.reviewsToken ? showThanks(ctx) : showProduct(ctx));
    } catch (error) {
      emit(ctx || { el }, "error", { status: error && error.status });
      // A server-rendered form or fragment stays as it is.
      if (!ctx || el.tagName === "FORM" || takeover(el)) return;
      const message = ctx.t(error && error.status === 403 ? "e_link" : "error_load");
      const retry = button(ctx.t("retry"), () => start(el));
      show(ctx, h("p", { class: "message", role: "status" }, message, " ", retry));
    }
  }

  /** Reserve the element's space at once; load when it comes near the viewport. */
  function mount(el) {
    if (mounted.has(el)) return;
    mounted.add(el);
    const early = el.tagName === "FORM" || takeover(el);
    if (!early) rootOf(el);
    if (early || "reviewsEager" in el.dataset || !window.IntersectionObserver) return start(el);
    observer ||= new IntersectionObserver((entries) => {
      for (const entry of entries) if (entry.isIntersecting) { observer.unobserve(entry.target); start(entry.target); }
    }, { rootMargin: "1000px 0px" });
    observer.observe(el);
  }

  function scan(root = document) {
    root.querySelectorAll("[data-reviews-product],[data-reviews-token],[data-reviews-loyalty]").forEach(mount);
  }

  /** "You earned N points" under a review's thanks, where true: the programme's points for a review (the
   * same whatever its stars; with photos, theirs), for a buyer known by the order's token. */
  const earned = (ctx, review, sent) => {
    const n = (ctx.shop.loyalty_review_points || {})[sent.photo_ids.length ? "photos" : "review"];
    return ctx.token && review.incentivized && n > 0 && h("p", { class: "earned" }, ctx.t("loy_earned", { n }));
  };

  // What form.js renders with, so that it renders as the rest of the widget does.
  const kit = { h, button, svg, id, heading, safeUrl, write, emit, referral, problemText, earned, STAR };

  window.ReviewsWidget = { version: VERSION, scan, mount, referral };
  scan();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => scan());
})();
