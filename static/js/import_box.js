/*
 * The import box in the page: Import checks the paste first, posting it with
 * the header "X-Builder-Part: import". A paste that cannot be read gets the
 * box back with its error, the paste still in it and focused, and nothing
 * else on the page changes (what was typed in the builder stays). A paste
 * that can be read answers 204 and the box is posted for real: the builder is
 * replaced, as the person asked, without the "Leave site?" question that
 * builder.js asks for other ways of leaving (it skips it while
 * data-replacing is set on the builder form).
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
