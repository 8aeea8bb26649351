// callr-mock API reference: Swagger UI on the spec the sandbox serves, with each
// operation's x-provenance (confirmed or inferred, and the note saying what was guessed)
// put in its summary and description. No network access beyond the sandbox itself.
(function () {
  "use strict";
  var METHODS = ["get", "put", "post", "delete", "patch", "options", "head", "trace"];

  function label(op) {
    var provenance = op["x-provenance"] || "unknown";
    op.summary = "[" + provenance + "] " + (op.summary || op.operationId || "");
    var note = op["x-provenance-note"] ? " " + op["x-provenance-note"] : "";
    op.description = "**Provenance: " + provenance + ".**" + note + "\n\n" + (op.description || "");
    return provenance;
  }

  function annotate(spec) {
    var counts = {};
    [spec.paths || {}, spec.webhooks || {}].forEach(function (items) {
      Object.keys(items).forEach(function (path) {
        METHODS.forEach(function (method) {
          var op = items[path][method];
          if (op) {
            var provenance = label(op);
            counts[provenance] = (counts[provenance] || 0) + 1;
          }
        });
      });
    });
    return counts;
  }

  function summarize(counts) {
    var box = document.getElementById("provenance-summary");
    var parts = Object.keys(counts).sort().map(function (name) {
      return counts[name] + " " + name;
    });
    box.textContent = "Operations and webhooks by provenance: " + parts.join(", ") + ".";
    box.setAttribute("data-counts", JSON.stringify(counts));
  }

  function decorate() {
    // Badges on the collapsed operation rows, from the "[provenance]" summary prefix.
    document.querySelectorAll(".opblock-summary-description").forEach(function (node) {
      var match = /^\[(confirmed|inferred|unknown)\] /.exec(node.textContent);
      if (!match || node.querySelector(".provenance-badge")) return;
      var badge = document.createElement("span");
      badge.className = "provenance-badge provenance-" + match[1];
      badge.textContent = match[1];
      node.textContent = node.textContent.slice(match[0].length);
      node.insertBefore(badge, node.firstChild);
      node.closest(".opblock").setAttribute("data-provenance", match[1]);
    });
  }

  fetch("openapi.json")
    .then(function (response) {
      if (!response.ok) throw new Error("openapi.json: HTTP " + response.status);
      return response.json();
    })
    .then(function (spec) {
      summarize(annotate(spec));
      window.ui = SwaggerUIBundle({
        spec: spec,
        dom_id: "#swagger-ui",
        deepLinking: true,
        showExtensions: true,
        validatorUrl: null,
        docExpansion: "list",
        defaultModelsExpandDepth: 0,
        onComplete: function () {
          decorate();
          new MutationObserver(decorate).observe(document.getElementById("swagger-ui"), {
            childList: true,
            subtree: true,
          });
          document.body.setAttribute("data-ready", "true");
        },
      });
    })
    .catch(function (error) {
      document.getElementById("provenance-summary").textContent = "Could not load the spec: " + error;
      document.body.setAttribute("data-ready", "error");
    });
})();
