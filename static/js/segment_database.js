/*
 * One database for the segment, whichever its kind: a static segment's is the
 * segment's own field (list_id), the other kinds' are their selections'. When
 * the kind switches, the database picked so far goes along: to static, the
 * first selection's fills the segment's field if that is empty; from static,
 * the segment's fills the first selection's if that is empty.
 *
 * The ids are set on the posted inputs, and "change" dispatched on them so the
 * comboboxes show the new value (combobox.js). No inline handlers (strict CSP).
 */
(function () {
  "use strict";

  const form = document.getElementById("builder");
  if (!form) return;

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

  function carry(from, to) {
    if (!from || !to || to.readOnly || to.value.trim() || !from.value.trim()) return;
    to.value = from.value.trim();
    to.dispatchEvent(new Event("change", { bubbles: true }));
  }

  form.addEventListener("change", function (event) {
    if (event.target.name !== "kind" || !event.target.checked) return;
    if (event.target.value === "static") carry(firstSelectionDatabase(), segmentDatabase());
    else carry(segmentDatabase(), firstSelectionDatabase());
  });
})();
