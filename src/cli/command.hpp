// What every `rapport` subcommand shares: how it registers with the command line, how it reports
// failure (one line naming what is wrong, a non-zero exit), and how it opens the database.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/validation.hpp"
#include "db/database.hpp"
#include "server/web_app.hpp"

namespace rapport::cli {

enum ExitCode : int { kExitOk = 0, kExitFailure = 1, kExitUsage = 2 };

struct Context {
  const Clock& clock;
  // Non-empty when the clock is not the system's (RAPPORT_TEST_NOW): `serve` logs it.
  std::string clock_note;
  // The web app compiled into the binary (cli/embedded_web_app.hpp); empty when it has none.
  std::span<const server::WebAppFile> web_app;
  int exit_code = kExitOk;
};

// The clock RAPPORT_TEST_NOW asks for (tests only): an instant ("2026-11-28T09:00:00Z": the clock
// starts there) or a signed offset from the system clock in seconds ("-686400.25"); nullopt when
// it is neither.
std::optional<ShiftedClock> TestClock(std::string_view value);

// Prints "rapport: <what>" on stderr and returns kExitFailure.
int Fail(const std::string& what);
int Fail(const Error& error);

// Adds --db with RAPPORT_DB as its fallback.
CLI::Option* AddDbOption(CLI::App& command, std::string& db);

// Whether a --config file may hold options the command does not take (`migrate` reads the file
// `serve` reads, and takes only --db from it).
enum class ConfigNames { kOnlyOurs, kOthersToo };
// Adds --config FILE: the command's options from a file, one `name = value` a line (TOML; names
// as on the command line, without the dashes; CLI11 reads it, and cuts a value at a '#', quoted
// or not). The command line wins over the file, the file over the environment. WithConfigFile
// does the reading.
void AddConfigOption(CLI::App& command, ConfigNames names);
// The arguments (without the program's name) with the options of the subcommand's --config file
// written out after the subcommand's name, but those the command line gives itself.
// kInvalidArgument naming --config when the file cannot be read, has sections, or (kOnlyOurs)
// names an option the command does not take.
Result<std::vector<std::string>> WithConfigFile(CLI::App& app, std::vector<std::string> args);
// Gives each of the command's options that has none an environment variable: RAPPORT_ and its
// long name in capitals ("--smtp-url": RAPPORT_SMTP_URL).
void NameEnvironmentVariables(CLI::App& command);

// Opens an existing database (SQLite file or postgresql:// URL); never creates one.
Result<std::unique_ptr<db::Database>> OpenExisting(const std::string& url,
                                                   const db::DatabaseOptions& options = {});
// OpenExisting, then refuses a database that is not at this binary's schema version.
Result<std::unique_ptr<db::Database>> OpenCurrent(const std::string& url,
                                                  const db::DatabaseOptions& options = {});

void AddVersionCommand(CLI::App& app, Context& context);
void AddMigrateCommand(CLI::App& app, Context& context);
void AddDemoCommand(CLI::App& app, Context& context);
void AddUserCommand(CLI::App& app, Context& context);
void AddBackupCommand(CLI::App& app, Context& context);
void AddRestoreCommand(CLI::App& app, Context& context);
void AddServeCommand(CLI::App& app, Context& context);
void AddTokenCommand(CLI::App& app, Context& context);
void AddMailInCommand(CLI::App& app, Context& context);
void AddDoctorCommand(CLI::App& app, Context& context);
void AddImportCommand(CLI::App& app, Context& context);
void AddExportCommand(CLI::App& app, Context& context);
void AddOpenApiCommand(CLI::App& app, Context& context);

}  // namespace rapport::cli
