// POST /api/v1/imports (upload a file; the import runs as a job), GET /api/v1/imports[/{id}]
// (progress, counts, rejected rows), GET /api/v1/imports/{id}/errors (the error file) and
// GET /api/v1/exports/{type} (a record type as CSV or XLSX).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/resource.hpp"
#include "api/router.hpp"
#include "core/clock.hpp"
#include "db/database.hpp"
#include "imports/importer.hpp"

namespace rapport::imports {

// The report as the API and `rapport import --json` write it.
std::string ReportJson(const ImportReport& report);
// The same, as a value within a larger document.
void WriteReportJson(api::JsonWriter& w, const ImportReport& report);
// A query parameter's true/false ("true", "1", "false", "0"), or an error naming `key`.
Result<bool> ParseFlag(std::string_view key, std::string_view value);

}  // namespace rapport::imports

namespace rapport::imports {

// Runs uploaded imports one at a time on a thread of its own, and knows how far the running one
// has got; other long work (a whole export's import, moving/) runs on the same thread, in turn.
// Destroying it stops a running import (which then writes nothing) and waits.
// Thread-safe: Submit, SubmitWork and ProgressOf are called from every server thread.
class ImportJobs {
 public:
  explicit ImportJobs(db::Database& database);
  ~ImportJobs();
  ImportJobs(const ImportJobs&) = delete;
  ImportJobs& operator=(const ImportJobs&) = delete;

  // Queues the import `id` (made by BeginImport) of `file` (CSV or XLSX bytes).
  void Submit(std::int64_t id, ImportOptions options, std::string file);

  struct Progress {
    bool started = false;
    std::string stage;  // what it is at (a file's name), when it says
    std::int64_t rows = 0;
    std::uint64_t bytes = 0, total = 0;
  };
  // How work tells its progress, and asks whether to stop (the server is stopping).
  using Report = std::function<void(const std::string& stage, std::int64_t rows,
                                    std::uint64_t bytes, std::uint64_t total)>;
  using Work = std::function<void(const Report& report, const std::function<bool()>& stopping)>;
  // Queues `work`, known by `key` ("books/3") to ProgressOf.
  void SubmitWork(std::string key, Work work);

  // Live progress of a queued or running import of this server; nullopt otherwise.
  std::optional<Progress> ProgressOf(std::int64_t id) const;
  // The same for work by its key.
  std::optional<Progress> ProgressOf(const std::string& key) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct ImportSettings {
  std::size_t max_file_bytes = std::size_t{1} << 30;  // the largest upload
};

// Imports for /metrics: by status, and the rows read so far by those running, in Prometheus'
// text format.
Status WriteImportMetrics(db::Transaction& tx, std::string& out);

void RegisterImportRoutes(api::Router& router, api::ApiContext& ctx, ImportJobs& jobs,
                          const ImportSettings& settings);

}  // namespace rapport::imports
