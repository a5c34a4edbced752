// The page and start-up script of the API reference at /docs. The script is a
// served file, not inline, so the page's Content-Security-Policy needs no
// 'unsafe-inline' for scripts.

/** The one page: Swagger UI's stylesheet and bundle, then our start-up script. */
export const REFERENCE_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>PartnerOS API reference</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
    <link rel="stylesheet" href="/docs/assets/reference.css">
    <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/docs/assets/reference.js"></script>
  </body>
</html>
`;

/**
 * Loads the document this daemon serves and shows it. Its `servers` entry names
 * the default address; the reference replaces it with the page's own origin, so
 * "Try it out" calls the daemon the page came from, whatever address that is.
 * The token typed into "Authorize" lives in the page only (persistAuthorization
 * off), and nothing is sent to a validator or any other host.
 */
export const REFERENCE_SCRIPT = `"use strict";
fetch("/openapi.json", { headers: { accept: "application/json" } })
  .then((response) => response.json())
  .then((spec) => {
    spec.servers = [{ url: window.location.origin, description: "This daemon" }];
    window.ui = SwaggerUIBundle({
      spec,
      dom_id: "#swagger-ui",
      layout: "BaseLayout",
      presets: [SwaggerUIBundle.presets.apis],
      deepLinking: true,
      showExtensions: true,
      displayOperationId: true,
      persistAuthorization: false,
      validatorUrl: null,
    });
  });
`;

/** Swagger UI's page styles, which its stylesheet leaves to the host page. */
export const REFERENCE_STYLES = `html { box-sizing: border-box; overflow-y: scroll; }
*, *::before, *::after { box-sizing: inherit; }
body { margin: 0; background: #fafafa; }
`;
