/* form.js: the review form (README.md). reviews.js imports this module when "Write a review" is
 * pressed, or on the thank-you page, so that product pages where nobody writes never load it. It
 * renders with the helpers reviews.js lends it (`kit`): user text as Text nodes only, strings from
 * the page's locale. A form that is plainly incomplete is explained in the page, without a request. */

const FIELDS = ["rating", "title", "body", "photos", "display_name", "email", "private_message"];
const MAX_PHOTOS = 5;

/** The shop's reward for a review, before any star, in the hosted page's words (once in a thank-you panel). */
export const offers = (ctx, { h }) => ctx.shop.incentives?.map((line) => h("p", { class: "incentive" }, line));

/** The form for one product; with a token, a verified buyer's (no e-mail). */
export function reviewForm(ctx, productId, options, kit) {
  const { h, button, svg, id, heading, safeUrl } = kit;
  const { t } = ctx;
  const ids = Object.fromEntries(FIELDS.map((field) => [field, id()]));
  const errors = {};
  const uploads = [];
  const fieldError = (field) => (errors[field] = h("p", { class: "error", id: `${ids[field]}e`, hidden: true }));

  const rate = h("div", { class: "rate" });
  const starsSet = h("fieldset", { id: ids.rating },
    h("legend", {}, options.legend || t("your_rating")), rate, fieldError("rating"));
  for (let n = 1; n <= 5; n++) {
    const radioId = id();
    const icon = svg("svg", { viewBox: "0 0 24 24", "aria-hidden": "true" });
    icon.append(svg("path", { d: `M12 2${kit.STAR}` }));
    rate.append(h("input", { type: "radio", name: `${ids.rating}r`, value: n, id: radioId }),
      h("label", { for: radioId }, icon, h("span", { class: "visually-hidden" }, t("star_n", { n }))));
  }

  const input = (field, attrs) => h(field === "body" || field === "private_message" ? "textarea" : "input", {
    id: ids[field], name: field, "aria-describedby": `${ids[field]}h ${ids[field]}e`, ...attrs,
  });
  const labelled = (field, label, control, hint, optional) => h("div", { class: "field" },
    h("label", { class: "field-label", for: ids[field] },
      label, optional && h("span", { class: "optional" }, ` (${t("optional")})`)),
    h("p", { class: "hint", id: `${ids[field]}h` }, hint || ""), control, fieldError(field));
  const title = input("title", { type: "text", maxlength: 150, autocomplete: "off" });
  const body = input("body", { maxlength: 5000, rows: 5 });
  const displayName = input("display_name", {
    type: "text", maxlength: 100, autocomplete: "nickname", value: options.name,
  });
  const email = !ctx.token && input("email", { type: "email", maxlength: 254, autocomplete: "email" });
  const files = input("photos", {
    type: "file", accept: "image/jpeg,image/png,image/webp", multiple: true,
  });
  // A message only for the shop: shown to everyone, before and whatever the stars; with an order's
  // token it may be sent alone, as the answer to the review request (no review, no stars).
  const privateMessage = input("private_message", { maxlength: 5000, rows: 3 });
  const privateField = labelled("private_message", t("f_private"), privateMessage, t("f_private_hint"), true);
  if (ctx.token) {
    privateField.append(button(t("send_private"), () => {
      const message = privateMessage.value.trim();
      if (message) sendPrivate(message);
      else privateMessage.focus();
    }, "button secondary"));
  }
  const previews = h("ul", { class: "uploads", "aria-label": t("photos") });
  const formError = h("p", { class: "form-error", role: "alert" });
  const submit = h("button", { class: "button primary", type: "submit" }, t("submit"));
  const bodyOptional = ctx.shop.allow_rating_only !== false;

  files.addEventListener("change", () => {
    for (const file of [...files.files].slice(0, MAX_PHOTOS - uploads.length)) addPhoto(file);
    files.value = "";
  });

  function addPhoto(file) {
    const number = uploads.length + 1;
    const bar = h("progress", { max: 1, value: 0, "aria-label": t("uploading", { i: number }) });
    const box = h("div", { class: "upload-preview" }, bar);
    const item = h("li", { class: "upload" }, box);
    const entry = { item };
    const remove = () => { uploads.splice(uploads.indexOf(entry), 1); item.remove(); files.focus(); };
    // Downscaled and uploaded by photos.js, loaded when the first photo is picked.
    entry.done = import(new URL("photos.js", import.meta.url))
      .then((module) => module.send(ctx.api, file, (share) => { bar.value = share; }))
      .then((photo) => {
        entry.id = photo.id;
        const alt = t("photo_n", { i: number, n: uploads.length });
        box.replaceChildren(h("img", { src: safeUrl(photo.thumb_url), alt }));
      }, (problem) => {
        box.replaceChildren();
        // A refused page, a rate limit or no connection say so; anything else is the photo itself.
        const own = problem.status && problem.status !== 403 && problem.status !== 429;
        const text = own ? t("e_photos") : kit.problemText(ctx, problem);
        item.append(h("p", { class: "error", role: "status", text }));
      })
      .finally(() => item.append(
        button(t("remove"), remove, "link", { "aria-label": t("remove_photo", { i: number }) })));
    uploads.push(entry);
    previews.append(item);
  }

  const headId = options.title && id();
  const rest = h("div", { class: "rest", hidden: options.compact },
    labelled("title", t("f_title"), title, "", true),
    labelled("body", t("f_body"), body, t("f_body_hint"), bodyOptional),
    labelled("photos", t("photos"), files, t("f_photos_hint", { n: MAX_PHOTOS }), true),
    previews,
    labelled("display_name", t("f_name"), displayName, t("f_name_hint")),
    email && labelled("email", t("f_email"), email, t("f_email_hint")),
    formError,
    h("div", { class: "actions" }, submit));
  const form = h("form", { class: "form", novalidate: true, "aria-labelledby": headId },
    options.title && heading(ctx, 1, { class: "form-h", id: headId }, options.title),
    !options.compact && offers(ctx, kit), privateField, starsSet, rest);
  // Choosing stars answers "Choose a star rating" at once, and in the thank-you panel opens the
  // rest of the product's form.
  rate.addEventListener("change", () => {
    rest.hidden = false;
    errors.rating.hidden = true;
    starsSet.removeAttribute("aria-invalid");
  });

  /** What the server would refuse anyway, found before anything is sent. */
  function missing() {
    const bad = {};
    if (!rate.querySelector(":checked")) bad.rating = 1;
    if (!bodyOptional && !body.value.trim()) bad.body = 1;
    // With an order's token the server falls back to the customer's name.
    if (!displayName.value.trim() && !(ctx.token && options.name)) bad.display_name = 1;
    if (email && (!email.value.trim() || !email.checkValidity())) bad.email = 1;
    return bad;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const field in errors) errors[field].hidden = true;
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    formError.textContent = "";
    const message = privateMessage.value.trim();
    const bad = missing();
    if (Object.keys(bad).length) return showErrors({ errors: bad });
    submit.disabled = true;
    submit.textContent = t("sending");
    await Promise.all(uploads.map((upload) => upload.done));
    const data = {
      rating: +rate.querySelector(":checked").value,
      title: title.value.trim(), body: body.value.trim(), display_name: displayName.value.trim(),
      locale: ctx.lang, photo_ids: uploads.map((upload) => upload.id).filter(Boolean),
      referral_code: kit.referral()?.code, private_message: message,
    };
    if (ctx.token) data.token = ctx.token;
    else data.email = email.value.trim();
    try {
      const review = await kit.write(`${ctx.api}products/${encodeURIComponent(productId)}/reviews`, data);
      const done = h("div", { class: "done", role: "status", tabindex: "-1" }, h("strong", {}, t("thanks")),
        h("p", {}, t(review.status === "published" ? "published" : "pending")), kit.earned(ctx, review, data));
      form.replaceWith(done);
      done.focus();
      kit.emit(ctx, "submit", { product: productId, status: review.status, review });
      options.onDone?.(review);
    } catch (problem) {
      showErrors(problem);
      submit.disabled = false;
      submit.textContent = t("submit");
    }
  });

  /** Private feedback alone: the shop gets the message; there is no review and no rating. */
  async function sendPrivate(message) {
    submit.disabled = true;
    try {
      await kit.write(`${ctx.api}feedback`, { token: ctx.token, message, locale: ctx.lang });
      const done = h("div", { class: "done", role: "status", tabindex: "-1" }, h("p", {}, t("private_sent")));
      form.replaceWith(done);
      done.focus();
    } catch (problem) {
      showErrors(problem);
    }
    submit.disabled = false;
  }

  /** Each refused field gets its message; anything else, the form's one message. */
  function showErrors(problem) {
    const bad = [];
    for (const field of Object.keys(problem.errors || {})) {
      const key = field === "photo_ids" ? "photos" : field;
      if (!errors[key]) continue;
      errors[key].hidden = false;
      errors[key].textContent = t(`e_${key}`);
      const control = key === "rating" ? starsSet : form.querySelector(`#${ids[key]}`);
      control.setAttribute("aria-invalid", "true");
      bad.push(key === "rating" ? rate.querySelector("input") : control);
    }
    formError.textContent = bad.length ? t("check") : kit.problemText(ctx, problem);
    rest.hidden = false;
    (bad[0] || formError).focus?.();
  }
  return form;
}
