/*
 * Undo and redo of the builder's changes, kept in the page (at most STEPS).
 *
 * A state is a snapshot of the builder: the HTML of its rows (the top-level
 * formsets: every row, hidden removed ones with their DELETE ticks, the
 * TOTAL_FORMS counters, each rule's kind panels) and the value of every
 * control in the form. Undo puts the state before a step back, redo the one
 * after it; then "builder:restored" lets builder.js (and any other script)
 * show the page afresh. Formset rules stay whole: a restored state is one the
 * page really had, so indexes are never reused nor renumbered.
 *
 * A step is recorded when builder.js tells of a change ("builder:changed":
 * add, duplicate, remove, a kind switch), when a select, box or radio
 * changes, and for typing: every keystroke in one field, from its focus to
 * its blur, is one step. A change event that follows a step builder.js told
 * already finds nothing new and records nothing.
 *
 * Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo (Cmd on a Mac), unless the
 * focus is in a text field, where the browser's own text undo applies. Keys
 * are read by their place (event.code), so they work in a Russian layout too.
 * What was undone is said in the polite live region #undo-status. Texts come
 * from the data-text-* attributes of #undo-buttons (the template).
 */
(function () {
  "use strict";

  const form = document.getElementById("builder");
  const bar = document.getElementById("undo-buttons");
  if (!form || !bar) return;

  const STEPS = 100;
  const undoButton = document.getElementById("undo-button");
  const redoButton = document.getElementById("redo-button");
  const status = document.getElementById("undo-status");
  const texts = bar.dataset;
  const NOT_TEXT = ["checkbox", "radio", "button", "submit", "reset", "hidden", "file",
                    "range", "color", "image"];

  // Steps: {before, after, label}; the newest last.
  const undone = [];
  const redone = [];
  let current = null;
  // The field being typed in, and the state before its first keystroke.
  let typing = null;

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
  }

  function isTextField(element) {
    if (!element) return false;
    if (element.tagName === "TEXTAREA" || element.isContentEditable) return true;
    return element.tagName === "INPUT" && !NOT_TEXT.includes(element.type);
  }

  // The formsets not inside another one: they hold every row.
  function regions() {
    return Array.from(form.querySelectorAll(".formset"))
      .filter((formset) => !formset.parentElement.closest(".formset"));
  }

  function controls() {
    return form.querySelectorAll("input, select, textarea");
  }

  // A control's key among the form's: its id, else its name (and a box's or
  // radio's value); a repeated key gets its count, so every key is unique.
  function keysOf(list) {
    const seen = new Map();
    return Array.from(list, (control) => {
      let key = control.id || control.name + "\u0000" +
        (control.type === "radio" || control.type === "checkbox" ? control.value : "");
      const count = seen.get(key) || 0;
      seen.set(key, count + 1);
      if (count) key += "\u0000" + count;
      return key;
    });
  }

  // Hidden inputs keep their value in the HTML (TOTAL_FORMS) or are not the
  // builder's to change (the CSRF token, the submission key).
  function valueOf(control) {
    if (control.type === "checkbox" || control.type === "radio") return control.checked;
    if (control.tagName === "SELECT") {
      return Array.from(control.options).flatMap((option, i) => (option.selected ? [i] : []));
    }
    return control.value;
  }

  function snapshot() {
    const values = {};
    const list = controls();
    keysOf(list).forEach((key, i) => {
      if (list[i].type !== "hidden") values[key] = valueOf(list[i]);
    });
    // Strings: states compare cheaply, and steps that only change values
    // share one copy of the rows' HTML.
    const html = JSON.stringify(regions().map((region) => region.outerHTML));
    return { html: current && current.html === html ? current.html : html,
             values: JSON.stringify(values) };
  }

  function same(a, b) {
    return a.html === b.html && a.values === b.values;
  }

  function putValues(values) {
    const list = controls();
    keysOf(list).forEach((key, i) => {
      const control = list[i];
      if (!(key in values)) return;
      const value = values[key];
      if (control.type === "checkbox" || control.type === "radio") {
        control.checked = value;
      } else if (control.tagName === "SELECT") {
        Array.from(control.options).forEach((option, j) => {
          option.selected = value.includes(j);
        });
      } else {
        control.value = value;
      }
    });
  }

  // Where the focus was, as a selector that finds its twin in the restored rows.
  function focusSelector() {
    const element = document.activeElement;
    if (!element || !regions().some((region) => region.contains(element))) return null;
    if (element.id) return "#" + CSS.escape(element.id);
    const formset = element.closest(".formset");
    if (element.dataset.action && formset) {
      return '.formset[data-prefix="' + CSS.escape(formset.dataset.prefix) +
        '"] > [data-action="' + CSS.escape(element.dataset.action) + '"]';
    }
    return element.name ? '[name="' + CSS.escape(element.name) + '"]' : null;
  }

  function usable(element) {
    return element && !element.disabled && !element.closest("[hidden]");
  }

  // Back where it was if that is still there; else on the buttons, so the
  // keyboard user is not dropped at the top of the page. A button that is
  // now disabled hands the focus to the other one.
  function placeFocus(selector, was) {
    if (selector === null) {
      if (was === undoButton && undoButton.disabled && !redoButton.disabled) redoButton.focus();
      if (was === redoButton && redoButton.disabled && !undoButton.disabled) undoButton.focus();
      return;
    }
    const twin = form.querySelector(selector);
    if (usable(twin)) {
      twin.focus();
    } else if (!undoButton.disabled) {
      undoButton.focus();
    } else if (!redoButton.disabled) {
      redoButton.focus();
    }
  }

  function restore(state) {
    const selector = focusSelector();
    const was = document.activeElement;
    const htmls = JSON.parse(state.html);
    regions().forEach((region, i) => {
      const holder = document.createElement("template");
      holder.innerHTML = htmls[i];
      region.replaceWith(holder.content.firstElementChild);
    });
    putValues(JSON.parse(state.values));
    current = state;
    form.dispatchEvent(new CustomEvent("builder:restored", { bubbles: true }));
    showButtons();
    placeFocus(selector, was);
    settled();
  }

  function push(step) {
    undone.push(step);
    if (undone.length > STEPS) undone.shift();
    redone.length = 0;
    showButtons();
  }

  // The typed field's step ends: one step if the field holds something new.
  // When another change ends it (a script, or a pick that left the focus in
  // the field), the page holds that change already: the step's end is the
  // state before it, with the field's last typed value.
  function endTyping(byAnotherChange) {
    if (!typing) return;
    const state = byAnotherChange ? typedState() : snapshot();
    if (!same(state, typing.before)) push({ before: typing.before, after: state, label: typing.label });
    current = state;
    typing = null;
    settled();
    showButtons();
  }

  function typedState() {
    const list = Array.from(controls());
    const key = keysOf(list)[list.indexOf(typing.field)];
    const values = JSON.parse(typing.before.values);
    if (key === undefined || !(key in values)) return snapshot();
    values[key] = typing.value;
    return { html: typing.before.html, values: JSON.stringify(values) };
  }

  function record(label) {
    endTyping(true);
    const state = snapshot();
    if (same(state, current)) return;
    push({ before: current, after: state, label: label });
    current = state;
    settled();
  }

  // Other scripts change the rows too (the pickers' name under an id
  // field): a step must start from the page as the person sees it, not from
  // the last snapshot, or an undo would take their changes back as well. So
  // what changed the form between steps is taken in when the next gesture
  // begins (a step's own changes are dropped from the observer when it is
  // recorded).
  let stale = false;
  const observer = new MutationObserver(function (mutations) {
    if (aboutTheRows(mutations)) stale = true;
  });

  // Undo's own buttons and messages are no part of a state.
  function aboutTheRows(mutations) {
    return mutations.some((mutation) => !bar.contains(mutation.target) &&
                          !status.contains(mutation.target));
  }

  function settled() {
    observer.takeRecords();
    stale = false;
  }

  function takeInChanges() {
    if (aboutTheRows(observer.takeRecords())) stale = true;
    if (stale && !typing) {
      current = snapshot();
      stale = false;
    }
  }

  // Undo and redo are one move in opposite directions: the newest step of
  // `from` goes over to `to`, the page takes the state on that step's `side`
  // ("before" for undo, "after" for redo), and `text` says so.
  function step(from, to, side, text) {
    endTyping();
    const taken = from.pop();
    if (!taken) return;
    to.push(taken);
    restore(taken[side]);
    tell(format(text, { change: taken.label }));
  }

  function undo() {
    step(undone, redone, "before", texts.textUndone);
  }

  function redo() {
    step(redone, undone, "after", texts.textRedone);
  }

  function showButtons() {
    undoButton.disabled = undone.length === 0 && typing === null;
    redoButton.disabled = redone.length === 0;
  }

  // A message the same as the last one is changed a little, so it is read again.
  function tell(message) {
    status.textContent = message === status.textContent.trim() ? message + "\u00a0" : message;
  }

  // --- what a step is called ("removed Rule 2") -----------------------------------

  function clean(text) {
    return text.replace(/\s+/g, " ").trim();
  }

  function rowName(row) {
    const title = row && document.getElementById(row.getAttribute("aria-labelledby") || "");
    return title ? clean(title.textContent) : "";
  }

  function fieldName(control) {
    let name = "";
    if (control.type === "radio") {
      const legend = control.closest("fieldset") && control.closest("fieldset").querySelector("legend");
      name = legend ? clean(legend.textContent) : "";
    } else if (control.labels && control.labels.length) {
      name = clean(control.labels[0].textContent);
    }
    // Without the asterisk of a required field's label.
    name = name.replace(/\s*\*$/, "") || control.getAttribute("aria-label") || control.name;
    const row = rowName(control.closest(".formset-row"));
    return row ? format(texts.textFieldOfRow, { field: name, row: row }) : name;
  }

  const CHANGES = { added: "textAdded", duplicated: "textDuplicated", removed: "textRemoved",
                    "rule-kind": "textRuleKind", "segment-kind": "textSegmentKind" };

  // --- listening -------------------------------------------------------------------

  document.addEventListener("builder:changed", function (event) {
    const text = texts[CHANGES[event.detail.change]] || texts.textChanged;
    record(format(text, { row: rowName(event.target), field: fieldName(event.target) }));
  });

  document.addEventListener("change", function (event) {
    if (!form.contains(event.target) || isTextField(event.target)) return;
    record(format(texts.textChanged, { field: fieldName(event.target) }));
  });

  document.addEventListener("input", function (event) {
    const field = event.target;
    if (!form.contains(field) || !isTextField(field)) return;
    if (typing && typing.field === field) {
      typing.value = field.value;
      return;
    }
    endTyping(true);
    typing = { field: field, before: current, value: field.value,
               label: format(texts.textTyped, { field: fieldName(field) }) };
    redone.length = 0;
    showButtons();
  });

  document.addEventListener("focusout", function (event) {
    if (typing && typing.field === event.target) endTyping();
  });

  bar.addEventListener("click", function (event) {
    if (event.target.closest("#undo-button")) undo();
    if (event.target.closest("#redo-button")) redo();
  });

  document.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const isUndo = event.code === "KeyZ" && !event.shiftKey;
    const isRedo = (event.code === "KeyZ" && event.shiftKey) ||
      (event.code === "KeyY" && !event.shiftKey);
    if (!isUndo && !isRedo) return;
    const target = event.target;
    // In a text field the browser undoes the typing; in a dialog (the
    // import), the builder behind it is not what the person is working on.
    if (isTextField(target) || (target.closest && target.closest("dialog, [role=dialog]"))) return;
    event.preventDefault();
    if (isUndo) undo(); else redo();
  });

  // Before a gesture changes anything (capture: ahead of builder.js).
  document.addEventListener("pointerdown", takeInChanges, true);
  document.addEventListener("keydown", takeInChanges, true);
  document.addEventListener("focusin", takeInChanges, true);

  // The first state is the page as builder.js shows it: once it is wired
  // ("builder:wired"; data-ready if that came before this script ran).
  function start() {
    current = snapshot();
    observer.observe(form, { subtree: true, childList: true, attributes: true,
                             characterData: true });
    bar.hidden = false;
    showButtons();
    // Readiness for tests: steps are recorded from here on.
    form.dataset.undoReady = "true";
  }
  if (form.dataset.ready) start();
  else form.addEventListener("builder:wired", start, { once: true });
})();
