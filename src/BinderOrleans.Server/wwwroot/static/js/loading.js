// Loading page /v2/<provider>/<spec>: starts the launch at once and follows it.
(function () {
  "use strict";
  const B = window.Binder;
  const view = new B.BuildView(document.getElementById("build"));
  const launchPath = B.launchPathFromSearch(new URLSearchParams(window.location.search));
  const spinner = document.getElementById("spinner");
  const title = document.getElementById("build-heading");

  B.launch({
    provider: B.config.provider,
    spec: B.config.spec,
    buildToken: B.config.buildToken,
    launchPath,
    view,
    onEnd: (event) => {
      spinner.classList.add("stopped", event.phase === "ready" ? "ready" : "failed");
      title.textContent = event.phase === "ready" ? "Server ready" : "Launch failed";
    },
  });
})();
