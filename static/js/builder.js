/*
 * The builder's rows: add, remove and duplicate selections, rules, sub-rules
 * and params without reloading, and show the fields that fit the picked
 * segment kind and rule kind.
 *
 * Django formset rules we keep (DESIGN.md, habit 4):
 * - a new row comes from the page-level <template> of its level; its index is
 *   the formset's TOTAL_FORMS, and only the __prefix__ that follows the
 *   formset's own prefix is replaced;
 * - remove hides the row and ticks its DELETE box; rows are never renumbered.
 * A rule holds the fields of its kind only: picking another kind brings that
 * kind's panel from its <template> (tpl-rule-statseg, tpl-subrule-custom, ...),
 * and keeps the panel left hidden and disabled, so what was typed there comes
 * back with its kind and is not posted meanwhile.
 *
 * Other scripts learn of rows through bubbling events, as with Django admin's
 * inlines.js: "formset:added" (a row added or duplicated) and
 * "formset:removed" on the row, and "rule:kind-changed" on a rule whose panel
 * changed; detail.formsetName is the formset's prefix, detail.prefix the row's.
 * Each such change, and a switch of the segment kind, is also told as one
 * "builder:changed" (detail.change: added, duplicated, removed, rule-kind or
 * segment-kind), which undo.js records as a step; when undo.js puts rows back
 * it dispatches "builder:restored" on the form, and the page is shown afresh.
 * Once everything here is in place the form gets data-ready and hears
 * "builder:wired".
 * No inline handlers: everything is wired here, so a strict CSP works.
 */
