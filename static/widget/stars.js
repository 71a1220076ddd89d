/* stars.js: the stars of every [data-reviews-stars] product, in one request (README.md). Drawing
 * them (the SVG, the label in the page's language) is stars-drawing.js, imported as this runs. */
(() => {
  const VERSION = "__RV_VERSION__";
  const script = document.currentScript;
  const { reviewsKey, reviewsApi, reviewsLocale } = script.dataset;
  const scriptUrl = new URL(script.src);
  const base = new URL(VERSION.startsWith("__") || scriptUrl.pathname.includes(VERSION)
    ? "./" : `./${VERSION}/`, scriptUrl);
  const ratingsUrl = `${reviewsApi || scriptUrl.origin}/api/v1/public/${encodeURIComponent(reviewsKey)}/ratings?`;
  const drawing = import(new URL("stars-drawing.js", base)).then((module) => module.drawer(reviewsLocale));
  if (location.search) import(new URL("referral-link.js", base));

  async function load() {
    const elements = [...document.querySelectorAll("[data-reviews-stars]")].filter((element) => !element.shadowRoot);
    for (const element of elements) element.attachShadow({ mode: "open" });
    const ids = [...new Set(elements.map((element) => element.dataset.reviewsStars))];
    // The ratings are asked for at once, while the drawing code and its strings load.
    const batches = [];
    for (let start = 0; start < ids.length; start += 100) {  // the bulk endpoint takes 100 ids at most
      batches.push(fetch(ratingsUrl + new URLSearchParams({ ids: ids.slice(start, start + 100) }))
        .then((answer) => answer.json()));
    }
    const draw = await drawing;
    for (const batch of batches) {
      const { ratings } = await batch;
      for (const element of elements) {
        const rating = ratings.find((each) => each.product_id === element.dataset.reviewsStars);
        if (rating?.count) draw(element.shadowRoot, rating);
      }
    }
  }

  window.ReviewsStars = { load };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load);
  else load();
})();
