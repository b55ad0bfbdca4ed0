// rapport serve: the JSON API and the web app.
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include <unistd.h>

#include "accounts/account_revenue.hpp"
#include "api/access.hpp"
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "continuity/handover.hpp"
#include "continuity/outbox.hpp"
#include "core/build_info.hpp"
#include "core/metrics.hpp"
#include "core/periodic.hpp"
#include "core/temp_files.hpp"
#include "db/migrations.hpp"
#include "imports/import_routes.hpp"
#include "jobs/scheduler.hpp"
#include "moving/book_routes.hpp"
#include "server/http_server.hpp"
#include "webhooks/delivery.hpp"

namespace rapport::cli {
namespace {

struct ServeArgs {
  std::string db;
  std::string listen = "127.0.0.1:8080";
  std::string web_root;
  int threads = 0;
  continuity::SmtpSettings smtp;
  int housekeeping_seconds = 60;
  continuity::HandoverSettings handovers;
  success::SurveySettings surveys;
  success::AlertSettings alerts;
  int nightly_hour = 2;
  int scheduler_seconds = 30;
  std::size_t max_import_mb = 1024;
  std::string metrics_token;
  int drain_seconds = 0;
  webhooks::DeliverySettings webhooks;
  std::string mail_drop_domain;
};

// The options of rapport serve, into `args`.
void AddServeOptions(CLI::App& command, ServeArgs& args) {
  AddDbOption(command, args.db);
  command.add_option("--listen", args.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  command.add_option("--web-root", args.web_root,
                     "Serve the web app from this folder (a Vite build, for developing it) "
                     "instead of the one built into rapport");
  command.add_option("--threads", args.threads,
                     "Server threads (default: one per core on SQLite; on PostgreSQL four per "
                     "core, at most 16)");
  command
      .add_option("--smtp-url", args.smtp.url,
                  "Where introductions are sent: smtp://host:port (none: they wait in the outbox)")
      ->envname("RAPPORT_SMTP_URL");
  command
      .add_option("--smtp-user", args.smtp.username, "SMTP user (password: RAPPORT_SMTP_PASSWORD)")
      ->envname("RAPPORT_SMTP_USER");
  command.add_option("--mail-from", args.smtp.envelope_from, "The address mail is sent from")
      ->envname("RAPPORT_MAIL_FROM")
      ->capture_default_str();
  command
      .add_option("--smtp-retry-seconds", args.smtp.first_retry_seconds,
                  "First wait after a failed delivery; doubles per attempt")
      ->capture_default_str();
  command
      .add_option("--outbox-poll-ms", args.smtp.poll_milliseconds,
                  "How often the outbox is checked")
      ->capture_default_str();
  command
      .add_option("--webhook-timeout-seconds", args.webhooks.timeout_seconds,
                  "How long a webhook receiver has to answer")
      ->check(CLI::Range(1, 60))
      ->capture_default_str();
  command
      .add_option("--webhook-retry-seconds", args.webhooks.first_retry_seconds,
                  "First wait after a failed webhook delivery; four times longer per attempt, "
                  "up to six hours, ten attempts in all")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  command
      .add_option("--webhook-poll-ms", args.webhooks.poll_milliseconds,
                  "How often webhook deliveries are looked for")
      ->check(CLI::Range(10, 60000))
      ->capture_default_str();
  command.add_option("--mail-drop-domain", args.mail_drop_domain,
                     "The domain of people's addresses for logging emails (log+...@DOMAIN), "
                     "which the company's mail server pipes to `rapport mail-in` (default: "
                     "--public-url's host)");
  command.add_option("--webhook-ca-file", args.webhooks.ca_file,
                     "Certificates (PEM) to trust for webhook receivers' HTTPS (default: the "
                     "system's)");
  command
      .add_option("--housekeeping-seconds", args.housekeeping_seconds,
                  "How often covers that have ended are handed back")
      ->capture_default_str();
  command
      .add_option("--company-name", args.handovers.company_name,
                  "Your company's name, as introductions say it")
      ->envname("RAPPORT_COMPANY_NAME");
  command
      .add_option("--public-url", args.surveys.public_url,
                  "Where people outside reach the web app (links in survey emails; default: "
                  "http:// and the --listen address)")
      ->envname("RAPPORT_PUBLIC_URL");
  command
      .add_option("--survey-every-days", args.surveys.every_days,
                  "Each night, send an NPS survey to the key contact of each customer account not "
                  "surveyed in this many days (0: no scheduled surveys)")
      ->check(CLI::Range(0, 3650))
      ->capture_default_str();
  command
      .add_option("--surveys-per-night", args.surveys.per_night,
                  "At most this many scheduled surveys a night")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  command.add_option("--nightly-hour", args.nightly_hour, "Hour (UTC) of the nightly alerts")
      ->check(CLI::Range(0, 23))
      ->capture_default_str();
  command
      .add_option("--scheduler-seconds", args.scheduler_seconds,
                  "How often the scheduler looks for due jobs")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  command
      .add_option("--warranty-alert-days", args.alerts.warranty_days,
                  "Alert when a warranty ends within this many days")
      ->capture_default_str();
  command
      .add_option("--renewal-alert-days", args.alerts.renewal_days,
                  "Alert when a subscription renews within this many days")
      ->capture_default_str();
  command
      .add_option("--max-import-mb", args.max_import_mb,
                  "The largest file POST /api/v1/imports takes, in MiB")
      ->check(CLI::Range(1, 16384))
      ->capture_default_str();
  command
      .add_option("--drain-seconds", args.drain_seconds,
                  "On SIGTERM, keep serving this long while /api/v1/health/ready answers 503, so "
                  "that a load balancer stops sending first (a second SIGTERM stops at once)")
      ->check(CLI::Range(0, 600))
      ->capture_default_str();
  command.add_option("--metrics-token", args.metrics_token,
                     "Serve GET /metrics (Prometheus) to those that send `Authorization: Bearer "
                     "<this token>` (none: no metrics are kept or served)");
}

// Server threads when --threads does not say: one per core on SQLite (the work is the thread's
// own), more on PostgreSQL.
int DefaultThreads(db::Database& database, const db::DatabaseOptions& db_options) {
  if (database.backend() != db::Backend::kPostgres) return 0;  // the server's own default
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // On PostgreSQL a request waits on its thread for the database's answers: more threads than
  // cores keep more queries in flight. 1M accounts, 2 cores, 2 -> 8 threads: GET account
  // 10,288 -> 14,572/s, a list 3,811 -> 4,952/s, the 360 2,966 -> 3,530/s; 16 threads no
  // faster, with a longer tail.
  return std::min(4 * cores, db_options.readers);
}

// The log goes to stderr through a buffered stream, flushed every second and at once for
// warnings. The access log writes its own blocks beside it (server/access_log.hpp). Where
// /dev/stderr cannot be opened again (journald's socket under systemd, a file the service
// manager opened as another user), the descriptor itself.
void LogToStderr() {
  std::shared_ptr<spdlog::sinks::sink> sink;
  try {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>("/dev/stderr");
  } catch (const spdlog::spdlog_ex&) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("rapport", sink));
  spdlog::flush_on(spdlog::level::warn);
  spdlog::flush_every(std::chrono::seconds(1));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);
}

// What /metrics says beyond the server's requests: the database's transactions and
// connections, the outbox, the imports and the scheduled jobs, and the build.
void WriteServeMetrics(db::Database& database, const Clock& clock, std::string& out) {
  metrics::WriteHeader(out, "rapport_db_transaction_duration_seconds", "histogram",
                       "Database transactions by kind (read, write) and outcome (ok, error)");
  for (const auto& [labels, histogram] : metrics::DatabaseTransactions().Collect()) {
    metrics::WriteHistogram(out, "rapport_db_transaction_duration_seconds", labels, histogram);
  }
  if (database.backend() == db::Backend::kPostgres) {
    const db::Database::Connections connections = database.connections();
    metrics::WriteHeader(out, "rapport_db_connections", "gauge",
                         "Connections to PostgreSQL: open, and in use by a transaction");
    metrics::WriteSample(out, "rapport_db_connections", metrics::Label("state", "open"),
                         connections.open);
    metrics::WriteSample(out, "rapport_db_connections", metrics::Label("state", "in_use"),
                         connections.in_use);
  }
  std::string records;
  const Status read = database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(continuity::WriteOutboxMetrics(tx, clock.Now(), records));
    RAPPORT_RETURN_IF_ERROR(webhooks::WriteWebhookMetrics(tx, clock.Now(), records));
    RAPPORT_RETURN_IF_ERROR(imports::WriteImportMetrics(tx, records));
    return jobs::WriteJobMetrics(tx, records);
  });
  metrics::WriteHeader(out, "rapport_db_up", "gauge", "1 when the database answered this scrape");
  metrics::WriteSample(out, "rapport_db_up", "", read.ok() ? 1 : 0);
  if (read.ok()) out += records;
  metrics::WriteHeader(out, "rapport_build_info", "gauge", "The running build");
  metrics::WriteSample(
      out, "rapport_build_info",
      metrics::Label("version", kVersion) + "," + metrics::Label("commit", kGitCommit), 1);
}

