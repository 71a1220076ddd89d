/* Reviews admin: keyboard shortcuts for the queue, confirmations, bulk selection, copy buttons,
   the current tab scrolled into view on narrow screens.
   Every page works without this file; it only makes the common paths faster.

   Queue keys: j / k move to the next / previous review, a approves it, r goes to its reject
   reason (choose one, then Enter), x selects it for a bulk action, Escape returns to the review. */
"use strict";

(function () {
  const cards = () => Array.from(document.querySelectorAll("[data-review]"));

  function currentCard() {
    const active = document.activeElement;
    return (active && active.closest && active.closest("[data-review]")) ||
      document.querySelector("[data-review].is-current");
  }

  function focusCard(card) {
    if (!card) return;
    for (const other of document.querySelectorAll("[data-review].is-current")) {
      other.classList.remove("is-current");
    }
    card.classList.add("is-current");
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const list = cards();
    if (!list.length) return;
    const index = list.indexOf(currentCard());
    const next = index === -1 ? (step > 0 ? 0 : list.length - 1)
      : Math.min(list.length - 1, Math.max(0, index + step));
    focusCard(list[next]);
  }

  function submitOnce(form, submitter) {
    if (form.dataset.submitting) return;
    form.dataset.submitting = "1";
    form.setAttribute("aria-busy", "true");
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(submitter || undefined);
    } else {
      form.submit();
    }
  }

  function toggleSelect(card) {
    const box = card && card.querySelector("[data-select]");
    if (!box) return;
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function isTyping(target) {
    if (!target || !target.closest) return false;
    return Boolean(target.closest("input:not([type=checkbox]):not([type=radio]), textarea, select, [contenteditable]"));
  }

  function onKey(event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (event.key === "Escape" && isTyping(target)) {
      const card = target.closest("[data-review]");
      if (card) { event.preventDefault(); focusCard(card); }
      return;
    }
    if (event.key === "Enter" && target.matches && target.matches("select[data-reason]")) {
      if (target.value) { event.preventDefault(); submitOnce(target.form); }
      return;
    }
    if (isTyping(target) || !cards().length) return;
    const card = currentCard();
    switch (event.key) {
      case "j": event.preventDefault(); move(1); break;
      case "k": event.preventDefault(); move(-1); break;
      case "a": {
        const button = card && card.querySelector("[data-action=approve]");
        if (button) { event.preventDefault(); submitOnce(button.form, button); }
        break;
      }
      case "r": {
        const select = card && card.querySelector("select[data-reason]");
        if (select) { event.preventDefault(); select.focus(); }
        break;
      }
      case "x":
        if (card) { event.preventDefault(); toggleSelect(card); }
        break;
      default:
        break;
    }
  }

  function updateSelection() {
    const boxes = Array.from(document.querySelectorAll("[data-select]"));
    const chosen = boxes.filter((box) => box.checked);
    for (const box of boxes) {
      const card = box.closest("[data-review]");
      if (card) card.classList.toggle("is-selected", box.checked);
    }
    const count = document.querySelector("[data-selected-count]");
    // The words come from the page, in the admin's language: data-selected-template="{count} selected".
    if (count) {
      const template = count.getAttribute("data-selected-template") || "{count}";
      count.textContent = template.replace("{count}", String(chosen.length));
    }
    const all = document.querySelector("[data-select-all]");
    if (all) {
      all.checked = boxes.length > 0 && chosen.length === boxes.length;
      all.indeterminate = chosen.length > 0 && chosen.length < boxes.length;
    }
  }

  function onChange(event) {
    const target = event.target;
    if (target.matches("[data-select-all]")) {
      for (const box of document.querySelectorAll("[data-select]")) box.checked = target.checked;
      updateSelection();
    } else if (target.matches("[data-select]")) {
      updateSelection();
    }
  }

  function onSubmit(event) {
    const form = event.target;
    const question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      delete form.dataset.submitting;
      form.removeAttribute("aria-busy");
      return;
    }
    // A second click while the first request runs would act twice (or answer "changed meanwhile").
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
  }

  function setUpCopyButtons() {
    if (!navigator.clipboard) return;
    for (const button of document.querySelectorAll("[data-copy]")) {
      const source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) continue;
      button.hidden = false;
      button.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(source.value);
          button.textContent = button.getAttribute("data-copied") || button.textContent;
        } catch (_error) {
          source.select();
        }
      });
    }
  }

  // On a narrow screen the tab bars scroll sideways: open them where the current tab is.
  function showCurrentTabs() {
    for (const bar of document.querySelectorAll(".tabs ul, .subtabs ul")) {
      const current = bar.querySelector("[aria-current]");
      if (!current || bar.scrollWidth <= bar.clientWidth) continue;
      const tab = current.getBoundingClientRect();
      const view = bar.getBoundingClientRect();
      bar.scrollLeft += tab.left - view.left - (view.width - tab.width) / 2;
    }
  }

  function focusFromHash() {
    const id = decodeURIComponent(window.location.hash.slice(1));
    const card = id && document.getElementById(id);
    if (card && card.hasAttribute("data-review")) focusCard(card);
  }

  document.addEventListener("keydown", onKey);
  document.addEventListener("change", onChange);
  document.addEventListener("submit", onSubmit);
  // Pages restored from the back-forward cache keep their "sent" marks: clear them.
  window.addEventListener("pageshow", () => {
    for (const form of document.querySelectorAll("form[data-sent], form[data-submitting]")) {
      delete form.dataset.sent;
      delete form.dataset.submitting;
      form.removeAttribute("aria-busy");
    }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => {
      showCurrentTabs(); setUpCopyButtons(); updateSelection(); focusFromHash();
    });
  } else {
    showCurrentTabs(); setUpCopyButtons(); updateSelection(); focusFromHash();
  }
}());
