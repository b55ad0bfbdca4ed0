#include "moving/book_routes.hpp"

#include "api/access.hpp"
#include "api/json.hpp"
#include "api/query.hpp"
#include "imports/importer.hpp"
#include "imports/xlsx_reader.hpp"
#include "moving/book.hpp"

namespace rapport::moving {
namespace {

constexpr const char* kColumns =
    "id, source, file_name, dry_run, status, problem, started_by, started_at, finished_at, report";

std::string KeyOf(std::int64_t id) { return "books/" + std::to_string(id); }

// One import_books row as JSON: while it runs, how far it has got; once it ends, its report.
void WriteBook(api::JsonWriter& w, const db::Row& r, const imports::ImportJobs& jobs,
               bool with_report) {
  const std::int64_t id = r.Int("id");
  w.StartObject();
  w.Key("id").String(api::FormatId(id));
  w.Key("from").String(r.Text("source"));
  w.Key("file_name").String(r.Text("file_name"));
  w.Key("dry_run").Bool(r.Bool("dry_run"));
  const std::string status = r.Text("status");
  w.Key("status").String(status);
  w.Key("problem").OptString(r.OptText("problem"));
  w.Key("started_by").OptId(r.OptInt("started_by"));
  w.Key("started_at").OptInstant(r.OptInt("started_at"));
  w.Key("finished_at").OptInstant(r.OptInt("finished_at"));
  const auto live = status == "running" ? jobs.ProgressOf(KeyOf(id)) : std::nullopt;
  w.Key("progress");
  if (live) {
    w.StartObject();
    w.Key("queued").Bool(!live->started);
    w.Key("file").String(live->stage);
    w.Key("rows").Int(live->rows);
    w.Key("percent").Int(live->total ? static_cast<std::int64_t>(live->bytes * 100 / live->total)
                                     : 0);
    w.EndObject();
  } else {
    w.Null();
  }
  if (with_report) {
    w.Key("report");
    if (r.IsNull("report")) {
      w.Null();
    } else {
      w.Raw(r.Text("report"));
    }
  }
  w.EndObject();
}

Result<api::Response> StartBook(api::ApiContext& ctx, imports::ImportJobs& jobs,
                                const api::Request& r, const api::Caller& c) {
  BookOptions options;
  std::optional<imports::Source> source;
  std::string file_name = "export.zip";
  for (const auto& [key, value] : r.query) {
    if (key == "from") {
      source = imports::ParseSource(value);
      if (!source || *source == imports::Source::kRapport) {
        return Error::InvalidField(key, "must be salesforce or hubspot");
      }
    } else if (key == "dry_run") {
      RAPPORT_ASSIGN_OR_RETURN(options.dry_run, imports::ParseFlag(key, value));
    } else if (key == "create_users") {
      RAPPORT_ASSIGN_OR_RETURN(options.create_users, imports::ParseFlag(key, value));
    } else if (key == "keep_columns") {
      RAPPORT_ASSIGN_OR_RETURN(options.keep_columns, imports::ParseFlag(key, value));
    } else if (key == "file_name") {
      if (value.empty() || value.size() > 200) {
        return Error::InvalidField(key, "must be 1 to 200 characters");
      }
      file_name = value;
    } else {
      return api::UnknownParameter(key);
    }
  }
  if (!source) return Error::InvalidField("from", "is required: salesforce or hubspot");
  if (r.body.empty()) return Error::InvalidField("file", "the body holds no file");
  if (!imports::LooksLikeZip(r.body)) {
    return Error::InvalidField("file",
                               "is not a zip file (the export as Salesforce or HubSpot "
                               "deliver it)");
  }
  options.source = *source;
  options.actor = {c.user_id, ctx.clock.Now()};
  options.clock = &ctx.clock;
  std::int64_t id = 0;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        id, tx.QueryInt(
                "INSERT INTO import_books (source, file_name, dry_run, status, "
                "started_by, started_at) VALUES (?, ?, ?, 'running', ?, ?) RETURNING id",
                {std::string(*source == imports::Source::kSalesforce ? "salesforce" : "hubspot"),
                 file_name, std::int64_t{options.dry_run}, c.user_id, options.actor.at}));
    return Ok();
  }));
  db::Database& database = ctx.database;
  const Clock& clock = ctx.clock;
  jobs.SubmitWork(KeyOf(id), [&database, &clock, id, options, zip = r.body](
                                 const imports::ImportJobs::Report& report,
                                 const std::function<bool()>& stopping) mutable {
    options.progress = [&report](const std::string& file, std::int64_t rows, std::uint64_t bytes,
                                 std::uint64_t size) { report(file, rows, bytes, size); };
    options.cancelled = stopping;
    const BookReport book = ImportBookZip(database, options, zip);
    const Status settled = database.Write([&](db::Transaction& tx) -> Status {
      return tx.Execute(
          "UPDATE import_books SET status = ?, problem = ?, report = ?, finished_at = ? WHERE "
          "id = ?",
          {book.status == "running" ? std::string("failed") : book.status,
           book.problem.empty() ? db::Null() : db::Value(book.problem), BookReportJson(book),
           clock.Now(), id});
    });
    (void)settled;  // nothing more to tell anyone: SettleInterruptedBooks settles it on restart
  });
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows rows,
        tx.Query(std::string("SELECT ") + kColumns + " FROM import_books WHERE id = ?", {id}));
    WriteBook(w, rows.at(0), jobs, true);
    return Ok();
  }));
  return api::Response::Json(w.Take(), 202)
      .WithHeader("Location", "/api/v1/import-books/" + api::FormatId(id));
}

