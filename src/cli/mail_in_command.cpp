// rapport mail-in: one email from the company's mail server (a pipe: Postfix's pipe(8), an alias
// "|rapport mail-in ...", Exim's pipe transport), filed on the timeline of its drop address's
// owner (activities/inbound_email.hpp). The message comes on standard input; the exit code is what
// mail servers understand (sysexits): 0 filed or held, 67 no such address (the sender gets a
// bounce), 65 not a message, 75 try again later (the database could not be reached).
#include <iostream>
#include <iterator>

#include "activities/inbound_email.hpp"
#include "cli/command.hpp"
#include "db/migrations.hpp"

namespace rapport::cli {
namespace {

constexpr int kExitDataError = 65;  // EX_DATAERR
constexpr int kExitNoUser = 67;     // EX_NOUSER
constexpr int kExitTryLater = 75;   // EX_TEMPFAIL
constexpr std::size_t kLargest = 25u << 20;

}  // namespace

void AddMailInCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "mail-in",
      "File one email (on standard input) sent to a drop address, for a mail server's pipe");
  struct Args {
    std::string db, recipient;
  };
  auto args = std::make_shared<Args>();
  AddDbOption(*command, args->db);
  AddConfigOption(*command, ConfigNames::kOthersToo);  // serve's file: its --db
  command->add_option("--recipient", args->recipient,
                      "The drop address it was sent to (the envelope recipient: Postfix's "
                      "${recipient}); default: the first one its To, Cc or Delivered-To names");
  command->callback([&context, args] {
    std::string raw;
    char buffer[65536];
    while (std::cin.read(buffer, sizeof buffer) || std::cin.gcount() > 0) {
      raw.append(buffer, static_cast<std::size_t>(std::cin.gcount()));
      if (raw.size() > kLargest) {
        std::cerr << "rapport: the message is larger than 25 MB\n";
        context.exit_code = kExitDataError;
        return;
      }
    }
    const activities::MailMessage message = activities::ParseMailMessage(raw);
    auto database = OpenCurrent(args->db);
    if (!database.ok()) {
      Fail(database.error());
      context.exit_code = kExitTryLater;
      return;
    }
    activities::ReceivedEmail received;
    const Status filed = (*database)->Write([&](db::Transaction& tx) -> Status {
      RAPPORT_ASSIGN_OR_RETURN(received, activities::ReceiveEmail(tx, args->recipient, message, raw,
                                                                  context.clock.Now()));
      return Ok();
    });
    if (!filed.ok()) {
      Fail(filed.error());
      const ErrorCode code = filed.error().code();
      context.exit_code = code == ErrorCode::kNotFound          ? kExitNoUser
                          : code == ErrorCode::kInvalidArgument ? kExitDataError
                                                                : kExitTryLater;
      return;
    }
    std::cerr << "rapport: " << received.outcome;
    if (!received.activity_ids.empty()) {
      std::cerr << " on " << received.activity_ids.size() << " account(s)";
    }
    std::cerr << "\n";
    context.exit_code = kExitOk;
  });
}

}  // namespace rapport::cli
