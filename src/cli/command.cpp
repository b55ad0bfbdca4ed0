#include "cli/command.hpp"

#include <algorithm>
#include <cctype>
#include <iostream>
#include <map>
#include <memory>

#include "db/migrations.hpp"

namespace rapport::cli {

std::optional<ShiftedClock> TestClock(std::string_view value) {
  if (value.starts_with('+') || value.starts_with('-')) {
    // Seconds with up to six decimals, read exactly (no floating point).
    const bool negative = value.front() == '-';
    value.remove_prefix(1);
    std::int64_t whole = 0, micros = 0;
    int decimals = -1;  // -1: before the point
    for (char c : value) {
      if (c == '.' && decimals < 0) {
        decimals = 0;
        continue;
      }
      if (c < '0' || c > '9' || decimals >= 6 || whole > 1'000'000'000'000) return std::nullopt;
      if (decimals < 0) {
        whole = whole * 10 + (c - '0');
      } else {
        micros = micros * 10 + (c - '0');
        ++decimals;
      }
    }
    if (value.empty() || decimals == 0) return std::nullopt;
    for (int d = std::max(decimals, 0); d < 6; ++d) micros *= 10;
    const std::int64_t offset = whole * kMicrosPerSecond + micros;
    return ShiftedClock(negative ? -offset : offset);
  }
  Instant start = 0;
  if (!ParseInstant(std::string(value), start)) return std::nullopt;
  return ShiftedClock::StartingAt(start);
}

int Fail(const std::string& what) {
  std::cerr << "rapport: " << what << "\n";
  return kExitFailure;
}

int Fail(const Error& error) { return Fail(error.message()); }

CLI::Option* AddDbOption(CLI::App& command, std::string& db) {
  return command.add_option("--db", db, "SQLite database file, or a postgresql:// URL")
      ->envname("RAPPORT_DB")
      ->required();
}

namespace {

// What --config names, and whose file it is, for WithConfigFile.
struct ConfigOption {
  std::shared_ptr<std::string> path = std::make_shared<std::string>();
  ConfigNames names;
};
std::map<const CLI::App*, ConfigOption>& ConfigOptions() {
  static std::map<const CLI::App*, ConfigOption> options;
  return options;
}

// Where `--name` is given in args[from..] ("--name value" or "--name=value"); npos when not.
std::size_t FindOption(const std::vector<std::string>& args, std::size_t from,
                       const std::string& name) {
  for (std::size_t i = from; i < args.size(); ++i) {
    if (args[i] == name || args[i].starts_with(name + "=")) return i;
  }
  return std::string::npos;
}

}  // namespace

void AddConfigOption(CLI::App& command, ConfigNames names) {
  ConfigOption option{.names = names};
  command.add_option("--config", *option.path,
                     "Read options from this file: one `name = value` a line (TOML), names as the "
                     "options without their dashes; the command line wins over it, it over the "
                     "environment");
  ConfigOptions()[&command] = std::move(option);
}

Result<std::vector<std::string>> WithConfigFile(CLI::App& app, std::vector<std::string> args) {
  std::size_t at = 0;
  CLI::App* command = nullptr;
  const auto subcommands = app.get_subcommands([](const CLI::App*) { return true; });
  for (; at < args.size() && command == nullptr; ++at) {
    for (CLI::App* one : subcommands) {
      if (one->check_name(args[at])) command = one;
    }
  }
  if (command == nullptr || !ConfigOptions().contains(command)) return args;
  const std::size_t given = FindOption(args, at, "--config");
  if (given == std::string::npos) return args;
  const std::string path = args[given] == "--config"
                               ? (given + 1 < args.size() ? args[given + 1] : "")
                               : args[given].substr(std::string("--config=").size());
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_file(path);
  } catch (const CLI::Error& e) {
    return Error::InvalidField("--config", "cannot read '" + path + "': " + e.what());
  }
  const bool only_ours = ConfigOptions()[command].names == ConfigNames::kOnlyOurs;
  std::vector<std::string> written;
  for (const CLI::ConfigItem& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // a section's start or end
    if (!item.parents.empty()) {
      return Error::InvalidField("--config", path + ": '" + item.fullname() +
                                                 "': sections are not taken; write name = value");
    }
    const std::string name = "--" + item.name;
    const CLI::Option* option = command->get_option_no_throw(name);
    if (option == nullptr || item.name == "config") {
      if (!only_ours) continue;
      return Error::InvalidField("--config", path + ": '" + item.name + "' is not an option of " +
                                                 "rapport " + command->get_name());
    }
    if (FindOption(args, at, name) != std::string::npos) continue;  // the command line wins
    // --name=value: a value that begins with a dash stays a value.
    for (const std::string& value : item.inputs) written.push_back(name + "=" + value);
  }
  args.insert(args.begin() + static_cast<std::ptrdiff_t>(at), written.begin(), written.end());
  return args;
}

void NameEnvironmentVariables(CLI::App& command) {
  for (CLI::Option* option : command.get_options()) {
    const std::string& name = option->get_single_name();
    if (!option->get_envname().empty() || option->get_lnames().empty() || name == "config" ||
        name == "help") {
      continue;
    }
    std::string variable = "RAPPORT_";
    for (const char c : option->get_lnames().front()) {
      variable += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    option->envname(variable);
  }
}

Result<std::unique_ptr<db::Database>> OpenExisting(const std::string& url,
                                                   const db::DatabaseOptions& options) {
  db::DatabaseOptions existing = options;
  existing.create_if_missing = false;
  return db::Database::Open(url, existing);
}

Result<std::unique_ptr<db::Database>> OpenCurrent(const std::string& url,
                                                  const db::DatabaseOptions& options) {
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<db::Database> database, OpenExisting(url, options));
  RAPPORT_RETURN_IF_ERROR(db::CheckSchemaVersion(*database));
  return database;
}

}  // namespace rapport::cli
