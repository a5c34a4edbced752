// Prints the role and permission table in Markdown, from the one role table in
// core/permissions.ts. The README and docs/security-model.md carry its output;
// test/docs.test.ts fails when they drift.
import { permissionTable } from "../core/permission-table.ts";

process.stdout.write(`${permissionTable()}\n`);
