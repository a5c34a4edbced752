import { PERMISSIONS, ROLE_PERMISSIONS, ROLES } from "./permissions.ts";

/** The role table as Markdown: one row per permission, one column per role. */
export function permissionTable(): string {
  const header = `| permission | ${ROLES.join(" | ")} |`;
  const rule = `| --- |${ROLES.map(() => " :-: |").join("")}`;
  const rows = PERMISSIONS.map((permission) => {
    const marks = ROLES.map((role) => (ROLE_PERMISSIONS[role].includes(permission) ? "✓" : " "));
    return `| ${permission} | ${marks.join(" | ")} |`;
  });
  return [header, rule, ...rows].join("\n");
}