Result<api::Response> ListBooks(api::ApiContext& ctx, imports::ImportJobs& jobs,
                                const api::Request& r, const api::Caller&) {
  int limit = 50;
  std::int64_t offset = 0;
  RAPPORT_RETURN_IF_ERROR(api::Query(r).Limit(limit, 500).OffsetCursor(offset).Finish());
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(db::Rows rows,
                             tx.Query(std::string("SELECT ") + kColumns +
                                          " FROM import_books ORDER BY id DESC LIMIT ? OFFSET ?",
                                      {std::int64_t{limit + 1}, offset}));
    w.StartObject();
    api::WriteOffsetPage(w, rows, limit, offset,
                         [&](const db::Row& row) { WriteBook(w, row, jobs, false); });
    w.EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

Result<api::Response> GetBook(api::ApiContext& ctx, imports::ImportJobs& jobs,
                              const api::Request& r, const api::Caller&) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  if (!r.query.empty()) return api::UnknownParameter(r.query.front().first);
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows rows,
        tx.Query(std::string("SELECT ") + kColumns + " FROM import_books WHERE id = ?", {id}));
    if (rows.empty()) return Error(ErrorCode::kNotFound, "no book import " + std::to_string(id));
    WriteBook(w, rows[0], jobs, true);
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

}  // namespace

void RegisterBookRoutes(api::Router& router, api::ApiContext& ctx, imports::ImportJobs& jobs,
                        const imports::ImportSettings& settings) {
  constexpr const char* kBookSchema =
      R"({"type":"object","required":["id","from","file_name","dry_run","status","problem","started_by","started_at","finished_at","progress"],"properties":{"id":{"type":"string"},"from":{"type":"string","enum":["salesforce","hubspot"]},"file_name":{"type":"string"},"dry_run":{"type":"boolean"},"status":{"type":"string","enum":["running","succeeded","rejected","failed"]},"problem":{"type":["string","null"]},"started_by":{"type":["string","null"]},"started_at":{"type":["string","null"]},"finished_at":{"type":["string","null"]},"progress":{"type":["object","null"],"required":["queued","file","rows","percent"],"properties":{"queued":{"type":"boolean"},"file":{"type":"string"},"rows":{"type":"integer"},"percent":{"type":"integer"}}},"report":{"type":["object","null"],"description":"once it ends: status, files (each with its import), owners, custom_fields, checks"}}})";
  api::Route upload{
      "POST",
      "/api/v1/import-books",
      api::Access::kAdmins,
      api::Reach::None("an admin tool"),
      [&ctx, &jobs](const api::Request& r, const api::Caller& c) {
        return StartBook(ctx, jobs, r, c);
      },
      {"Move in from Salesforce or HubSpot: their whole export's zip, imported in one checked "
       "run (admins). It runs as a job: follow it at the Location returned",
       "Imports",
       {{"from", "string", "salesforce or hubspot"},
        {"dry_run", "boolean", "do it all and write nothing"},
        {"create_users", "boolean",
         "owners no user matches become users (who cannot sign in "
         "until invited)"},
        {"keep_columns", "boolean", "the source's own fields become custom fields"},
        {"file_name", "string", "the zip's name, for the record"}},
       "",
       kBookSchema,
       202}};
  upload.body_type = "application/zip";
  upload.body_limit = settings.max_file_bytes;
  router.Add(std::move(upload));

  router.Add(
      {"GET",
       "/api/v1/import-books",
       api::Access::kAdmins,
       api::Reach::None("an admin tool"),
       [&ctx, &jobs](const api::Request& r, const api::Caller& c) {
         return ListBooks(ctx, jobs, r, c);
       },
       {"The moves from Salesforce or HubSpot, newest first (admins)",
        "Imports",
        {{"limit", "integer", "1..500, default 50"}, {"cursor", "string", "next_cursor"}},
        "",
        R"({"type":"object","properties":{"items":{"type":"array"},"next_cursor":{"type":["string","null"]}}})"}});

  router.Add({"GET",
              "/api/v1/import-books/{id}",
              api::Access::kAdmins,
              api::Reach::None("an admin tool"),
              [&ctx, &jobs](const api::Request& r, const api::Caller& c) {
                return GetBook(ctx, jobs, r, c);
              },
              {"One move from Salesforce or HubSpot: the file at hand while it runs, then its "
               "report (per file, the owners, the checks) (admins)",
               "Imports",
               {},
               "",
               kBookSchema}});
}

Result<int> SettleInterruptedBooks(db::Database& database, Instant now) {
  return imports::SettleInterrupted(database, "import_books", now);
}

}  // namespace rapport::moving
