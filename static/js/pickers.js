/*
 * The builder's pickers: Altcraft's lists of databases, segments and
 * resources in <datalist> elements (templates/segments/_pickers.html), which
 * the id fields with list="picker-…" offer as a user types a name or an id.
 *
 * The page arrives with what the server's cache holds. When that is not every
 * list, this asks the `pickers` view for them, and "Refresh lists" asks it to
 * fetch them from Altcraft again. A list that cannot be had leaves its fields
 * as plain id fields, with a note saying so. Below each id field, the name of
 * the picked item (or the note) is shown.
 *
 * A name typed (or pasted) without picking a suggestion is turned into its id
 * when the field is left, if exactly one item's name contains it: browsers
 * differ in how they match suggestions, and some show none at all.
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
  // Lists that could not be loaded, by name: their fields take typed ids.
  let unavailable = {};

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

  // --- the line under each id field -------------------------------------------------

  function hintOf(input) {
    let hint = input.nextElementSibling;
    if (!hint || !hint.classList.contains("picker-hint")) {
      hint = document.createElement("div");
      hint.className = "form-text picker-hint";
      hint.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", hint);
    }
    return hint;
  }

  function updateHint(input) {
    const list = input.dataset.picker;
    const value = input.value.trim();
    const known = names[list] || new Map();
    let text = "";
    if (input.dataset.pickerNote) {
      text = input.dataset.pickerNote;
    } else if (known.has(value)) {
      text = known.get(value) || "";
    } else if (unavailable[list] && known.size === 0) {
      text = texts.textUnavailable;
    } else if (value && known.size > 0 && /^\d+$/.test(value)) {
      text = texts.textUnknown;
    }
    const hint = input.nextElementSibling;
    if (!text && !(hint && hint.classList.contains("picker-hint"))) return;
    const target = hintOf(input);
    if (target.textContent !== text) target.textContent = text;
  }

  // The ids of the items whose name contains `typed` (an exact name wins).
  function matches(list, typed) {
    const wanted = typed.toLocaleLowerCase();
    const found = [];
    for (const [id, name] of names[list] || []) {
      const lower = name.toLocaleLowerCase();
      if (lower === wanted) return [id];
      if (lower.includes(wanted)) found.push(id);
    }
    return found;
  }

  // On leaving a field: a name becomes its id, or the line says why not (kept
  // in data-picker-note until the field is typed in again).
  function resolveName(input) {
    const list = input.dataset.picker;
    const typed = input.value.trim();
    delete input.dataset.pickerNote;
    if (!typed || /^\d+$/.test(typed) || !names[list] || names[list].size === 0) return;
    const found = matches(list, typed);
    if (found.length === 1) {
      input.value = found[0];
    } else {
      const text = found.length ? texts.textAmbiguous : texts.textNoMatch;
      input.dataset.pickerNote = format(text, { typed: typed, count: found.length });
    }
  }

  function updateHints() {
    document.querySelectorAll("input[data-picker]").forEach(updateHint);
  }

  // --- asking the server ----------------------------------------------------------------

  function showCounts(hasErrors) {
    const counts = {};
    for (const list of LISTS) counts[list] = names[list].size;
    status.textContent = hasErrors ? "" : format(texts.textLoaded, counts);
  }

  function settle(data) {
    const errors = data.errors || {};
    unavailable = {};
    for (const list of LISTS) {
      const items = Array.isArray(data[list]) ? data[list] : [];
      // A list that failed keeps what the page had: older, but still useful.
      if (!errors[list] || items.length > 0) fillDatalist(list, items);
      if (errors[list] && names[list].size === 0) unavailable[list] = true;
    }
    showCounts(Object.keys(errors).length > 0);
    showErrors(errors);
  }

  function failed(reason) {
    unavailable = {};
    for (const list of LISTS) {
      if (names[list].size === 0) unavailable[list] = true;
    }
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
      updateHints();
    }
  }

  // --- wiring ---------------------------------------------------------------------------

  LISTS.forEach(readDatalist);
  for (const item of errorList.children) {
    for (const list of item.dataset.lists.split(" ")) {
      if (list) unavailable[list] = true;
    }
  }

  document.addEventListener("input", function (event) {
    const input = event.target;
    if (!input.matches("input[data-picker]")) return;
    delete input.dataset.pickerNote;
    updateHint(input);
  });
  document.addEventListener("change", function (event) {
    const input = event.target;
    if (!input.matches("input[data-picker]")) return;
    resolveName(input);
    updateHint(input);
  });
  refreshButton.addEventListener("click", () => load(true));

  // Rows added or duplicated by builder.js, and the fields a rule gets when
  // its kind changes, get their line too (builder.js's events).
  function updateHintsIn(event) {
    event.target.querySelectorAll("input[data-picker]").forEach(updateHint);
  }
  document.addEventListener("formset:added", updateHintsIn);
  document.addEventListener("rule:kind-changed", updateHintsIn);

  updateHints();
  if (box.dataset.settled !== "true") {
    load(false);
  } else {
    showCounts(errorList.children.length > 0);
  }
})();
