// Webhooks over HTTP, for admins: the endpoints (an HTTPS address, the events it hears, its
// secret, shown once), the event catalogue, each endpoint's delivery log with every attempt, and
// a replay of any delivery.
#pragma once

#include "api/resource.hpp"
#include "api/router.hpp"

namespace rapport::webhooks {

void RegisterWebhookRoutes(api::Router& router, api::ApiContext& ctx);

// Drops deliveries made or given up more than `days` ago, and events left with none; the line
// for the jobs list. For the scheduled job "webhook-log-retention".
Result<std::string> PruneDeliveryLog(db::Transaction& tx, Instant now, int days = 30);

}  // namespace rapport::webhooks
