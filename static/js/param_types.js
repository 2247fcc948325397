/*
 * A custom rule's parameters: the value's type follows what is typed (a whole
 * number makes it Number, anything else Text) until the person picks the type
 * themselves; from then on the type stays as they set it (data-explicit on
 * the type's <select>, copied with a duplicated row). The server checks the
 * value against the rule's data type (forms.ParamForm).
 * No inline handlers (strict CSP).
 */
(function () {
  "use strict";

  const form = document.getElementById("builder");
  if (!form) return;
  // As the server reads a Number: no sign but minus, no leading zeros (a
  // "007" typed is meant as text, and would not come back as it was typed).
  const WHOLE_NUMBER = /^-?(0|[1-9]\d*)$/;

  function typeSelectOf(valueInput) {
    const row = valueInput.closest(".formset-row.param");
    if (!row) return null;
    return row.querySelector('select[name="' + row.dataset.rowPrefix + '-value_type"]');
  }

  form.addEventListener("input", function (event) {
    const input = event.target;
    if (!input.name || !input.name.endsWith("-value")) return;
    const select = typeSelectOf(input);
    if (!select || select.hasAttribute("data-explicit")) return;
    const wanted = WHOLE_NUMBER.test(input.value.trim()) ? "number" : "text";
    if (select.value !== wanted) select.value = wanted;
  });

  form.addEventListener("change", function (event) {
    const select = event.target;
    if (select.name && select.name.endsWith("-value_type")) {
      select.setAttribute("data-explicit", "");
    }
  });
})();
