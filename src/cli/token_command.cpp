// rapport token create: a session token for scripts, printed on the last line.
#include <iostream>

#include "auth/sessions.hpp"
#include "cli/command.hpp"
#include "db/migrations.hpp"
#include "users/user_store.hpp"

namespace rapport::cli {

void AddTokenCommand(CLI::App& app, Context& context) {
  auto* token = app.add_subcommand("token", "Manage API tokens");
  token->require_subcommand(1);
  auto* create =
      token->add_subcommand("create", "Create a token for scripts (printed on the last line)");
  struct Args {
    std::string db, email;
    int days = 30;
  };
  auto args = std::make_shared<Args>();
  AddDbOption(*create, args->db);
  create->add_option("--email", args->email, "Whose token")->required();
  create->add_option("--days", args->days, "How long it lasts")
      ->check(CLI::Range(1, 365))
      ->capture_default_str();
  create->callback([&context, args] {
    auto database = OpenCurrent(args->db);
    if (!database.ok()) {
      context.exit_code = Fail(database.error());
      return;
    }
    auth::IssuedSession issued;
    Status s = (*database)->Write([&](db::Transaction& tx) -> Status {
      auto user = users::GetUserByEmail(tx, args->email);
      if (!user.ok()) return Error::InvalidField("--email", "no user " + args->email);
      if (user->status == "left") return Error::InvalidField("--email", args->email + " has left");
      RAPPORT_ASSIGN_OR_RETURN(issued, auth::IssueSession(tx, context.clock, user->id, "script",
                                                          args->days * kMicrosPerDay));
      return Ok();
    });
    if (!s.ok()) {
      context.exit_code = Fail(s.error());
      return;
    }
    std::cerr << "token for " << args->email << ", valid until " << FormatInstant(issued.expires_at)
              << " (send it as 'Authorization: Bearer <token>'):\n";
    std::cout << issued.token << "\n";
    context.exit_code = kExitOk;
  });
}

}  // namespace rapport::cli
