#include "accounts/contact_erasure.hpp"

#include "activities/inbound_email.hpp"
#include "audit/audit_log.hpp"
#include "core/validation.hpp"
#include "db/dialect.hpp"
#include "files/attachments.hpp"

namespace rapport::accounts {
namespace {

constexpr const char* kErasedName = "Erased contact";

// What the erasure removed, for its answer.
struct Erased {
  std::int64_t files = 0, emails = 0;
};

// The contact's own row: a place-holder that names no one.
Status EraseContactRow(db::Transaction& tx, std::int64_t id, Instant now) {
  return tx.Execute(
      "UPDATE contacts SET first_name = 'Erased', last_name = 'contact', salutation = NULL, "
      "job_title = NULL, department = NULL, email = NULL, phone = NULL, mobile = NULL, "
      "mailing_street = NULL, mailing_city = NULL, mailing_region = NULL, mailing_postcode = "
      "NULL, mailing_country = NULL, assistant_name = NULL, assistant_phone = NULL, "
      "preferred_channel = NULL, email_opted_in = 0, email_opted_out = 1, consent_on = NULL, "
      "consent_source = NULL, do_not_contact = 1, custom = NULL, updated_at = ?, version = "
      "version + 1 WHERE id = ?",
      {now, id});
}

// What other records keep of the person: messages, comments, the outbox.
Status EraseTraces(db::Transaction& tx, std::int64_t id, Instant now) {
  RAPPORT_RETURN_IF_ERROR(
      tx.Execute("UPDATE case_messages SET body = '(erased)' WHERE contact_id = ? AND direction = "
                 "'inbound'",
                 {id}));
  RAPPORT_RETURN_IF_ERROR(tx.Execute(
      "UPDATE surveys SET comment = NULL, updated_at = ? WHERE contact_id = ? AND comment IS NOT "
      "NULL",
      {now, id}));
  return tx.Execute(
      "UPDATE outbox SET recipient_name = ?, recipient_email = '', subject = '(erased)', body = "
      "'', status = CASE WHEN status = 'sent' THEN 'sent' ELSE 'failed' END, last_error = CASE "
      "WHEN status = 'sent' THEN last_error ELSE 'the contact was erased' END WHERE contact_id = "
      "?",
      {std::string(kErasedName), id});
}

Result<api::Response> EraseContact(api::ApiContext& ctx, const api::Request& r,
                                   const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  RAPPORT_ASSIGN_OR_RETURN(api::JsonValue body, api::ParseJson(r.body));
  const api::JsonValue* reason = body.Find("reason");
  if (!reason || reason->kind != api::JsonValue::Kind::kString || reason->text.empty() ||
      !IsUtf8(reason->text) || Utf8Characters(reason->text) > 500) {
    return Error::InvalidField("reason",
                               "is required: why the contact is erased (a request under GDPR "
                               "article 17, ...), at most 500 characters");
  }
  const audit::Actor actor{c.user_id, ctx.clock.Now()};
  Erased erased;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(std::optional<db::Row> contact,
                             tx.QueryOne(std::string("SELECT email FROM contacts WHERE id = ?") +
                                             db::LockRowSuffix(tx.backend()),
                                         {id}));
    if (!contact) return Error(ErrorCode::kNotFound, "no contact " + std::to_string(id));
    const std::string email = contact->IsNull("email") ? "" : contact->Text("email");
    RAPPORT_ASSIGN_OR_RETURN(erased.emails,
                             activities::EraseContactEmails(tx, id, email, actor.at));
    RAPPORT_ASSIGN_OR_RETURN(erased.files, files::EraseAttachments(tx, "contact_id", id));
    RAPPORT_RETURN_IF_ERROR(EraseTraces(tx, id, actor.at));
    RAPPORT_RETURN_IF_ERROR(EraseContactRow(tx, id, actor.at));
    // The history held what the fields were: it goes, and says only that the contact was erased.
    RAPPORT_RETURN_IF_ERROR(tx.Execute(
        "DELETE FROM audit_history WHERE table_name = 'contacts' AND record_id = ?", {id}));
    return audit::RecordFieldChange(tx, actor, "contacts", id, "erasure", std::nullopt,
                                    reason->text);
  }));
  api::JsonWriter w;
  w.StartObject();
  w.Key("id").String(api::FormatId(id));
  w.Key("name").String(kErasedName);
  w.Key("files_deleted").Int(erased.files);
  w.Key("emails_deleted").Int(erased.emails);
  w.Key("erased_at").String(FormatInstant(actor.at));
  w.EndObject();
  return api::Response::Json(w.Take());
}

}  // namespace

void RegisterContactErasureRoute(api::Router& router, api::ApiContext& ctx) {
  router.Add(
      {"POST",
       "/api/v1/contacts/{id}/erasure",
       api::Access::kAdmins,
       api::Reach::Record("contacts", "contact", api::Scope::kViaAccount),
       [&ctx](const api::Request& r, const api::Caller& c) { return EraseContact(ctx, r, c); },
       {"Erase a contact's personal data (the right to be forgotten): the record stays as "
        "\"Erased contact\" for what it was part of; its details, history, files, emails, "
        "messages and comments go",
        "Contacts",
        {},
        R"j({"type":"object","required":["reason"],"properties":{"reason":{"type":"string",)j"
        R"j("maxLength":500,"description":"why (a request under GDPR article 17, ...)"}}})j",
        R"j({"type":"object","properties":{"id":{"type":"string"},"name":{"type":"string"},)j"
        R"j("files_deleted":{"type":"integer"},"emails_deleted":{"type":"integer"},)j"
        R"j("erased_at":{"type":"string","format":"date-time"}}})j",
        200,
        "eraseContact"}});
}

}  // namespace rapport::accounts
