#include "imports/import_routes.hpp"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/metrics.hpp"

#include "api/access.hpp"
#include "api/csv.hpp"
#include "api/json.hpp"
#include "api/query.hpp"
#include "core/temp_files.hpp"
#include "imports/csv_reader.hpp"
#include "imports/exporter.hpp"
#include "imports/xlsx_reader.hpp"

namespace rapport::imports {

std::string ReportJson(const ImportReport& report) {
  api::JsonWriter w;
  WriteReportJson(w, report);
  return w.Take();
}

Result<bool> ParseFlag(std::string_view key, std::string_view value) {
  if (value == "true" || value == "1") return true;
  if (value == "false" || value == "0") return false;
  return Error::InvalidField(std::string(key), "must be true or false");
}

void WriteReportJson(api::JsonWriter& w, const ImportReport& report) {
  w.StartObject();
  w.Key("id").String(std::to_string(report.import_id));
  w.Key("status").String(report.status);
  w.Key("dry_run").Bool(report.dry_run);
  w.Key("written").Bool(report.written);
  w.Key("rows_read").Int(report.rows_read);
  w.Key("created").Int(report.created);
  w.Key("updated").Int(report.updated);
  w.Key("unchanged").Int(report.unchanged);
  w.Key("rejected").Int(report.rejected);
  w.Key("problem");
  if (report.problem.empty()) {
    w.Null();
  } else {
    w.String(report.problem);
  }
  w.Key("columns").StartObject();
  for (const auto& [field, column] : report.columns) w.Key(field).String(column);
  w.EndObject();
  w.Key("ignored_columns").StartArray();
  for (const auto& c : report.ignored_columns) w.String(c);
  w.EndArray();
  w.Key("rejections").StartArray();
  for (std::size_t i = 0; i < report.rejections.size() && i < 1000; ++i) {
    const Rejection& r = report.rejections[i];
    w.StartObject();
    w.Key("line").Int(r.line);
    w.Key("column").String(r.column);
    w.Key("problem").String(r.problem);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace rapport::imports

namespace rapport::imports {

struct ImportJobs::Impl {
  struct Job {
    std::string key;
    ImportJobs::Work work;
  };
  db::Database& database;
  mutable std::mutex mutex;
  std::condition_variable wake;
  std::deque<Job> queue;
  std::unordered_map<std::string, Progress> progress;
  std::atomic<bool> stopping{false};
  std::thread worker;

  explicit Impl(db::Database& db) : database(db) {
    worker = std::thread([this] { Run(); });
  }

  void Queue(std::string key, std::uint64_t total, ImportJobs::Work work) {
    {
      std::lock_guard lock(mutex);
      progress[key] = Progress{.total = total};
      queue.push_back({std::move(key), std::move(work)});
    }
    wake.notify_one();
  }

  void Run() {
    while (true) {
      Job job;
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [&] { return stopping || !queue.empty(); });
        if (stopping) return;
        job = std::move(queue.front());
        queue.pop_front();
        progress[job.key].started = true;
      }
      const Report report = [this, key = job.key](const std::string& stage, std::int64_t rows,
                                                  std::uint64_t bytes, std::uint64_t total) {
        std::lock_guard lock(mutex);
        auto& p = progress[key];
        p.stage = stage;
        p.rows = rows;
        p.bytes = bytes;
        if (total) p.total = total;
      };
      job.work(report, [this] { return stopping.load(); });
      std::lock_guard lock(mutex);
      progress.erase(job.key);
    }
  }
};

namespace {

std::string KeyOf(std::int64_t import_id) { return "imports/" + std::to_string(import_id); }

}  // namespace

ImportJobs::ImportJobs(db::Database& database) : impl_(std::make_unique<Impl>(database)) {}

ImportJobs::~ImportJobs() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->worker.join();
}

void ImportJobs::Submit(std::int64_t id, ImportOptions options, std::string file) {
  const std::uint64_t total = file.size();
  db::Database& database = impl_->database;
  impl_->Queue(KeyOf(id), total,
               [&database, id, options = std::move(options), file = std::move(file)](
                   const Report& report, const std::function<bool()>& stopping) mutable {
                 options.progress = [&report](std::int64_t rows, std::uint64_t bytes) {
                   report("", rows, bytes, 0);
                 };
                 options.cancelled = stopping;
                 if (options.format == "xlsx") {
                   auto opened = OpenXlsx(std::move(file));
                   if (opened.ok()) {
                     RunImport(database, id, **opened, options);
                   } else {
                     FailImport(database, id, options, opened.error().message());
                   }
                 } else {
                   CsvReader source(MemorySource(file));
                   RunImport(database, id, source, options);
                 }
               });
}

void ImportJobs::SubmitWork(std::string key, Work work) {
  impl_->Queue(std::move(key), 0, std::move(work));
}

std::optional<ImportJobs::Progress> ImportJobs::ProgressOf(std::int64_t id) const {
  return ProgressOf(KeyOf(id));
}

std::optional<ImportJobs::Progress> ImportJobs::ProgressOf(const std::string& key) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->progress.find(key);
  if (it == impl_->progress.end()) return std::nullopt;
  return it->second;
}

