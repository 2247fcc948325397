/*
 * The live preview: as the builder form changes, it is posted (debounced) to
 * the builder's own URL with action=preview and the header
 * "X-Builder-Part: preview", which runs the same forms and codec as the
 * Preview button and answers with the preview panel's body and the error
 * summary only (templates/segments/_preview_part.html); they are swapped in.
 *
 * Never stale: from the first change until the answer to the latest one is
 * shown, the panel is marked busy and says it is updating, and an answer to
 * an older state of the form is dropped. Without this script the Preview
 * button posts the page, as before.
 *
 * The answer also marks the invalid fields as the full page would (red
 * outline, aria-invalid, the error line under the field, referenced from
 * aria-describedby) and unmarks the fixed ones; the rows are not written
 * again: the person is typing in them, their focus, caret and values stay.
 */
(function () {
  "use strict";

  const form = document.getElementById("builder");
  const panel = document.getElementById("preview-panel");
  if (!form || !panel) return;
  const body = document.getElementById("preview-body");
  const status = document.getElementById("preview-status");
  const problemsSlot = document.getElementById("builder-problems");
  // Long enough to let a word be typed, short enough to feel immediate.
  const DELAY = 300;
  let timer = null;
  let wanted = 0;  // the form's state asked for last
  let request = null;

  function markStale() {
    panel.dataset.stale = "true";
    panel.setAttribute("aria-busy", "true");
    status.textContent = panel.dataset.textUpdating;
  }

  function markFresh() {
    delete panel.dataset.stale;
    panel.removeAttribute("aria-busy");
    status.textContent = "";
  }

  function changed() {
    wanted += 1;
    markStale();
    clearTimeout(timer);
    timer = setTimeout(update, DELAY);
  }

  function update() {
    timer = null;
    const asked = wanted;
    const data = new URLSearchParams(new FormData(form));
    data.set("action", "preview");
    if (request) request.abort();
    request = new AbortController();
    // getAttribute: form.action is the buttons named "action".
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      headers: { "X-Builder-Part": "preview" },
      credentials: "same-origin",
      signal: request.signal,
    }).then(function (response) {
      // 400: the post was over the row budgets; the answer says by how much.
      if (!response.ok && response.status !== 400) throw new Error(String(response.status));
      return response.text();
    }).then(function (html) {
      if (asked !== wanted) return;  // the form changed again meanwhile
      show(html);
    }).catch(function (error) {
      if (error.name === "AbortError" || asked !== wanted) return;
      status.textContent = panel.dataset.textFailed;
    });
  }

  // --- the marks of the invalid fields ---------------------------------------------

  // A field's controls: the one with its id (a combobox took the id of the
  // hidden input it posts), or the radios of a choice (crispy gives them ids
  // of their own: id_kind_0...).
  function controlsOf(mark) {
    const control = document.getElementById(mark.dataset.control);
    if (control) return [control];
    return Array.from(form.querySelectorAll(
      'input[type="radio"][name="' + CSS.escape(mark.dataset.field) + '"]'));
  }

  // What carries aria-describedby: a radio's fieldset (as crispy writes it),
  // else the control.
  function describedOf(control) {
    return (control.type === "radio" && control.closest("fieldset")) || control;
  }

  function describedBy(element) {
    return (element.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
  }

  function setDescribedBy(element, ids) {
    if (ids.length) element.setAttribute("aria-describedby", ids.join(" "));
    else element.removeAttribute("aria-describedby");
  }

  // The error lines an element refers to.
  function feedbackOf(element) {
    return describedBy(element).map((id) => document.getElementById(id))
      .filter((line) => line && line.classList.contains("invalid-feedback"));
  }

  function setInvalid(control, invalid) {
    control.classList.toggle("is-invalid", invalid);
    if (invalid) control.setAttribute("aria-invalid", "true");
    else control.removeAttribute("aria-invalid");
    // combobox.js marks its box too, so that the line under it shows.
    const box = control.parentElement.classList.contains("combobox") && control.parentElement;
    if (box) box.classList.toggle("is-invalid", invalid);
  }

  function unmark(control) {
    const described = describedOf(control);
    const gone = feedbackOf(described);
    for (const line of gone) line.remove();
    const goneIds = gone.map((line) => line.id);
    setDescribedBy(described, describedBy(described).filter((id) => !goneIds.includes(id)));
    setInvalid(control, false);
  }

  // Where the full page writes a control's error line: before its help text,
  // else last in its box (a radio's: the last choice's).
  function placeLine(control, line) {
    const box = (control.closest(".combobox") || control).parentElement;
    const help = document.getElementById(control.id + "_helptext");
    if (help && help.parentElement === box && control.type !== "radio") help.before(line);
    else box.append(line);
  }

  function mark(controls, line) {
    const described = describedOf(controls[0]);
    // A field's error line has one id, whatever its message: the page's own
    // line is replaced, unless it says the same already.
    const old = document.getElementById(line.id);
    if (!old) placeLine(controls[controls.length - 1], line);
    else if (!old.isEqualNode(line)) old.replaceWith(line);
    // The help first, the error line last, as the full page has them.
    const ids = describedBy(described).filter((id) => id !== line.id);
    ids.push(line.id);
    setDescribedBy(described, ids);
    for (const control of controls) setInvalid(control, true);
  }

  function showMarks(part) {
    const marked = new Set();
    for (const entry of part.content.querySelectorAll("[data-field]")) {
      const controls = controlsOf(entry);
      const line = entry.firstElementChild;
      if (!controls.length || !line) continue;
      mark(controls, document.importNode(line, true));
      controls.forEach((control) => marked.add(control));
    }
    for (const control of form.querySelectorAll(".is-invalid")) {
      // Not the hidden input a combobox posts: it keeps the classes it came with.
      const shown = /^(INPUT|SELECT|TEXTAREA)$/.test(control.tagName) && control.type !== "hidden";
      if (shown && !marked.has(control)) {
        unmark(control);
      }
    }
  }

  function activeTab() {
    const tab = body.querySelector('[role="tab"][aria-selected="true"]');
    return tab ? tab.id : null;
  }

  function show(html) {
    const holder = document.createElement("template");
    holder.innerHTML = html;
    const tab = activeTab();
    const preview = holder.content.querySelector('[data-part="preview"]');
    const problems = holder.content.querySelector('[data-part="problems"]');
    body.replaceChildren(...preview.childNodes);
    // The summary at the top is only replaced when it shows already: one that
    // came with a page load must not go stale, and typing must not make the
    // form jump down (the panel lists the problems, with links, meanwhile).
    if (problemsSlot && problemsSlot.children.length) {
      problemsSlot.replaceChildren(...problems.childNodes);
    }
    // The tab the person had picked stays picked.
    const again = tab && document.getElementById(tab);
    if (again && window.bootstrap && again.getAttribute("aria-selected") !== "true") {
      window.bootstrap.Tab.getOrCreateInstance(again).show();
    }
    const marks = holder.content.querySelector('[data-part="field-errors"]');
    if (marks) showMarks(marks);
    markFresh();
    panel.dispatchEvent(new CustomEvent("preview:updated", { bubbles: true }));
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  for (const name of ["formset:added", "formset:removed", "rule:kind-changed", "builder:restored"]) {
    form.addEventListener(name, changed);
  }
  // The page is posted: nothing more to fetch.
  form.addEventListener("submit", function () {
    clearTimeout(timer);
    if (request) request.abort();
  });

  panel.dataset.ready = "true";
})();
