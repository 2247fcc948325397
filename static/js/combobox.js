/*
 * The builder's pickers as comboboxes (WAI-ARIA combobox with a listbox
 * popup): databases, segments and resources are picked by name, and their
 * ids are posted.
 *
 * Each id field (input[data-picker], forms.picker_widget) becomes a hidden
 * input that keeps its name and is what the form posts; a text input with
 * role=combobox takes its place, its id and its label, and shows the picked
 * item's name. Without this script the id field stays a plain id input.
 *
 * Typing filters the list (a part of a name or of an id); at most MAX_SHOWN
 * matches are shown, with a "keep typing" line when there are more, since a
 * list may hold thousands of segments. Arrow keys move through the matches,
 * Enter picks, Escape closes. Leaving the field settles what was typed: an id
 * is posted as it is (with a note when Altcraft does not list it), a name is
 * turned into its id when exactly one item's name contains it.
 *
 * The items come from the <datalist>s that pickers.js keeps up to date; it
 * says when they change ("pickers:updated" on document). Another script that
 * sets a hidden id input dispatches "change" on it, and the combobox shows the
 * new value (segment_database.js). Rows added or duplicated by builder.js
 * ("formset:added") and the fields a rule gets when its kind changes
 * ("rule:kind-changed") are set up as they come. Texts come from the
 * data-text-* attributes of #pickers. No inline handlers (strict CSP).
 */