namespace {

constexpr const char* kColumns =
    "id, record_type, file_name, format, dry_run, all_or_nothing, status, rows_read, "
    "created_count, updated_count, unchanged_count, rejected_count, problem, started_by, "
    "started_at, finished_at";

// One imports row as JSON; with `rejections` (its stored error file) the first 100 of them.
void WriteImport(api::JsonWriter& w, const db::Row& r, const ImportJobs& jobs,
                 const std::optional<std::string>& rejections) {
  const std::int64_t id = r.Int("id");
  w.StartObject();
  w.Key("id").String(api::FormatId(id));
  w.Key("type").String(r.Text("record_type") == "sales_lines" ? "sales-lines"
                                                              : r.Text("record_type"));
  w.Key("file_name").String(r.Text("file_name"));
  w.Key("format").String(r.Text("format"));
  w.Key("dry_run").Bool(r.Bool("dry_run"));
  w.Key("all_or_nothing").Bool(r.Bool("all_or_nothing"));
  w.Key("status").String(r.Text("status"));
  // The job forgets its progress just after it writes how the import ended: in between, the
  // stored status is the truth.
  const auto live = r.Text("status") == "running" ? jobs.ProgressOf(id) : std::nullopt;
  w.Key("rows_read").Int(live ? live->rows : r.Int("rows_read"));
  w.Key("created").Int(r.Int("created_count"));
  w.Key("updated").Int(r.Int("updated_count"));
  w.Key("unchanged").Int(r.Int("unchanged_count"));
  w.Key("rejected").Int(r.Int("rejected_count"));
  w.Key("problem").OptString(r.OptText("problem"));
  w.Key("started_by").OptId(r.OptInt("started_by"));
  w.Key("started_at").OptInstant(r.OptInt("started_at"));
  w.Key("finished_at").OptInstant(r.OptInt("finished_at"));
  w.Key("progress");
  if (live) {
    w.StartObject();
    w.Key("queued").Bool(!live->started);
    w.Key("bytes_read").Int(static_cast<std::int64_t>(live->bytes));
    w.Key("bytes_total").Int(static_cast<std::int64_t>(live->total));
    w.Key("percent").Int(live->total ? static_cast<std::int64_t>(live->bytes * 100 / live->total)
                                     : 0);
    w.EndObject();
  } else {
    w.Null();
  }
  if (rejections) {
    w.Key("rejections").StartArray();
    CsvReader reader(MemorySource(*rejections));
    std::vector<std::string> fields;
    int shown = 0;
    bool header = true;
    while (shown < 100) {
      auto more = reader.Next(fields);
      if (!more.ok() || !*more) break;
      if (header || fields.size() != 3) {
        header = false;
        continue;
      }
      w.StartObject();
      w.Key("line").Int(std::atoll(fields[0].c_str()));
      w.Key("column").String(fields[1]);
      w.Key("problem").String(fields[2]);
      w.EndObject();
      ++shown;
    }
    w.EndArray();
  }
  w.EndObject();
}

Result<api::Response> StartImport(api::ApiContext& ctx, ImportJobs& jobs, const api::Request& r,
                                  const api::Caller& c) {
  ImportOptions options;
  std::optional<RecordType> type;
  options.file_name = "upload.csv";
  for (const auto& [key, value] : r.query) {
    if (key == "type") {
      type = ParseRecordType(value);
      if (!type) {
        return Error::InvalidField(key, std::string("must be ") + kRecordTypeNames);
      }
    } else if (key == "dry_run") {
      RAPPORT_ASSIGN_OR_RETURN(options.dry_run, ParseFlag(key, value));
    } else if (key == "mode") {
      if (value != "all_or_nothing" && value != "partial") {
        return Error::InvalidField(key, "must be all_or_nothing or partial");
      }
      options.all_or_nothing = value == "all_or_nothing";
    } else if (key == "file_name") {
      if (value.empty() || value.size() > 200) {
        return Error::InvalidField(key, "must be 1 to 200 characters");
      }
      options.file_name = value;
    } else if (key == "from") {
      const auto source = ParseSource(value);
      if (!source) return Error::InvalidField(key, std::string("must be ") + kSourceNames);
      options.source = *source;
    } else if (key == "map") {
      const auto eq = value.rfind('=');
      if (eq == std::string::npos) {
        return Error::InvalidField(key, "must be 'File column=field'");
      }
      options.mapping.emplace_back(value.substr(0, eq), value.substr(eq + 1));
    } else {
      return api::UnknownParameter(key);
    }
  }
  if (!type) return Error::InvalidField("type", "is required");
  if (r.body.empty()) return Error::InvalidField("file", "the body holds no file");
  options.type = *type;
  options.format = LooksLikeZip(r.body) ? "xlsx" : "csv";
  options.actor = {c.user_id, ctx.clock.Now()};
  options.clock = &ctx.clock;
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, BeginImport(ctx.database, options));
  jobs.Submit(id, options, r.body);
  api::JsonWriter w;
  Status s = ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows rows,
        tx.Query(std::string("SELECT ") + kColumns + " FROM imports WHERE id = ?", {id}));
    WriteImport(w, rows.at(0), jobs, std::nullopt);
    return Ok();
  });
  RAPPORT_RETURN_IF_ERROR(s);
  return api::Response::Json(w.Take(), 202)
      .WithHeader("Location", "/api/v1/imports/" + api::FormatId(id));
}

