// rapport user add: create a user who can sign in.
#include <termios.h>
#include <unistd.h>

#include <charconv>
#include <iostream>

#include "cli/command.hpp"
#include "core/validation.hpp"
#include "db/migrations.hpp"
#include "users/password.hpp"
#include "users/user_store.hpp"

namespace rapport::cli {
namespace {

// Reads a line from the terminal without echoing it.
Result<std::string> AskPassword(const std::string& prompt) {
  if (!isatty(STDIN_FILENO)) {
    return Error(ErrorCode::kInvalidArgument,
                 "no terminal to ask the password on: pipe it in with --password-stdin");
  }
  std::cerr << prompt << std::flush;
  termios old_mode{};
  tcgetattr(STDIN_FILENO, &old_mode);
  termios silent = old_mode;
  silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &silent);
  std::string password;
  std::getline(std::cin, password);
  tcsetattr(STDIN_FILENO, TCSANOW, &old_mode);
  std::cerr << "\n";
  return password;
}

Result<std::string> ReadPassword(bool from_stdin) {
  if (from_stdin) {
    std::string password;
    std::getline(std::cin, password);
    return password;
  }
  RAPPORT_ASSIGN_OR_RETURN(std::string first, AskPassword("Password: "));
  RAPPORT_ASSIGN_OR_RETURN(std::string again, AskPassword("Again: "));
  if (first != again) return Error(ErrorCode::kInvalidArgument, "the passwords differ");
  return first;
}

}  // namespace

void AddUserCommand(CLI::App& app, Context& context) {
  auto* user = app.add_subcommand("user", "Manage users");
  user->require_subcommand(1);
  auto* add = user->add_subcommand("add", "Add a user who can sign in");
  struct Args {
    std::string db, email, name, role, manager;
    bool password_stdin = false;
  };
  auto args = std::make_shared<Args>();
  AddDbOption(*add, args->db);
  add->add_option("--email", args->email, "Sign-in email")->required();
  add->add_option("--name", args->name, "Full name")->required();
  std::string roles;
  for (auto r : users::kRoles) roles += (roles.empty() ? "" : ", ") + std::string(r);
  add->add_option("--role", args->role, roles)->required();
  add->add_option("--manager", args->manager, "The manager's email or id");
  add->add_flag("--password-stdin", args->password_stdin, "Read the password from standard input");
  add->callback([&context, args] {
    // Check what can be checked before asking for a password.
    for (Status s : {CheckEmail("--email", args->email), CheckRequired("--name", args->name, 200),
                     CheckOneOf("--role", args->role, users::kRoles)}) {
      if (!s.ok()) {
        context.exit_code = Fail(s.error());
        return;
      }
    }
    auto database = OpenCurrent(args->db);
    if (!database.ok()) {
      context.exit_code = Fail(database.error());
      return;
    }
    auto password = ReadPassword(args->password_stdin);
    if (!password.ok()) {
      context.exit_code = Fail(password.error());
      return;
    }
    auto hash = users::HashPassword(*password);
    if (!hash.ok()) {
      context.exit_code = Fail(hash.error());
      return;
    }
    users::User created;
    Status status = (*database)->Write([&](db::Transaction& tx) -> Status {
      users::NewUser user{args->email, args->name, args->role, std::nullopt, std::nullopt, *hash};
      if (!args->manager.empty()) {
        std::int64_t id = 0;
        const auto& m = args->manager;
        auto [end, ec] = std::from_chars(m.data(), m.data() + m.size(), id);
        auto manager = (ec == std::errc() && end == m.data() + m.size())
                           ? users::GetUser(tx, id)
                           : users::GetUserByEmail(tx, m);
        if (!manager.ok()) return Error::InvalidField("--manager", "no user '" + m + "'");
        user.manager_id = manager->id;
      }
      audit::Actor actor{std::nullopt, context.clock.Now()};
      RAPPORT_ASSIGN_OR_RETURN(created, users::CreateUser(tx, actor, user));
      return Ok();
    });
    if (!status.ok()) {
      context.exit_code = Fail(status.error());
      return;
    }
    std::cout << "added user " << created.id << ": " << created.email << " (" << created.role
              << ")\n";
    context.exit_code = kExitOk;
  });
}

}  // namespace rapport::cli
