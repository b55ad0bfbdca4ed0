// The API's records as the server describes them: generated/openapi.ts is made by the build from
// `rapport openapi` (the document GET /api/v1/openapi.json serves), so a field the server renames,
// retypes or drops fails the web app's build instead of showing blank on a page.
import type { paths } from "./generated/openapi";

type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : never;

// What a successful GET of `path` answers with.
export type Answer<P extends keyof paths> = paths[P] extends { get: { responses: { 200: infer R } } } ? JsonOf<R> : never;

export type Account = Answer<"/api/v1/accounts/{id}">;
export type Contact = Answer<"/api/v1/contacts/{id}">;
export type Opportunity = Answer<"/api/v1/opportunities/{id}">;
export type Activity = Answer<"/api/v1/activities/{id}">;
export type Case = Answer<"/api/v1/cases/{id}">;
export type ExchangeRate = Answer<"/api/v1/exchange-rates/{id}">;
export type CompanySettings = Answer<"/api/v1/company-settings">;
export type Attachment = Answer<"/api/v1/attachments/{id}">;
export type WebhookEndpoint = Answer<"/api/v1/webhooks/{id}">;
export type WebhookDelivery = Answer<"/api/v1/webhook-deliveries/{id}">;
