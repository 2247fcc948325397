/*
 * The import box in the page: Import checks the paste first, posting it with
 * the header "X-Builder-Part: import". A paste that cannot be read gets the
 * box back with its error, the paste still in it and focused, and nothing
 * else on the page changes (what was typed in the builder stays). A paste
 * that can be read answers 204; when the builder holds work not yet sent
 * (its data-unsent attribute, kept by builder.js), the page's own dialog asks
 * "Replace the current segment?" first, and keeping it changes nothing. Then
 * the box is posted for real: the builder is replaced, as the person asked,
 * without the browser's "Leave site?" question that builder.js asks for other
 * ways of leaving (it skips it while data-replacing is set on the form).
 * Without this script the box posts the page, as before.
 */
(function () {
  "use strict";

  const builder = document.getElementById("builder");

  function importForm() {
    return document.getElementById("import-form");
  }

  function showError(html) {
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    const box = holder.content.firstElementChild;
    const old = importForm().closest("section");
    old.replaceWith(box);
    markReady();
    const paste = document.getElementById("import-payload");
    paste.focus();
  }

  // The dialog (a <form method="dialog"> inside <dialog>) closes itself on
  // either button, or on Escape; its returnValue says which.
  function askToReplace(replace) {
    const dialog = document.getElementById("import-replace");
    if (!builder || !builder.hasAttribute("data-unsent") || !dialog) {
      replace();
      return;
    }
    dialog.returnValue = "";
    dialog.addEventListener("close", function () {
      if (dialog.returnValue === "replace") replace();
    }, { once: true });
    dialog.showModal();
  }

  function replaceWith(form) {
    form.dataset.checked = "true";
    if (builder) builder.dataset.replacing = "true";
    // submit() does not fire "submit" again, and posts no button: the
    // action goes in a field of its own.
    const action = document.createElement("input");
    action.type = "hidden";
    action.name = "action";
    action.value = "import";
    form.appendChild(action);
    form.submit();
  }

  function markReady() {
    importForm().dataset.ready = "true";
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.id !== "import-form" || form.dataset.checked) return;
    event.preventDefault();
    const data = new FormData(form);
    data.set("action", "import");
    // getAttribute: form.action is the buttons named "action".
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      headers: { "X-Builder-Part": "import" },
      credentials: "same-origin",
    }).then(function (response) {
      if (response.status === 204) {
        askToReplace(function () { replaceWith(form); });
      } else if (response.ok) {
        return response.text().then(showError);
      } else {
        // Anything else (a lost session, a server error): post it as without
        // this script, so the person sees what the server says.
        form.dataset.checked = "true";
        form.requestSubmit(form.querySelector('button[type="submit"]'));
      }
    }).catch(function () {
      form.dataset.checked = "true";
      form.requestSubmit(form.querySelector('button[type="submit"]'));
    });
  });

  if (importForm()) markReady();
})();
