import * as api from "../api/operations.ts";
import { text } from "../output/view.ts";
import { baseUrl, optionalString } from "../parse.ts";
import { defineCommand } from "./define.ts";
import { URL_OPTION } from "./options.ts";

export const openapi = defineCommand({
  name: "openapi",
  summary: "Print the daemon's OpenAPI document",
  options: [URL_OPTION],
  operation: "GET /openapi.json",

  parse: (raw) => {
    const url = optionalString(raw, "url");
    return { url: url === undefined ? undefined : baseUrl(url) };
  },

  run: (input, context) => api.openapi(context.publicHttp(input.url)),

  view: (document) => [text(JSON.stringify(document, null, 2))],
});
