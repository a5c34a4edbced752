import type { components, operations } from "./schema.gen.ts";

/**
 * Wire shapes of the daemon's answers and bodies, as the CLI reads and sends
 * them, all taken from the generated OpenAPI types: a field the daemon renames
 * or drops breaks the CLI's type check, not a user's command.
 */
type Schemas = components["schemas"];

type Json<R> = R extends { content: { "application/json": infer B } } ? B : undefined;
type Success<R> = R extends { 200: infer S } ? S : R extends { 201: infer S } ? S : never;

/** The JSON body of an operation's success answer (200, else 201). */
export type Answer<Op extends keyof operations> = Json<Success<operations[Op]["responses"]>>;

/** The JSON body an operation takes. */
export type Body<Op extends keyof operations> =
  NonNullable<operations[Op]["requestBody"]> extends { content: { "application/json": infer B } }
    ? B
    : never;

/** The query an operation takes, without the org scope the operations layer adds. */
export type Query<Op extends keyof operations> = Omit<
  NonNullable<operations[Op]["parameters"]["query"]>,
  "org"
>;

export type AuditRecord = Schemas["AuditRecord"];
export type Branding = Schemas["Branding"];
export type Credential = Schemas["Credential"];
export type CredentialTest = Schemas["CredentialTest"];
export type Customer = Schemas["Customer"];
export type Deal = Schemas["Deal"];
export type DealStage = Schemas["DealStage"];
export type Domain = Schemas["Domain"];
export type Key = Schemas["MachineKey"];
export type MasterKeyRotation = Schemas["MasterKeyRotation"];
export type MasterKeyStatus = Schemas["MasterKeyStatus"];
export type Me = Schemas["Me"];
export type ActorView = Schemas["Actor"];
export type Product = Schemas["Product"];
export type Tenant = Schemas["Tenant"];
export type User = Schemas["User"];

export type Status = Answer<"health">;
export type LoginResult = Answer<"login">;
export type AcceptResult = Answer<"acceptInvitation">;
export type Invited = Answer<"inviteUser">;
export type CreatedKey = Answer<"createKey">;
export type RotatedKey = Answer<"rotateKey">;
export type AuditPage = Answer<"listAudit">;
export type AuditVerdict = Answer<"verifyAudit">;
export type UpsertResult = Answer<"upsertCustomers">;
export type UpsertOutcome = UpsertResult["results"][number]["outcome"];
export type CrossPartnerResult = Answer<"queryCrossPartnerDeals">;
export type CrossPartnerRow = CrossPartnerResult["rows"][number];
export type Event = Schemas["Event"];
export type EventIngestReport = Schemas["EventIngestReport"];
export type EventIngestResult = Schemas["EventIngestResult"];

export type ProductInput = Body<"createProduct">;
export type ProductPatch = Body<"updateProduct">;
export type CustomerInput = Body<"createCustomer">;
export type DealInput = Body<"createDeal">;
export type CrossPartnerQuery = Body<"queryCrossPartnerDeals">;
export type GroupBy = CrossPartnerQuery["groupBy"];
export type SetCredentialBody = Body<"setCredential">;
export type BrandingBody = Body<"putBranding">;
export type CreateKeyBody = Body<"createKey">;
export type RotateKeyBody = Body<"rotateKey">;
export type WebhookEndpoint = Schemas["WebhookEndpoint"];
export type WebhookSecretIssued = Schemas["WebhookSecretIssued"];
export type CreateWebhookBody = Body<"createWebhook">;
export type UpdateWebhookBody = Body<"updateWebhook">;
export type RotateWebhookSecretBody = Body<"rotateWebhookSecret">;
export type WebhookDelivery = Schemas["WebhookDelivery"];
export type WebhookAttempt = Schemas["WebhookAttempt"];
export type WebhookDeliveryDetail = Answer<"getWebhookDelivery">;
export type WebhookTestResult = Answer<"testWebhook">;

export interface Listing<T> {
  data: T[];
}

/** One page of a cursor-paged listing; `nextCursor` is null on the last page. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