Result<api::Response> ListImports(api::ApiContext& ctx, ImportJobs& jobs, const api::Request& r,
                                  const api::Caller&) {
  int limit = 50;
  std::int64_t offset = 0;
  RAPPORT_RETURN_IF_ERROR(api::Query(r).Limit(limit, 500).OffsetCursor(offset).Finish());
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(db::Rows rows,
                             tx.Query(std::string("SELECT ") + kColumns +
                                          " FROM imports ORDER BY id DESC LIMIT ? OFFSET ?",
                                      {std::int64_t{limit + 1}, offset}));
    w.StartObject();
    api::WriteOffsetPage(w, rows, limit, offset,
                         [&](const db::Row& row) { WriteImport(w, row, jobs, std::nullopt); });
    w.EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

Result<api::Response> GetImport(api::ApiContext& ctx, ImportJobs& jobs, const api::Request& r,
                                const api::Caller&) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  if (!r.query.empty()) return api::UnknownParameter(r.query.front().first);
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(std::string("SELECT ") + kColumns +
                                                         ", rejections FROM imports WHERE id = ?",
                                                     {id}));
    if (rows.empty()) return Error(ErrorCode::kNotFound, "no import " + std::to_string(id));
    WriteImport(w, rows[0], jobs, rows[0].OptText("rejections").value_or(""));
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

