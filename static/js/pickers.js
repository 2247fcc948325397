/*
 * The builder's pickers: Altcraft's lists of databases, segments and
 * resources, kept in <datalist> elements (templates/segments/_pickers.html)
 * for the comboboxes of combobox.js (and, without it, for the id fields'
 * list="picker-…").
 *
 * The page arrives with what the server's cache holds. When that is not every
 * list, this asks the `pickers` view for them, and "Refresh lists" asks it to
 * fetch them from Altcraft again. A list that cannot be had leaves its fields
 * as plain id fields, with a note saying so (its <datalist> then carries
 * data-unavailable). Whenever the lists change, "pickers:updated" is
 * dispatched on document.
 *
 * Texts come from the data-text-* attributes of #pickers, so they live in the
 * template. No inline handlers: everything is wired here (strict CSP).
 */
(function () {
  "use strict";

  const box = document.getElementById("pickers");
  if (!box) return;

  const LISTS = ["databases", "segments", "resources"];
  const status = document.getElementById("pickers-status");
  const fallback = document.getElementById("pickers-fallback");
  const errorList = document.getElementById("pickers-errors");
  const refreshButton = document.getElementById("pickers-refresh");
  const texts = box.dataset;

  // Per list: id (as text) -> name, read from its <datalist>.
  const names = {};

  function datalistOf(list) {
    return document.getElementById("picker-" + list);
  }

  function readDatalist(list) {
    const map = new Map();
    for (const option of datalistOf(list).options) map.set(option.value, option.textContent);
    names[list] = map;
  }

  function fillDatalist(list, items) {
    const options = items.map((item) => {
      const option = document.createElement("option");
      option.value = String(item.id);
      option.textContent = item.name;
      return option;
    });
    datalistOf(list).replaceChildren(...options);
    readDatalist(list);
  }

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
  }

  function noteItem(lists, reason) {
    const item = document.createElement("li");
    item.dataset.lists = lists.join(" ");
    if (lists.length) {
      const label = document.createElement("strong");
      label.textContent = lists.map((list) => box.dataset["label" + list[0].toUpperCase() +
                                                           list.slice(1)]).join(", ");
      item.append(label, ": ");
    }
    item.append(reason);
    return item;
  }

  // errors: {list: reason}; lists that failed for the same reason share a line.
  function showErrors(errors) {
    const byReason = new Map();
    for (const list of LISTS) {
      if (!errors[list]) continue;
      if (!byReason.has(errors[list])) byReason.set(errors[list], []);
      byReason.get(errors[list]).push(list);
    }
    const items = [];
    for (const [reason, lists] of byReason) items.push(noteItem(lists, reason));
    errorList.replaceChildren(...items);
    fallback.hidden = items.length === 0;
  }

  // --- asking the server ----------------------------------------------------------------

  function showCounts(hasErrors) {
    const counts = {};
    for (const list of LISTS) counts[list] = names[list].size;
    status.textContent = hasErrors ? "" : format(texts.textLoaded, counts);
  }

  // Lists that could not be loaded, and hold nothing: their fields take typed ids.
  function markUnavailable(lists) {
    for (const list of LISTS) {
      datalistOf(list).toggleAttribute("data-unavailable",
                                       lists.includes(list) && names[list].size === 0);
    }
  }

  function settle(data) {
    const errors = data.errors || {};
    for (const list of LISTS) {
      const items = Array.isArray(data[list]) ? data[list] : [];
      // A list that failed keeps what the page had: older, but still useful.
      if (!errors[list] || items.length > 0) fillDatalist(list, items);
    }
    markUnavailable(Object.keys(errors));
    showCounts(Object.keys(errors).length > 0);
    showErrors(errors);
  }

  function failed(reason) {
    markUnavailable(LISTS);
    status.textContent = "";
    errorList.replaceChildren(noteItem([], format(texts.textFailed, { reason: reason })));
    fallback.hidden = false;
  }

  async function load(refresh) {
    refreshButton.disabled = true;
    status.textContent = texts.textLoading;
    try {
      const url = box.dataset.url + (refresh ? "?refresh=1" : "");
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: AbortSignal.timeout(Number(box.dataset.waitMs)),
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok || !type.includes("application/json")) {
        // A login page after the session ended, or an error page.
        throw new Error("HTTP " + response.status + (response.redirected ? ", redirected" : ""));
      }
      settle(await response.json());
    } catch (error) {
      failed(error.name === "TimeoutError" ? texts.textTimeout : error.message);
    } finally {
      refreshButton.disabled = false;
      document.dispatchEvent(new CustomEvent("pickers:updated"));
    }
  }

  // --- wiring ---------------------------------------------------------------------------

  LISTS.forEach(readDatalist);
  const failedAtFirst = [];
  for (const item of errorList.children) failedAtFirst.push(...item.dataset.lists.split(" "));
  markUnavailable(failedAtFirst);
  refreshButton.addEventListener("click", () => load(true));

  if (box.dataset.settled !== "true") {
    load(false);
  } else {
    showCounts(errorList.children.length > 0);
  }
})();
