import type { Permission } from "../../core/permissions.ts";
import { auditList } from "./audit/list.ts";
import { auditVerify } from "./audit/verify.ts";
import { brandingSet } from "./branding/set.ts";
import { brandingShow } from "./branding/show.ts";
import { credentialDelete } from "./credential/delete.ts";
import { credentialList } from "./credential/list.ts";
import { credentialSet } from "./credential/set.ts";
import { credentialShow } from "./credential/show.ts";
import { credentialTest } from "./credential/test.ts";
import { customerList } from "./customer/list.ts";
import { customerShow } from "./customer/show.ts";
import { daemonStart } from "./daemon/start.ts";
import { daemonStatus } from "./daemon/status.ts";
import { daemonStop } from "./daemon/stop.ts";
import { dealList } from "./deal/list.ts";
import { dealShow } from "./deal/show.ts";
import type { CliCommand } from "./define.ts";
import { domainAdd } from "./domain/add.ts";
import { domainList } from "./domain/list.ts";
import { domainRemove } from "./domain/remove.ts";
import { domainShow } from "./domain/show.ts";
import { domainVerify } from "./domain/verify.ts";
import { eventList } from "./event/list.ts";
import { eventPush } from "./event/push.ts";
import { eventShow } from "./event/show.ts";
import { importCommand } from "./import/command.ts";
import { init } from "./init.ts";
import { keysCreate } from "./keys/create.ts";
import { keysList } from "./keys/list.ts";
import { keysRevoke } from "./keys/revoke.ts";
import { keysRotate } from "./keys/rotate.ts";
import { login } from "./login.ts";
import { logout } from "./logout.ts";
import { masterKeyRetire } from "./master-key/retire.ts";
import { masterKeyRotate } from "./master-key/rotate.ts";
import { masterKeyStatus } from "./master-key/status.ts";
import { openapi } from "./openapi.ts";
import { productAdd } from "./product/add.ts";
import { productList } from "./product/list.ts";
import { queryDeals } from "./query/deals.ts";
import { tenantCreate } from "./tenant/create.ts";
import { tenantList } from "./tenant/list.ts";
import { tenantResume } from "./tenant/resume.ts";
import { tenantShow } from "./tenant/show.ts";
import { tenantSuspend } from "./tenant/suspend.ts";
import { userAccept } from "./user/accept.ts";
import { userInvite } from "./user/invite.ts";
import { userList } from "./user/list.ts";
import { userRemove } from "./user/remove.ts";
import { userSetRole } from "./user/set-role.ts";
import { webhookAdd } from "./webhook/add.ts";
import { webhookDeliveries, webhookDelivery } from "./webhook/deliveries.ts";
import { webhookList } from "./webhook/list.ts";
import { webhookRemove } from "./webhook/remove.ts";
import { webhookReplay } from "./webhook/replay.ts";
import { webhookRotateSecret } from "./webhook/rotate-secret.ts";
import { webhookShow } from "./webhook/show.ts";
import { webhookTest } from "./webhook/test.ts";
import { webhookUpdate } from "./webhook/update.ts";
import { whoami } from "./whoami.ts";

/** Every command, in the order help lists them. */
export const COMMANDS: readonly CliCommand[] = [
  init,
  login,
  logout,
  whoami,
  daemonStart,
  daemonStop,
  daemonStatus,
  tenantCreate,
  tenantList,
  tenantShow,
  tenantSuspend,
  tenantResume,
  userInvite,
  userAccept,
  userList,
  userSetRole,
  userRemove,
  keysCreate,
  keysList,
  keysRevoke,
  keysRotate,
  productList,
  productAdd,
  customerList,
  customerShow,
  dealList,
  dealShow,
  eventPush,
  eventList,
  eventShow,
  queryDeals,
  importCommand,
  auditList,
  auditVerify,
  masterKeyStatus,
  masterKeyRotate,
  masterKeyRetire,
  credentialSet,
  credentialList,
  credentialShow,
  credentialDelete,
  credentialTest,
  domainAdd,
  domainList,
  domainShow,
  domainVerify,
  domainRemove,
  brandingShow,
  brandingSet,
  webhookAdd,
  webhookList,
  webhookShow,
  webhookUpdate,
  webhookRemove,
  webhookRotateSecret,
  webhookTest,
  webhookDeliveries,
  webhookDelivery,
  webhookReplay,
  openapi,
];

export const COMMAND_GROUPS: Readonly<Record<string, string>> = {
  daemon: "Run the daemon on this machine",
  tenant: "Manage partner orgs",
  user: "Manage the users of an org",
  keys: "Manage machine keys",
  product: "Read and extend the product catalogue",
  customer: "Read the customers of a partner org",
  deal: "Read the deals of a partner org",
  event: "Push partner events (clicks, leads, signups, sales, refunds) and read them back",
  query: "Audited queries across partners",
  audit: "Read and verify the audit log",
  "master-key": "Inspect, rotate and retire the master keys that encrypt stored secrets",
  credential: "Store partner credentials, encrypted at rest and masked on every read",
  domain: "Claim and verify the custom domains of partner portals",
  branding: "Set the public branding partners' verified domains serve",
  webhook: "Register signed webhook endpoints and rotate their secrets",
};

export interface CommandEndpoint {
  command: string;
  method: string;
  path: string;
  /** The route's `x-permission`, from the generated client; null for public routes. */
  permission: Permission | null;
}

/** Which daemon operation each command calls, for comparison with the daemon's OpenAPI. */
export const COMMAND_ENDPOINTS: readonly CommandEndpoint[] = COMMANDS.flatMap((command) => {
  if (command.operation === undefined) return [];
  const [method = "", path = ""] = command.operation.split(" ");
  return [{ command: command.name, method, path, permission: command.permission ?? null }];
});