Result<api::Response> GetImportErrors(api::ApiContext& ctx, const api::Request& r,
                                      const api::Caller&) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  if (!r.query.empty()) return api::UnknownParameter(r.query.front().first);
  std::string csv;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(std::optional<db::Row> row,
                             tx.QueryOne("SELECT rejections FROM imports WHERE id = ?", {id}));
    if (!row) return Error(ErrorCode::kNotFound, "no import " + std::to_string(id));
    csv = row->OptText(0).value_or(RejectionsCsv({}));
    return Ok();
  }));
  return api::Response::Download(std::move(csv), "text/csv; charset=utf-8",
                                 "import-" + std::to_string(id) + "-errors.csv");
}

Result<api::Response> ExportRecords(api::ApiContext& ctx, const api::Request& r,
                                    const api::Caller& c) {
  const auto type = ParseRecordType(r.PathParam("type"));
  if (!type) {
    return Error::InvalidField("type", std::string("must be ") + kRecordTypeNames);
  }
  std::string format = "csv";
  RAPPORT_RETURN_IF_ERROR(api::Query(r).OneOf("format", format, {"csv", "xlsx"}).Finish());
  auto cursor = std::make_shared<ExportCursor>(
      ctx.database, *type, ExportReach(*type, api::AccountReachCondition(c, "a")));
  const std::string name = SpecOf(*type).name;
  if (format == "csv") {
    // Read and sent a page at a time.
    auto header_sent = std::make_shared<bool>(false);
    return api::Response::StreamedDownload(
        [cursor, header_sent](std::string& out) -> Result<bool> {
          api::CsvWriter csv;
          if (!*header_sent) {
            *header_sent = true;
            for (const std::string& h : cursor->Header()) csv.Cell(h);
            csv.EndRow();
          }
          RAPPORT_ASSIGN_OR_RETURN(auto page, cursor->Next());
          for (const auto& row : page) {
            for (const std::string& cell : row) csv.Cell(cell);
            csv.EndRow();
          }
          out = csv.Take();
          return !page.empty();
        },
        "text/csv; charset=utf-8", name + ".csv");
  }
  // XLSX: written whole to a temporary file (in constant memory), then sent from it.
  struct TempFile {
    std::string path;
    std::ifstream in;
    ~TempFile() { unlink(path.c_str()); }
  };
  auto file = std::make_shared<TempFile>();
  std::string pattern = TempPattern("export");
  char* path = pattern.data();
  const int fd = mkstemp(path);
  if (fd < 0) return Error(ErrorCode::kInternal, "could not make a temporary file");
  close(fd);
  file->path = path;
  RAPPORT_RETURN_IF_ERROR(ExportXlsx(*cursor, file->path));
  file->in.open(file->path, std::ios::binary);
  return api::Response::StreamedDownload(
      [file](std::string& out) -> Result<bool> {
        out.resize(1 << 20);
        file->in.read(out.data(), static_cast<std::streamsize>(out.size()));
        out.resize(static_cast<std::size_t>(file->in.gcount()));
        if (file->in.bad()) return Error(ErrorCode::kInternal, "reading the export");
        return !out.empty();
      },
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name + ".xlsx");
}

}  // namespace