(function () {
  "use strict";

  const box = document.getElementById("pickers");
  if (!box) return;
  const texts = box.dataset;
  const MAX_SHOWN = 50;
  const DIGITS = /^\d+$/;
  const UNKNOWN_TEXT = {
    databases: texts.textUnknownDatabase,
    segments: texts.textUnknownSegment,
    resources: texts.textUnknownResource,
  };

  // Per list: [{id, name, lower}] read from its <datalist>, read again when
  // pickers.js says it changed.
  const cache = {};

  function datalistOf(list) {
    return document.getElementById("picker-" + list);
  }

  function itemsOf(list) {
    if (!cache[list]) {
      const datalist = datalistOf(list);
      cache[list] = datalist ? Array.from(datalist.options, (option) => ({
        id: option.value, name: option.textContent,
        lower: option.textContent.toLocaleLowerCase(),
      })) : [];
    }
    return cache[list];
  }

  function itemById(list, id) {
    return itemsOf(list).find((item) => item.id === id);
  }

  function unavailable(list) {
    const datalist = datalistOf(list);
    return Boolean(datalist && datalist.hasAttribute("data-unavailable")) &&
      itemsOf(list).length === 0;
  }

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
  }

  // --- the parts of one combobox --------------------------------------------------

  function partsOf(combo) {
    return {
      input: document.getElementById(combo.id + "-id"),
      listbox: document.getElementById(combo.id + "-listbox"),
      more: document.getElementById(combo.id + "-more"),
      hint: document.getElementById(combo.id + "-hint"),
    };
  }

  function element(tag, attributes) {
    const made = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
    return made;
  }

  // The id input becomes hidden, renamed <id>-id; the combobox takes its id,
  // so its label, the error summary's links and the error lines point at it.
  function enhance(input) {
    const id = input.id;
    const list = input.dataset.picker;
    const label = document.querySelector('label[for="' + id + '"]');
    const combo = element("input", {
      type: "text", id: id, role: "combobox", "aria-autocomplete": "list",
      "aria-expanded": "false", "aria-controls": id + "-listbox", autocomplete: "off",
      "data-combobox": list, class: input.className,
    });
    const described = [input.getAttribute("aria-describedby"), id + "-hint"].filter(Boolean);
    combo.setAttribute("aria-describedby", described.join(" "));
    for (const name of ["aria-invalid", "readonly", "disabled"]) {
      if (input.hasAttribute(name)) combo.setAttribute(name, input.getAttribute(name));
    }
    const wrapper = element("div", { class: "combobox" });
    if (input.classList.contains("is-invalid")) wrapper.classList.add("is-invalid");
    const listbox = element("ul", { id: id + "-listbox", role: "listbox", hidden: "",
                                    class: "combobox-listbox list-group shadow-sm" });
    if (label) {
      listbox.setAttribute("aria-label",
                           format(texts.textMatchesOf, { label: label.textContent.trim() }));
    }
    const more = element("div", { id: id + "-more", class: "combobox-more small", hidden: "" });
    const hint = element("div", { id: id + "-hint", class: "form-text picker-hint",
                                  "aria-live": "polite" });
    input.id = id + "-id";
    input.type = "hidden";
    input.removeAttribute("aria-describedby");
    input.removeAttribute("aria-invalid");
    input.removeAttribute("list");
    input.dataset.enhanced = "true";
    input.before(wrapper);
    const popup = element("div", { class: "combobox-popup" });
    popup.append(listbox, more);
    wrapper.append(combo, input, popup);
    wrapper.after(hint);
    show(combo);
  }

  function enhanceIn(root) {
    root.querySelectorAll("input[data-picker]:not([data-enhanced])").forEach(enhance);
  }

  // --- what the field shows and the line under it -----------------------------------

  // The hidden value as the field shows it: the item's name when it is known.
  function show(combo) {
    const { input } = partsOf(combo);
    const value = input.value.trim();
    const item = DIGITS.test(value) ? itemById(combo.dataset.combobox, value) : undefined;
    combo.value = item && item.name ? item.name : value;
    combo.dataset.shown = combo.value;
    updateHint(combo);
  }

  function updateHint(combo) {
    const { input, hint } = partsOf(combo);
    const list = combo.dataset.combobox;
    const value = input.value.trim();
    let text = "";
    if (unavailable(list)) {
      text = texts.textUnavailable;  // said at once, so no one waits for a list
    } else if (!value) {
      text = "";
    } else if (DIGITS.test(value)) {
      if (itemById(list, value)) text = format(texts.textId, { id: value });
      else if (itemsOf(list).length) text = format(UNKNOWN_TEXT[list], { id: value });
    } else if (itemsOf(list).length) {
      const count = matches(list, value).count;
      text = format(count ? texts.textAmbiguous : texts.textNoMatch,
                    { typed: value, count: count });
    }
    if (hint.textContent !== text) hint.textContent = text;
  }

  // --- matching -----------------------------------------------------------------------

  // The items whose name contains `typed`, or whose id starts with it (an id
  // typed whole comes first), at most MAX_SHOWN of them, and how many in all.
  function matches(list, typed) {
    const wanted = typed.trim().toLocaleLowerCase();
    const items = itemsOf(list);
    const shown = [];
    let count = 0;
    for (const item of items) {
      if (wanted && !item.lower.includes(wanted) && !item.id.startsWith(wanted)) continue;
      count += 1;
      if (item.id === wanted) shown.unshift(item);
      else if (shown.length < MAX_SHOWN) shown.push(item);
    }
    return { items: shown.slice(0, MAX_SHOWN), count: count };
  }

  // The one item a typed name stands for: its exact name, or the only name
  // that contains it.
  function resolve(list, typed) {
    const wanted = typed.toLocaleLowerCase();
    const exact = itemsOf(list).filter((item) => item.lower === wanted);
    if (exact.length === 1) return exact[0];
    const found = itemsOf(list).filter((item) => item.lower.includes(wanted));
    return found.length === 1 ? found[0] : null;
  }

  // --- the popup ----------------------------------------------------------------------

  function isOpen(combo) {
    return combo.getAttribute("aria-expanded") === "true";
  }

  function open(combo) {
    const { listbox, more } = partsOf(combo);
    const list = combo.dataset.combobox;
    const typed = combo.value === combo.dataset.shown ? "" : combo.value;
    const found = matches(list, typed);
    const options = found.items.map((item, index) => {
      const option = element("li", { id: combo.id + "-option-" + index, role: "option",
                                     "aria-selected": "false",
                                     class: "list-group-item list-group-item-action py-1" });
      option.dataset.id = item.id;
      const id = element("span", { class: "combobox-id" });
      id.textContent = "(" + item.id + ")";
      option.append(item.name || item.id, " ", id);
      return option;
    });
    listbox.replaceChildren(...options);
    combo.removeAttribute("aria-activedescendant");
    if (found.count > found.items.length) {
      more.textContent = format(texts.textKeepTyping,
                                { shown: found.items.length, count: found.count });
    } else if (found.count === 0 && itemsOf(list).length) {
      more.textContent = texts.textNoMatchShort;
    } else {
      more.textContent = "";
    }
    more.hidden = !more.textContent;
    listbox.hidden = options.length === 0;
    combo.setAttribute("aria-expanded", String(options.length > 0));
  }

  function close(combo) {
    const { listbox, more } = partsOf(combo);
    listbox.hidden = true;
    listbox.replaceChildren();
    more.hidden = true;
    combo.setAttribute("aria-expanded", "false");
    combo.removeAttribute("aria-activedescendant");
  }

  function activeIndex(combo) {
    const active = combo.getAttribute("aria-activedescendant");
    const { listbox } = partsOf(combo);
    return Array.from(listbox.children).findIndex((option) => option.id === active);
  }

  function activate(combo, index) {
    const { listbox } = partsOf(combo);
    const options = listbox.children;
    if (!options.length) return;
    const wrapped = (index + options.length) % options.length;
    Array.from(options).forEach((option, i) => {
      option.setAttribute("aria-selected", String(i === wrapped));
      option.classList.toggle("active", i === wrapped);
    });
    combo.setAttribute("aria-activedescendant", options[wrapped].id);
    options[wrapped].scrollIntoView({ block: "nearest" });
  }

  // --- settling a value ---------------------------------------------------------------

  function setValue(combo, value) {
    const { input } = partsOf(combo);
    const changed = input.value !== value;
    input.value = value;
    show(combo);
    if (changed) input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function pick(combo, option) {
    close(combo);
    setValue(combo, option.dataset.id);
  }

  // What was typed, once the person is done with it.
  function settle(combo) {
    const typed = combo.value.trim();
    if (combo.value === combo.dataset.shown) return;
    const list = combo.dataset.combobox;
    const item = typed && !DIGITS.test(typed) ? resolve(list, typed) : null;
    setValue(combo, item ? item.id : typed);
  }

  // --- wiring -------------------------------------------------------------------------

  function comboOf(target) {
    return target instanceof HTMLInputElement && target.dataset.combobox ? target : null;
  }

  document.addEventListener("input", function (event) {
    const combo = comboOf(event.target);
    if (!combo) return;
    // The posted field follows the typing, so a form sent from here carries it.
    partsOf(combo).input.value = combo.value.trim();
    // The line under the field follows the typing, so that leaving the field
    // (by pressing a button) does not fill it in and move that button away
    // from under the pointer.
    updateHint(combo);
    open(combo);
  });

  document.addEventListener("keydown", function (event) {
    const combo = comboOf(event.target);
    if (!combo || combo.readOnly || event.ctrlKey || event.metaKey) return;
    const key = event.key;
    if (key === "ArrowDown" || key === "ArrowUp") {
      event.preventDefault();
      if (!isOpen(combo)) open(combo);
      const index = activeIndex(combo);
      if (key === "ArrowDown") activate(combo, index + 1);
      else activate(combo, index < 0 ? -1 : index - 1);
    } else if (key === "Enter") {
      if (isOpen(combo)) {
        event.preventDefault();  // a pick, not a submit
        const index = activeIndex(combo);
        if (index >= 0) pick(combo, partsOf(combo).listbox.children[index]);
        else { close(combo); settle(combo); }
      } else {
        settle(combo);  // before the form is sent
      }
    } else if (key === "Escape" && isOpen(combo)) {
      event.preventDefault();
      close(combo);
    }
  });

  document.addEventListener("focusout", function (event) {
    const combo = comboOf(event.target);
    if (!combo) return;
    close(combo);
    settle(combo);
  });

  // Pressing an option must not take the focus from the field first.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest(".combobox-listbox")) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    const option = event.target.closest(".combobox-listbox [role=option]");
    if (!option) return;
    const combo = document.getElementById(option.closest(".combobox-listbox").id
      .replace(/-listbox$/, ""));
    pick(combo, option);
    combo.focus();
  });

  // An id input set by another script.
  document.addEventListener("change", function (event) {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.dataset.enhanced) return;
    const combo = document.getElementById(input.id.replace(/-id$/, ""));
    if (combo && combo.dataset.shown !== undefined && document.activeElement !== combo) {
      show(combo);
    }
  });

  document.addEventListener("pickers:updated", function () {
    for (const list of Object.keys(cache)) delete cache[list];
    document.querySelectorAll("input[data-combobox]").forEach((combo) => {
      if (document.activeElement === combo) updateHint(combo);
      else show(combo);
    });
  });

  // A duplicated row brings its comboboxes, open popups included.
  function setUp(event) {
    enhanceIn(event.target);
    event.target.querySelectorAll("input[data-combobox]").forEach((combo) => {
      close(combo);
      show(combo);
    });
  }
  document.addEventListener("formset:added", setUp);
  document.addEventListener("rule:kind-changed", setUp);

  enhanceIn(document.getElementById("builder") || document);
})();
