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
 * Also the focus after a full-page Preview: the preview panel, scrolled into
 * view (on a narrow screen it sits below the form). builder.js, which runs
 * after this file, moves it to the error summary when there is one.
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

  if (panel.hasAttribute("data-previewed")) {
    panel.focus({ preventScroll: true });
    panel.scrollIntoView({ block: "start" });
  }
  panel.dataset.ready = "true";
})();