void RegisterImportRoutes(api::Router& router, api::ApiContext& ctx, ImportJobs& jobs,
                          const ImportSettings& settings) {
  constexpr const char* kImportSchema =
      R"({"type":"object","properties":{"id":{"type":"string"},"type":{"type":"string"},"file_name":{"type":"string"},"status":{"type":"string","enum":["running","succeeded","rejected","failed"]},"rows_read":{"type":"integer"},"created":{"type":"integer"},"updated":{"type":"integer"},"unchanged":{"type":"integer"},"rejected":{"type":"integer"},"problem":{"type":["string","null"]},"progress":{"type":["object","null"]},"rejections":{"type":"array","items":{"type":"object","properties":{"line":{"type":"integer"},"column":{"type":"string"},"problem":{"type":"string"}}}}}})";
  api::Route upload{
      "POST",
      "/api/v1/imports",
      api::Access::kAdmins,
      api::Reach::None("an admin tool"),
      [&ctx, &jobs](const api::Request& r, const api::Caller& c) {
        return StartImport(ctx, jobs, r, c);
      },
      {"Import a CSV or XLSX file of accounts, contacts, opportunities, activities or sales lines "
       "(admins). The import runs as a job: follow it at the Location returned",
       "Imports",
       {{"type", "string", kRecordTypeNames},
        {"dry_run", "boolean", "check and count, write nothing"},
        {"mode", "string", "all_or_nothing (default) or partial (write the good rows)"},
        {"file_name", "string", "the file's name, for the record"},
        {"map", "string", "'File column=field' (repeatable); 'File column=' ignores a column"},
        {"from", "string", "whose export the file is: rapport (default), salesforce or hubspot"}},
       "",
       kImportSchema,
       202}};
  upload.body_type = "text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  upload.body_limit = settings.max_file_bytes;
  router.Add(std::move(upload));

  router.Add(
      {"GET",
       "/api/v1/imports",
       api::Access::kAdmins,
       api::Reach::None("an admin tool"),
       [&ctx, &jobs](const api::Request& r, const api::Caller& c) {
         return ListImports(ctx, jobs, r, c);
       },
       {"The imports, newest first (admins)",
        "Imports",
        {{"limit", "integer", "1..500, default 50"}, {"cursor", "string", "next_cursor"}},
        "",
        R"({"type":"object","properties":{"items":{"type":"array"},"next_cursor":{"type":["string","null"]}}})"}});

  router.Add(
      {"GET",
       "/api/v1/imports/{id}",
       api::Access::kAdmins,
       api::Reach::None("an admin tool"),
       [&ctx, &jobs](const api::Request& r, const api::Caller& c) {
         return GetImport(ctx, jobs, r, c);
       },
       {"One import: its progress while it runs, then its counts and the first 100 rejected rows "
        "(admins)",
        "Imports",
        {},
        "",
        kImportSchema}});

  router.Add(
      {"GET",
       "/api/v1/imports/{id}/errors",
       api::Access::kAdmins,
       api::Reach::None("an admin tool"),
       [&ctx](const api::Request& r, const api::Caller& c) { return GetImportErrors(ctx, r, c); },
       {"The error file of an import: every rejected row's line, column and problem (CSV; "
        "admins)",
        "Imports",
        {},
        "",
        ""}});

  router.Add(
      {"GET",
       "/api/v1/exports/{type}",
       api::Access::kSignedIn,
       api::Reach::Filtered(),
       [&ctx](const api::Request& r, const api::Caller& c) { return ExportRecords(ctx, r, c); },
       {"Export the records of a type in reach as CSV (streamed) or XLSX, in the columns the "
        "import reads, so an edited export imports back as updates",
        "Imports",
        {{"format", "string", "csv (default) or xlsx"}},
        "",
        ""}});
}

Status WriteImportMetrics(db::Transaction& tx, std::string& out) {
  RAPPORT_ASSIGN_OR_RETURN(db::Rows rows,
                           tx.Query("SELECT status, count(*) AS n, sum(rows_read) AS rows_read "
                                    "FROM imports GROUP BY status"));
  std::map<std::string, std::int64_t> by_status = {
      {"running", 0}, {"succeeded", 0}, {"rejected", 0}, {"failed", 0}};
  std::int64_t running_rows = 0;
  for (const db::Row& row : rows) {
    by_status[row.Text("status")] = row.Int("n");
    if (row.Text("status") == "running" && !row.IsNull("rows_read")) {
      running_rows = row.Int("rows_read");
    }
  }
  metrics::WriteHeader(out, "rapport_imports", "gauge", "Imports by status");
  for (const auto& [status, n] : by_status) {
    metrics::WriteSample(out, "rapport_imports", metrics::Label("status", status),
                         static_cast<double>(n));
  }
  metrics::WriteHeader(out, "rapport_import_rows_read_running", "gauge",
                       "Rows read so far by the imports running now");
  metrics::WriteSample(out, "rapport_import_rows_read_running", "",
                       static_cast<double>(running_rows));
  return Ok();
}

}  // namespace rapport::imports
