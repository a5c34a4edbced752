// Writes cli/api/schema.gen.ts, the types of the CLI's typed client and the permission
// of every operation, from the routes in this checkout (`npm run client:generate`).
import { writeFileSync } from "node:fs";
import { clientSource, currentDocument, GENERATED_CLIENT_PATH } from "./client-source.ts";

const source = await clientSource(await currentDocument());
writeFileSync(new URL(`../${GENERATED_CLIENT_PATH}`, import.meta.url), source);
process.stdout.write(`wrote ${GENERATED_CLIENT_PATH}\n`);