// Covers for leave end by themselves (what the cover holds goes back to the person), and the
// trailing-year revenue per account is refreshed once a day and when the month turns.
void Housekeep(db::Database& database, const Clock& clock,
               api::AccessGeneration& access_generation) {
  const Status ended = database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(int n,
                             continuity::EndCovers(tx, audit::Actor{std::nullopt, clock.Now()}));
    if (n > 0) {
      spdlog::info("housekeeping: {} cover(s) ended", n);
      access_generation.Bump();
    }
    return Ok();
  });
  if (!ended.ok()) spdlog::warn("housekeeping: {}", ended.error().message());
  // Trailing-year revenue per account, for ranking.
  const Status revenue = database.Write([&](db::Transaction& tx) -> Status {
    const Instant now = clock.Now();
    RAPPORT_ASSIGN_OR_RETURN(bool stale, accounts::AccountRevenueIsStale(tx, now));
    if (!stale) return Ok();
    RAPPORT_RETURN_IF_ERROR(accounts::RefreshAccountRevenue(tx, now));
    spdlog::info("housekeeping: account revenue refreshed");
    return Ok();
  });
  if (!revenue.ok()) spdlog::warn("housekeeping: {}", revenue.error().message());
}

// Uploaded imports run one at a time beside the requests. Those a stopped process left
// "running" (files, and whole books) are marked interrupted first.
void SettleInterruptedImports(db::Database& database, Instant now) {
  if (auto interrupted = imports::SettleInterruptedImports(database, now); !interrupted.ok()) {
    spdlog::warn("could not settle interrupted imports: {}", interrupted.error().message());
  } else if (*interrupted > 0) {
    spdlog::warn(
        "{} import(s) were interrupted when a server stopped; marked failed, nothing "
        "was written",
        *interrupted);
  }
  if (auto interrupted = moving::SettleInterruptedBooks(database, now); !interrupted.ok()) {
    spdlog::warn("could not settle interrupted book imports: {}", interrupted.error().message());
  }
}

