/* stars-drawing.js: one product's stars and label, for stars.js, which imports it from its
 * versioned URL, so the locales beside it are versioned too (README.md). */

const LANGUAGE = /^(en|es|de|fr|pt|it|nl|pl|ru|uk|tr|ar|hy|ka|lo|vi|ja|zh)\b/i;
const SVG = "http://www.w3.org/2000/svg";
const STYLES = new CSSStyleSheet();
STYLES.replaceSync("svg{width:5.5em;height:1.1em;vertical-align:-.2em}.off{fill:var(--rv-star-off,#c4cbd3)}" +
  ".on{fill:var(--rv-star,#b45309)}:host(:dir(rtl)) svg{transform:scaleX(-1)}");

function svg(tag, attrs) {
  const element = document.createElementNS(SVG, tag);
  for (const name in attrs) element.setAttribute(name, attrs[name]);
  return element;
}

// Gold over grey, cut to the average by a width attribute: no style, so strict CSPs work.
const PATH = [12, 36, 60, 84, 108].map((left) => `M${left} 2l3 6 7 1-5 5 1 7-6-3-6 3 1-7-5-5 7-1z`).join("");
const STARS = svg("svg", { viewBox: "0 0 120 24" });
const GOLD = svg("svg", { height: 24 });
GOLD.append(svg("path", { class: "on", d: PATH }));
STARS.append(svg("path", { class: "off", d: PATH }), GOLD);

/** draw(shadowRoot, {count, average}) in the language of the option, the page or the browser. */
export async function drawer(locale) {
  const lang = [locale, document.documentElement.lang, navigator.language, "en"].find((tag) => LANGUAGE.test(tag));
  const url = new URL(`locales/${lang.slice(0, 2).toLowerCase()}.json`, import.meta.url);
  const { stars_label: label, _cldr: cldr } = await (await fetch(url)).json();
  // Intl without the language (hy, ka, lo in some browsers): English, with the file's separators.
  const own = Intl.NumberFormat.supportedLocalesOf(lang)[0];
  const format = (n, o) => n.toLocaleString(own || "en", o)
    .replace(/[.,]/g, (s) => own ? s : s < "." ? cldr.group : cldr.decimal);

  return (root, { count, average }) => {
    const n = format(count), avg = format(average, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    const image = document.createElement("span");
    image.setAttribute("role", "img");
    image.setAttribute("aria-label", label.replace("{avg}", avg).replace("{n}", n));
    image.append(STARS.cloneNode(true), ` (${n})`);
    image.firstChild.lastChild.setAttribute("width", average * 24);
    root.adoptedStyleSheets = [STYLES];
    root.append(image);
  };
}
