/* Autosave of an application step.
 *
 * A form with data-autosave-url is posted (FormData, CSRF token included, files
 * left out) a few seconds after the last change. The server saves the valid
 * fields and answers JSON: the time ("Saved at 14:32", read out by the
 * aria-live status), the errors of the fields it could not save, and the ids of
 * the team members it created (written back so that they are not created twice).
 */
(function () {
  "use strict";

  var DELAY = 3000;

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  document.querySelectorAll("form[data-autosave-url]").forEach(function (form) {
    var url = form.getAttribute("data-autosave-url");
    var status = form.querySelector(".autosave-status");
    var timer = null;
    var dirty = false;
    var inFlight = false;
    var submitting = false;

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function payload() {
      var data = new FormData(form);
      form.querySelectorAll("input[type=file]").forEach(function (input) {
        data.delete(input.name);
      });
      return data;
    }

    function csrfToken() {
      var input = form.querySelector("input[name=csrfmiddlewaretoken]");
      return input ? input.value : "";
    }

    function isGroup(field) {
      return (field.type === "radio" || field.type === "checkbox") && field.closest("fieldset");
    }

    function inputsOf(field) {
      if (!isGroup(field)) {
        return [field];
      }
      return Array.prototype.slice.call(
        form.querySelectorAll("[name='" + field.name.replace(/'/g, "") + "']")
      );
    }

    function clearErrors() {
      form.querySelectorAll(".autosave-error").forEach(function (node) {
        var field = document.getElementById(node.getAttribute("data-for"));
        if (field) {
          inputsOf(field).forEach(function (input) { input.classList.remove("is-invalid"); });
          field.removeAttribute("aria-invalid");
          var described = (field.getAttribute("aria-describedby") || "")
            .split(" ")
            .filter(function (id) { return id && id !== node.id; });
          if (described.length) {
            field.setAttribute("aria-describedby", described.join(" "));
          } else {
            field.removeAttribute("aria-describedby");
          }
        }
        node.remove();
      });
    }

    function showErrors(errors) {
      clearErrors();
      var count = 0;
      Object.keys(errors || {}).forEach(function (name) {
        var field = form.querySelector("[name='" + name.replace(/'/g, "") + "']");
        count += 1;
        if (!field || !field.id) {
          return;
        }
        var node = document.createElement("div");
        node.className = "invalid-feedback d-block autosave-error";
        node.id = field.id + "_autosave_error";
        node.setAttribute("data-for", field.id);
        node.textContent = errors[name].join(" ");
        // A group of radio buttons or checkboxes: the message closes the group, as the
        // server writes it, and every option is marked (not the first one alone).
        var group = isGroup(field) ? field.closest("fieldset") : null;
        var anchor = group || field.closest(".form-check, .mb-3") || field;
        anchor.appendChild(node);
        inputsOf(field).forEach(function (input) { input.classList.add("is-invalid"); });
        field.setAttribute("aria-invalid", "true");
        var described = field.getAttribute("aria-describedby");
        field.setAttribute("aria-describedby", (described ? described + " " : "") + node.id);
      });
      return count;
    }

    // Errors the server rendered with the page: gone once the field saves fine.
    function clearStaleErrors(errors) {
      form.querySelectorAll(".invalid-feedback:not(.autosave-error)").forEach(function (node) {
        var fieldId = (node.id || "").replace(/_error$/, "");
        var field = document.getElementById(fieldId) ||
          form.querySelector("[id^='" + fieldId.replace(/'/g, "") + "_']");
        if (!field || (errors && errors[field.name])) {
          return;
        }
        form.querySelectorAll("[name='" + field.name.replace(/'/g, "") + "']").forEach(function (input) {
          input.classList.remove("is-invalid");
          input.removeAttribute("aria-invalid");
        });
        node.remove();
      });
      if (summary && !form.querySelector(".is-invalid")) {
        summary.hidden = true;
      }
    }

    function writeIds(ids) {
      Object.keys(ids || {}).forEach(function (name) {
        var input = form.querySelector("input[name='" + name.replace(/'/g, "") + "']");
        if (input && !input.value) {
          input.value = ids[name];
        }
      });
    }

    function save() {
      timer = null;
      if (!dirty || submitting) {
        return;
      }
      if (inFlight) {
        schedule();
        return;
      }
      dirty = false;
      inFlight = true;
      say(form.getAttribute("data-saving-text") || "…");
      fetch(url, {
        method: "POST",
        body: payload(),
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
      })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (type.indexOf("application/json") === -1) {
            throw new Error("not json");
          }
          return response.json().then(function (body) {
            return { status: response.status, body: body };
          });
        })
        .then(function (result) {
          var body = result.body;
          if (result.status === 409 && body.redirect) {
            window.location.assign(body.redirect);
            return;
          }
          writeIds(body.ids);
          var count = showErrors(body.errors);
          clearStaleErrors(body.errors);
          var text = body.message || "";
          if (count) {
            text += " " + (form.getAttribute("data-error-text") || "").replace("%(count)s", count);
          }
          say(text.trim());
        })
        .catch(function () {
          dirty = true;
          say(form.getAttribute("data-offline-text") || "");
        })
        .then(function () {
          inFlight = false;
        });
    }

    function schedule() {
      if (timer) {
        window.clearTimeout(timer);
      }
      timer = window.setTimeout(save, DELAY);
    }

    function changed(event) {
      if (event.target && event.target.type === "file") {
        return;
      }
      dirty = true;
      schedule();
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () {
      submitting = true;
      if (timer) {
        window.clearTimeout(timer);
      }
    });
    // Leaving the page with unsaved changes: send them one last time.
    window.addEventListener("pagehide", function () {
      if (dirty && !submitting && navigator.sendBeacon) {
        var data = payload();
        navigator.sendBeacon(url, data);
        dirty = false;
      }
    });
  });
})();
