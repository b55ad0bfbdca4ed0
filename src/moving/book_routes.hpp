// The book import over HTTP, for Admin: an export's zip uploaded, run as a job beside the
// uploaded imports (imports::ImportJobs), followed by its progress (the file at hand and its rows)
// and its report once it ends, kept in import_books.
//
//   POST /api/v1/import-books?from=salesforce|hubspot[&dry_run][&create_users][&keep_columns]
//        [&file_name]   the body: the zip. 202 with a Location.
//   GET  /api/v1/import-books                 newest first
//   GET  /api/v1/import-books/{id}            its status, progress, and report
//
// All for admins (Access::kAdmins, Reach::None).
#pragma once

#include "api/router.hpp"
#include "core/clock.hpp"
#include "db/database.hpp"
#include "imports/import_routes.hpp"

namespace rapport::moving {

void RegisterBookRoutes(api::Router& router, api::ApiContext& ctx, imports::ImportJobs& jobs,
                        const imports::ImportSettings& settings);

// Book imports left running by a process that stopped say so: failed, nothing written.
Result<int> SettleInterruptedBooks(db::Database& database, Instant now);

}  // namespace rapport::moving