// The web app to serve: --web-root's folder when given, else the one built into the binary,
// else (a binary built without it, run from the source tree) web/dist; else none.
Result<server::WebApp> LoadWebApp(const Context& context, const ServeArgs& args) {
  if (!args.web_root.empty()) return server::WebApp::FromDirectory(args.web_root, "--web-root");
  if (!context.web_app.empty()) return server::WebApp::FromFiles(context.web_app);
  if (std::filesystem::exists("web/dist/index.html")) {
    return server::WebApp::FromDirectory("web/dist", "web/dist");
  }
  return server::WebApp();
}

// Serves until the server is stopped (SIGINT, SIGTERM).
void Serve(Context& context, const ServeArgs& args) {
  server::ServerOptions options;
  if (Status s = server::ParseListen(args.listen, options); !s.ok()) {
    context.exit_code = Fail(s.error());
    return;
  }
  options.threads = args.threads;
  options.clock = &context.clock;
  auto web_app = LoadWebApp(context, args);
  if (!web_app.ok()) {
    context.exit_code = Fail(web_app.error());
    return;
  }
  options.web_app = &*web_app;
  // Browsers that reach us by HTTPS are told to keep to it (a proxy ends TLS before us).
  options.strict_transport = args.surveys.public_url.starts_with("https://");
  db::DatabaseOptions db_options;
  db_options.readers = 16;  // PostgreSQL: the pool, one per server thread at most
  auto opened = OpenCurrent(args.db, db_options);
  if (!opened.ok()) {
    context.exit_code = Fail(opened.error());
    return;
  }
  db::Database& database = **opened;
  options.metrics_token = args.metrics_token;
  options.drain_delay = std::chrono::seconds(args.drain_seconds);
  std::atomic<bool> draining{false};
  options.draining = &draining;
  metrics::SetRecording(!args.metrics_token.empty());
  options.more_metrics = [&database, &context](std::string& out) {
    WriteServeMetrics(database, context.clock, out);
  };
  if (options.threads <= 0) options.threads = DefaultThreads(database, db_options);
  LogToStderr();

  if (!context.clock_note.empty()) spdlog::warn("{}", context.clock_note);
  // What a process that crashed left in the temporary folder (an export's extracted files, a
  // workbook half written): customers' data, not to be kept.
  if (const int removed = RemoveOrphanedTempFiles(); removed > 0) {
    spdlog::info("removed {} temporary files or folders left by stopped processes", removed);
  }

  api::AccessGeneration access_generation;
  auth::Sessions sessions(database, context.clock, access_generation);
  api::DatabaseReachGate reach_gate(database);
  api::Router router(sessions, reach_gate);
  // Bound first, so that links in emails can name the port (--listen may say port 0); the
  // routes are all registered before Run() serves the first request.
  server::HttpServer http(router, options);
  if (Status s = http.Listen(); !s.ok()) {
    context.exit_code = Fail(s.error());
    return;
  }
  api::ApiContext api_context{database, context.clock, access_generation, &draining};
  AppSettings settings;
  settings.handovers = args.handovers;
  settings.surveys = args.surveys;
  if (settings.surveys.public_url.empty()) {
    settings.surveys.public_url = "http://" + options.host + ":" + std::to_string(http.port());
  }
  settings.surveys.company_name = args.handovers.company_name;
  settings.alerts = args.alerts;
  settings.nightly_hour = args.nightly_hour;
  settings.mail_drop_domain = args.mail_drop_domain;
  settings.imports.max_file_bytes = args.max_import_mb << 20;
  // Scheduled jobs: one server at a time runs each (see jobs/scheduler.hpp).
  jobs::Scheduler scheduler(database, context.clock, ScheduledJobs(settings),
                            args.listen + " pid " + std::to_string(::getpid()));
  SettleInterruptedImports(database, context.clock.Now());
  imports::ImportJobs import_jobs(database);
  RegisterAppRoutes(router, api_context, sessions, settings, scheduler, import_jobs);

  // Introductions and other mail: delivered from the outbox in the background.
  continuity::SmtpSettings smtp = args.smtp;
  if (const char* password = std::getenv("RAPPORT_SMTP_PASSWORD")) smtp.password = password;
  continuity::SmtpTransport transport(smtp);
  continuity::OutboxWorker outbox(database, context.clock, transport, smtp);
  if (!smtp.url.empty()) outbox.Start();
  // Webhooks: delivered in the background.
  webhooks::CurlWebhookSender webhook_sender(args.webhooks);
  webhooks::WebhookWorker webhook_worker(database, context.clock, webhook_sender, args.webhooks);
  webhook_worker.Start();
  PeriodicTask housekeeping(std::chrono::seconds(args.housekeeping_seconds),
                            [&] { Housekeep(database, context.clock, access_generation); });
  housekeeping.Start();
  PeriodicTask scheduled(std::chrono::seconds(args.scheduler_seconds),
                         [&] { (void)scheduler.RunDue(); });
  scheduled.Start();

  std::cout << "Rapport is serving " << database.Describe() << " at http://" << options.host << ":"
            << http.port() << "/" << std::endl;
  http.Run();
  // The workers stop in the reverse of the order they started.
  scheduled.Stop();
  housekeeping.Stop();
  webhook_worker.Stop();
  outbox.Stop();
  spdlog::info("stopped; database closed");
  spdlog::shutdown();
  context.exit_code = kExitOk;
}

}  // namespace

void AddServeCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("serve", "Serve the JSON API and the web app");
  auto args = std::make_shared<ServeArgs>();
  AddServeOptions(*command, *args);
  AddConfigOption(*command, ConfigNames::kOnlyOurs);
  NameEnvironmentVariables(*command);
  command->callback([&context, args] { Serve(context, *args); });
}

}  // namespace rapport::cli
