// Email into the timeline. Each person has a drop address ("log+<token>@<domain>") to BCC or
// forward their emails with customers to; the company's mail server hands each message it
// receives there to `rapport mail-in` (a pipe), which files it:
// - matched to contacts by address (sender, recipients, and the sender a forward names), an email
//   activity by the address's owner on each of their accounts, the contacts linked;
// - else, when an earlier message of its thread was filed, on that thread's accounts;
// - else held for its owner to file to an account (or discard) in the app.
// The same message twice (a mail server's retry) is filed once. Threads are kept by Message-ID,
// In-Reply-To and References. The functions run in the caller's transaction; no state.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "activities/mail_message.hpp"
#include "api/resource.hpp"
#include "api/router.hpp"
#include "db/database.hpp"

namespace rapport::activities {

// The token of a drop address ("log+TOKEN@any.domain" -> "TOKEN"); nullopt when it is not one.
std::optional<std::string> DropToken(std::string_view address);

struct ReceivedEmail {
  std::string outcome;  // "logged", "held", "duplicate"
  std::int64_t email_id = 0;
  std::vector<std::int64_t> activity_ids;
};

// Files `message` (whose raw text is `raw`) for the owner of the drop address `recipient`, or,
// when `recipient` is "", of the first drop address the message's To, Cc or Delivered-To name.
// kNotFound when no one active has that address; kInvalidArgument when the message has no sender.
Result<ReceivedEmail> ReceiveEmail(db::Transaction& tx, std::string_view recipient,
                                   const MailMessage& message, std::string_view raw, Instant now);

// A contact's erasure, in the caller's transaction: the emails received from their address
// (`email`, unless another contact has it) or logged with them are deleted, held ones too, and
// the activities they were logged as keep that an email came, not its subject or text. Returns
// how many emails were deleted.
Result<std::int64_t> EraseContactEmails(db::Transaction& tx, std::int64_t contact_id,
                                        std::string_view email, Instant now);

// GET/POST/DELETE /api/v1/email-drop (the caller's drop address at `domain`), the caller's held
// emails (/api/v1/held-emails, file or discard), and GET /api/v1/activities/{id}/thread.
void RegisterInboundEmailRoutes(api::Router& router, api::ApiContext& ctx, std::string domain);

}  // namespace rapport::activities