(function () {
  "use strict";

  const form = document.getElementById("builder");
  if (!form) return;
  // The texts this script shows come from the page, in the page's language.

  // selections-3-rules -> selections-__prefix__-rules: the prefix the row
  // templates were rendered with.
  function genericPrefix(prefix) {
    return prefix.replace(/(?<=-)\d+(?=-|$)/g, "__prefix__");
  }

  function totalInput(formset) {
    return formset.querySelector(
      ':scope > input[name="' + formset.dataset.prefix + '-TOTAL_FORMS"]');
  }

  function rowsOf(formset) {
    return formset.querySelector(":scope > .formset-rows");
  }

  function visibleRows(formset) {
    return Array.from(rowsOf(formset).children).filter((row) => !row.hidden);
  }

  function say(formset, message) {
    formset.querySelector(":scope > .formset-limit").textContent = message;
  }

  // A new row may be added while fewer than max are shown, and while the
  // indexes used so far (deleted rows included) stay under the server's cap.
  function roomFor(formset) {
    const max = Number(formset.dataset.max);
    if (visibleRows(formset).length >= max) {
      say(formset, form.dataset.textLimit.replace("{max}", max));
      return false;
    }
    if (Number(totalInput(formset).value) >= Number(formset.dataset.absoluteMax)) {
      say(formset, form.dataset.textTooManyRows);
      return false;
    }
    say(formset, "");
    return true;
  }

  function nextIndex(formset) {
    const total = totalInput(formset);
    const index = Number(total.value);
    total.value = index + 1;
    return index;
  }

  function focusFirstField(row) {
    const field = row.querySelector("input:not([type=hidden]):not([hidden]), select, textarea");
    if (field) field.focus();
  }

  function addRow(formset) {
    if (!roomFor(formset)) return;
    const template = document.getElementById(formset.dataset.template);
    const prefix = formset.dataset.prefix;
    const index = nextIndex(formset);
    const html = template.innerHTML.replaceAll(
      genericPrefix(prefix) + "-__prefix__", prefix + "-" + index);
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    const row = holder.content.firstElementChild;
    rowsOf(formset).appendChild(row);
    refresh(row);
    rowsChanged(formset);
    announce(row, "formset:added", formset);
    changed(row, "added");
    focusFirstField(row);
  }

  function changed(target, change) {
    target.dispatchEvent(new CustomEvent("builder:changed", {
      bubbles: true, detail: { change: change },
    }));
  }

  function announce(row, name, formset) {
    row.dispatchEvent(new CustomEvent(name, {
      bubbles: true,
      detail: { formsetName: formset.dataset.prefix, prefix: row.dataset.rowPrefix },
    }));
  }

  // The attributes that name a row's controls and point at them; a value
  // (what was typed) is never touched, even if it reads like a prefix.
  function carriesPrefix(name) {
    return name === "name" || name === "id" || name === "for" || name.startsWith("aria-") ||
      name === "data-row-prefix" || name === "data-prefix";
  }

  // Those attributes move to the new index; the children keep theirs, so the
  // copied nested formsets (data-prefix and their counters) stay consistent.
  function renamePrefix(root, from, to) {
    const elements = [root, ...root.querySelectorAll("*")];
    for (const element of elements) {
      for (const attribute of Array.from(element.attributes)) {
        if (carriesPrefix(attribute.name) && attribute.value.includes(from)) {
          element.setAttribute(attribute.name, attribute.value.split(from).join(to));
        }
      }
    }
  }

  function duplicateRow(row) {
    const formset = row.closest(".formset");
    if (!roomFor(formset)) return;
    const prefix = formset.dataset.prefix;
    // cloneNode copies typed input values and ticks, but not a <select>'s
    // pick nor a <textarea>'s text (HTML spec): copyPicks carries those over.
    const copy = row.cloneNode(true);
    copyPicks(row, copy);
    const newPrefix = prefix + "-" + nextIndex(formset);
    renamePrefix(copy, row.dataset.rowPrefix + "-", newPrefix + "-");
    copy.dataset.rowPrefix = newPrefix;
    copy.querySelectorAll(".is-invalid").forEach((el) => {
      el.classList.remove("is-invalid");
      el.removeAttribute("aria-invalid");
    });
    copy.querySelectorAll(".invalid-feedback, .alert").forEach((el) => el.remove());
    // At the end, like an added row: rows are sent in index order, so a copy
    // placed next to its original would move on the next page load.
    rowsOf(formset).appendChild(copy);
    rowsChanged(formset);
    announce(copy, "formset:added", formset);
    changed(copy, "duplicated");
    focusFirstField(copy);
  }

  // The copy has the same elements in the same order as the original.
  function copyPicks(original, copy) {
    const from = original.querySelectorAll("select, textarea");
    copy.querySelectorAll("select, textarea").forEach((field, i) => {
      if (field.tagName === "SELECT") {
        Array.from(field.options).forEach((option, j) => {
          option.selected = from[i].options[j].selected;
        });
      } else {
        field.value = from[i].value;
      }
    });
  }

  function removeRow(row) {
    const formset = row.closest(".formset");
    const box = deleteBoxOf(row);
    if (box) box.checked = true;
    row.hidden = true;
    say(formset, "");
    rowsChanged(formset);
    announce(row, "formset:removed", formset);
    changed(row, "removed");
    formset.querySelector(':scope > [data-action="add"]').focus();
  }

  // The row's own DELETE box, not one of its nested rows'.
  function deleteBoxOf(row) {
    const name = row.dataset.rowPrefix + "-DELETE";
    return row.querySelector('input[name="' + name + '"]');
  }

  // Show the fields of the picked rule kind, in this row only: its panel if
  // the rule had it already, else a new one from that kind's <template>.
  function showRuleKind(select) {
    const own = select.closest(".rule-own");
    let shown = false;
    for (const panel of own.querySelectorAll(":scope > [data-kind]")) {
      const picked = panel.dataset.kind === select.value;
      usePanel(panel, picked);
      shown = shown || picked;
    }
    if (shown) return;
    const panel = panelOfKind(own.parentElement, select.value);
    if (panel) own.appendChild(panel);
  }

  // A panel left is kept, hidden, its controls disabled so they are not posted.
  function usePanel(panel, used) {
    panel.hidden = !used;
    panel.querySelectorAll("input, select, textarea").forEach((control) => {
      control.disabled = !used;
    });
  }

  // The kind's panel for this rule: its template (one per depth, named after
  // the rule's own row template) with the rule's prefix filled in. A group
  // has none.
  function panelOfKind(rule, kind) {
    const formset = rule.closest(".formset");
    const template = document.getElementById(formset.dataset.template + "-" + kind);
    if (!template) return null;
    const prefix = rule.dataset.rowPrefix;
    const holder = document.createElement("template");
    holder.innerHTML = template.innerHTML.replaceAll(genericPrefix(prefix), prefix).trim();
    return holder.content.firstElementChild;
  }

  function kindChanged(select) {
    const rule = select.closest(".formset-row");
    showRuleKind(select);
    numberRows(rule);
    rule.dispatchEvent(new CustomEvent("rule:kind-changed", {
      bubbles: true,
      detail: { formsetName: rule.closest(".formset").dataset.prefix,
                prefix: rule.dataset.rowPrefix, kind: select.value },
    }));
    changed(rule, "rule-kind");
  }

  function showSegmentKind() {
    const checked = form.querySelector('input[name="kind"]:checked');
    const isStatic = checked && checked.value === "static";
    document.getElementById("rules-section").hidden = isStatic;
  }

  // A rule's AND/OR for its sub-rules shows only while it has sub-rules.
  function showSubruleCondition(rule) {
    const subrules = rule.querySelector(":scope > .subrules");
    if (!subrules) return;
    const formset = subrules.querySelector(":scope > .formset");
    subrules.querySelector(":scope > .subrule-condition").hidden =
      visibleRows(formset).length === 0;
  }

  function refresh(root) {
    root.querySelectorAll(".rule-kind select").forEach(showRuleKind);
    root.querySelectorAll(".rule").forEach(showSubruleCondition);
  }

  // After rows change, the rule that owns the formset may need its AND/OR,
  // and the rows shown their numbers.
  function rowsChanged(formset) {
    const owner = formset.closest(".formset-row");
    if (owner && owner.classList.contains("rule")) showSubruleCondition(owner);
    numberRows(formset);
  }

  // Each shown row's number, in its title: "Rule 2". The title also names
  // the row and its buttons for screen readers ("Remove Rule 2"), so the
  // number is text, not a CSS counter, which accessible names leave out.
  const NUMBER = ":scope > legend .row-number, :scope > .rule-own > div > .rule-title .row-number," +
    " :scope > .param-title .row-number";
  function numberRows(root) {
    for (const rows of root.querySelectorAll(".formset-rows")) {
      let number = 0;
      for (const row of rows.children) {
        if (row.hidden) continue;
        number += 1;
        const place = row.querySelector(NUMBER);
        if (place) place.textContent = number;
      }
    }
  }

  // Leaving the page (a link, the language switch, closing the tab) while it
  // holds a segment not yet sent asks first, so a slip loses nothing. The
  // page says so when it comes back filled (a preview, an error, an import);
  // the builder's own buttons post everything, so they do not ask. The state
  // is the form's data-unsent attribute, which import_box.js reads too.
  function markUnsent() {
    form.toggleAttribute("data-unsent", true);
  }
  form.addEventListener("input", markUnsent);
  form.addEventListener("submit", function () { form.removeAttribute("data-unsent"); });
  window.addEventListener("beforeunload", function (event) {
    // data-replacing: the person asked for the page to be replaced (an
    // import, static/js/import_box.js).
    if (!form.hasAttribute("data-unsent") || form.dataset.replacing) return;
    event.preventDefault();
    event.returnValue = "";  // what older browsers look for
  });

  form.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-action]");
    if (!button || !form.contains(button)) return;
    markUnsent();
    const action = button.dataset.action;
    if (action === "add") {
      addRow(button.closest(".formset"));
    } else if (action === "duplicate") {
      duplicateRow(button.closest(".formset-row"));
    } else if (action === "remove") {
      removeRow(button.closest(".formset-row"));
    }
  });

  form.addEventListener("change", function (event) {
    if (event.target.matches(".rule-kind select")) kindChanged(event.target);
    if (event.target.name === "kind") {
      showSegmentKind();
      changed(event.target, "segment-kind");
    }
  });

  // Undo and redo (undo.js) put back rows as they were, with their values:
  // show the fields and numbers they call for.
  form.addEventListener("builder:restored", function () {
    markUnsent();
    showSegmentKind();
    refresh(form);
    numberRows(form);
  });

  showSegmentKind();
  refresh(form);
  numberRows(form);
  // What the person must read first: the problems, the question whether to
  // send a segment again, the paste that could not be read (its autofocus
  // alone is not enough: Chromium skips autofocus at times), or, after a
  // full-page Preview, the preview, scrolled into view (on a narrow screen it
  // sits below the form). One place decides, so no script's order matters.
  const panel = document.getElementById("preview-panel");
  const first = document.getElementById("error-summary") ||
    document.getElementById("repeat-question") ||
    (document.getElementById("import-error") && document.getElementById("import-payload"));
  if (first) {
    first.focus();
  } else if (panel && panel.hasAttribute("data-previewed")) {
    panel.focus({ preventScroll: true });
    panel.scrollIntoView({ block: "start" });
  }
  // The page's readiness signal: every listener above is in place (tests
  // wait for it instead of sleeping; undo.js takes its first state then).
  form.dataset.ready = "true";
  form.dispatchEvent(new CustomEvent("builder:wired"));
})();
