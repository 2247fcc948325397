/*
 * One database for the segment, whichever its kind. A static segment's is the
 * segment's own field (list_id); a dynamic segment's are its selections', so
 * for it the segment's own field shows only while it holds a value (a pasted
 * payload may carry one, API.md); an updatable segment, like the docs'
 * example, has both. When the kind switches, the database picked so far goes
 * along, into whichever field is empty:
 * - to static: the first selection's fills the segment's;
 * - to updatable: that, and the segment's fills the first selection's;
 * - to dynamic: the segment's moves to the first selection's (cleared once
 *   the two hold the same), so nothing hidden is sent.
 *
 * The ids are set on the posted inputs, and "change" dispatched on them so the
 * comboboxes show the new value (combobox.js). No inline handlers (strict CSP).
 */
(function () {
  "use strict";

  const form = document.getElementById("builder");
  const holder = document.getElementById("segment-database");
  if (!form || !holder) return;

  function segmentDatabase() {
    return form.querySelector('input[name="list_id"]');
  }

  function firstSelectionDatabase() {
    for (const row of form.querySelectorAll("#rules-section .formset-row.selection")) {
      if (!row.hidden) return row.querySelector('input[name="' + row.dataset.rowPrefix +
                                                '-list_id"]');
    }
    return null;
  }

  function kind() {
    const checked = form.querySelector('input[name="kind"]:checked');
    return checked ? checked.value : "";
  }

  function set(input, value) {
    input.value = value;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function carry(from, to) {
    if (!from || !to || to.readOnly || to.value.trim() || !from.value.trim()) return;
    set(to, from.value.trim());
  }

  function moveToSelection(segment, selection) {
    carry(segment, selection);
    if (selection && !segment.readOnly && segment.value.trim() === selection.value.trim()) {
      set(segment, "");
    }
  }

  function showSegmentDatabase() {
    holder.hidden = kind() === "dynamic" && !segmentDatabase().value.trim();
  }

  form.addEventListener("change", function (event) {
    if (event.target.name !== "kind" || !event.target.checked) return;
    const segment = segmentDatabase();
    const selection = firstSelectionDatabase();
    if (event.target.value === "dynamic") {
      moveToSelection(segment, selection);
    } else {
      carry(selection, segment);
      if (event.target.value === "updatable") carry(segment, selection);
    }
    showSegmentDatabase();
  });
  // Undo and redo (undo.js) put values back: the field follows them.
  form.addEventListener("builder:restored", showSegmentDatabase);
})();
