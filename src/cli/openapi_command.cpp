// rapport openapi: the OpenAPI document of the JSON API, as GET /api/v1/openapi.json serves it,
// without a server or a database of the company's (the web app's build makes its types from it).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "api/access.hpp"
#include "api/custom_values.hpp"
#include "api/system_routes.hpp"
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "core/temp_files.hpp"

namespace rapport::cli {
namespace {

// An empty database the routes can be registered over (nothing is read from it), in a folder of
// its own that is removed afterwards.
class ScratchDatabase {
 public:
  ScratchDatabase() {
    std::string pattern = TempPattern("openapi");
    if (::mkdtemp(pattern.data()) != nullptr) folder_ = pattern;
  }
  ~ScratchDatabase() {
    database_.reset();
    std::error_code ignored;
    if (!folder_.empty()) std::filesystem::remove_all(folder_, ignored);
  }
  Result<db::Database*> Open() {
    if (folder_.empty()) return Error(ErrorCode::kInternal, "could not make a temporary folder");
    db::DatabaseOptions options;
    options.readers = 1;
    RAPPORT_ASSIGN_OR_RETURN(database_, db::Database::Open(folder_ + "/openapi.db", options));
    return database_.get();
  }

 private:
  std::string folder_;
  std::unique_ptr<db::Database> database_;
};

// The custom fields of the company at `url` ("" for none).
Result<api::CustomFieldsByTable> CustomFieldsOf(const std::string& url) {
  if (url.empty()) return api::CustomFieldsByTable();
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<db::Database> database, OpenCurrent(url, {}));
  return api::LoadCustomFieldsByTable(*database);
}

}  // namespace

void AddOpenApiCommand(CLI::App& app, Context& context) {
  auto* command =
      app.add_subcommand("openapi", "Print the OpenAPI document of the JSON API (as JSON)");
  auto out = std::make_shared<std::string>();
  command->add_option("--out", *out, "Write it to this file instead of stdout");
  auto company = std::make_shared<std::string>();
  command->add_option("--db", *company,
                      "Describe this company's custom fields too (SQLite file or postgresql:// "
                      "URL); the document served over HTTP leaves them out");
  command->callback([&context, out, company] {
    ScratchDatabase scratch;
    auto opened = scratch.Open();
    if (!opened.ok()) {
      context.exit_code = Fail(opened.error());
      return;
    }
    db::Database& database = **opened;
    api::AccessGeneration access_generation;
    auth::Sessions sessions(database, context.clock, access_generation);
    api::DatabaseReachGate reach_gate(database);
    api::Router router(sessions, reach_gate);
    api::ApiContext api_context{database, context.clock, access_generation};
    AppSettings settings;
    settings.surveys.public_url = "http://localhost:8080";
    jobs::Scheduler scheduler(database, context.clock, ScheduledJobs(settings), "openapi");
    imports::ImportJobs import_jobs(database);
    RegisterAppRoutes(router, api_context, sessions, settings, scheduler, import_jobs);
    auto custom_fields = CustomFieldsOf(*company);
    if (!custom_fields.ok()) {
      context.exit_code = Fail(custom_fields.error());
      return;
    }
    const std::string document = api::OpenApiDocument(router, *custom_fields);
    if (out->empty()) {
      std::cout << document << '\n';
    } else {
      std::ofstream file(*out, std::ios::binary | std::ios::trunc);
      file << document << '\n';
      if (!file.flush()) {
        context.exit_code = Fail("could not write " + *out);
        return;
      }
    }
    context.exit_code = kExitOk;
  });
}

}  // namespace rapport::cli
