import type { User } from "../../api/types.ts";
import { fields, table, type View } from "../../output/view.ts";

export function userView(user: User): View {
  return [
    fields([
      ["id", user.id],
      ["org", user.orgId],
      ["email", user.email],
      ["name", user.name],
      ["role", user.role],
      ["status", user.status],
      ["created", user.createdAt],
    ]),
  ];
}

export function usersView(users: readonly User[]): View {
  const rows = users.map((u) => [u.id, u.email, u.name, u.role, u.status, u.createdAt]);
  return [table(["id", "email", "name", "role", "status", "created"], rows)];
}
