#include "success/surveys.hpp"

#include "api/access.hpp"
#include "auth/sessions.hpp"

namespace rapport::success {
namespace {

using api::FieldType;

struct Scale {
  int min, max;
};

Scale ScaleOf(const std::string& kind) {
  if (kind == "nps") return {0, 10};
  if (kind == "csat") return {1, 5};
  return {1, 10};  // csi
}

std::string Question(const std::string& kind, const std::string& company,
                     const std::string& about) {
  if (kind == "nps") {
    return "How likely are you to recommend " + company +
           " to a colleague? (0 = not at all, "
           "10 = extremely likely)";
  }
  if (kind == "csat") {
    return "How satisfied are you with how we handled " + about +
           "? (1 = very dissatisfied, "
           "5 = very satisfied)";
  }
  return "Overall, how satisfied are you with " + company +
         ": our products, our service and the "
         "people you deal with? (1 = very dissatisfied, 10 = very satisfied)";
}

// What the survey asks about, in words ("your case \"...\"", "the milestone \"...\"").
Result<std::string> About(db::Transaction& tx, const db::Value& case_id,
                          const db::Value& milestone_id) {
  if (std::holds_alternative<std::int64_t>(case_id)) {
    RAPPORT_ASSIGN_OR_RETURN(auto row,
                             tx.QueryOne("SELECT subject FROM cases WHERE id = ?", {case_id}));
    if (row) return "your case \"" + row->Text("subject") + "\"";
  }
  if (std::holds_alternative<std::int64_t>(milestone_id)) {
    RAPPORT_ASSIGN_OR_RETURN(
        auto row, tx.QueryOne("SELECT name FROM milestones WHERE id = ?", {milestone_id}));
    if (row) return "reaching \"" + row->Text("name") + "\"";
  }
  return std::string("our work together");
}

api::ResourceSpec SurveySpec() {
  api::ResourceSpec s;
  s.plural = "surveys";
  s.singular = "survey";
  s.tag = "Customer success";
  s.scope = api::Scope::kViaAccount;
  s.deletion = api::Deletion::kNone;
  s.creatable = false;  // POST sends one: see below
  auto read_only = [](std::string name, FieldType type, bool filterable = false,
                      std::string references = "") {
    return api::FieldSpec{.name = std::move(name),
                          .type = type,
                          .writable = false,
                          .filterable = filterable,
                          .references = std::move(references)};
  };
  s.fields = {
      read_only("account_id", FieldType::kReference, true, "accounts"),
      read_only("contact_id", FieldType::kReference, true, "contacts"),
      read_only("kind", FieldType::kString, true),
      read_only("sent_after", FieldType::kString, true),
      read_only("case_id", FieldType::kReference, true, "cases"),
      read_only("milestone_id", FieldType::kReference, true, "milestones"),
      read_only("sent_by_id", FieldType::kReference, true, "users"),
      read_only("status", FieldType::kString, true),
      read_only("expires_at", FieldType::kInstant),
      read_only("score", FieldType::kInteger),
      read_only("comment", FieldType::kString),
      read_only("answered_at", FieldType::kInstant, true),
  };
  return s;
}

// The survey behind a link, when it may still be answered.
Result<db::Row> OpenSurvey(db::Transaction& tx, const std::string& token, Instant now) {
  RAPPORT_ASSIGN_OR_RETURN(
      auto row,
      tx.QueryOne("SELECT s.id, s.kind, s.status, s.expires_at, s.case_id, s.milestone_id, "
                  "k.first_name, a.name AS account_name, s.account_id, s.contact_id, s.sent_by_id "
                  "FROM surveys s JOIN contacts k ON k.id = s.contact_id JOIN accounts a ON "
                  "a.id = s.account_id WHERE s.token_hash = ?",
                  {auth::HashToken(token)}));
  if (!row) return Error(ErrorCode::kNotFound, "no such survey link");
  if (row->Text("status") != "sent") {
    return Error(ErrorCode::kGone, "this survey has already been answered; thank you");
  }
  if (row->Int("expires_at") <= now) return Error(ErrorCode::kGone, "this survey link has expired");
  return *row;
}

Result<api::Response> SendSurvey(api::ApiContext& ctx, const SurveySettings& settings,
                                 const api::Request& r, const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(api::JsonValue body, api::ParseJson(r.body));
  if (body.kind != api::JsonValue::Kind::kObject) {
    return Error::InvalidField("body", "must be a JSON object");
  }
  SurveyRequest request;
  for (const auto& [key, v] : body.members) {
    if (key == "contact_id") {
      RAPPORT_ASSIGN_OR_RETURN(request.contact_id, api::ParseIdValue(v, key));
    } else if (key == "kind") {
      if (v.kind != api::JsonValue::Kind::kString ||
          (v.text != "csi" && v.text != "csat" && v.text != "nps")) {
        return Error::InvalidField(key, "must be csi, csat or nps");
      }
      request.kind = v.text;
    } else if (key == "case_id") {
      RAPPORT_ASSIGN_OR_RETURN(request.case_id, api::ParseIdValue(v, key));
      request.sent_after = "case";
    } else if (key == "milestone_id") {
      RAPPORT_ASSIGN_OR_RETURN(request.milestone_id, api::ParseIdValue(v, key));
      request.sent_after = "milestone";
    } else {
      return Error::InvalidField(key, "is not a field of a survey to send");
    }
  }
  if (request.contact_id == 0) return Error::InvalidField("contact_id", "is required");
  if (request.kind.empty()) return Error::InvalidField("kind", "is required");
  SentSurvey sent;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        auto contact,
        tx.QueryOne("SELECT account_id FROM contacts WHERE id = ?", {request.contact_id}));
    if (!contact) return Error::InvalidField("contact_id", "refers to no contact");
    request.account_id = contact->Int("account_id");
    RAPPORT_RETURN_IF_ERROR(api::CheckAccountInReach(tx, c, request.account_id, "contact_id"));
    for (const auto& [table, id] :
         {std::pair<std::string, std::optional<std::int64_t>>{"cases", request.case_id},
          {"milestones", request.milestone_id}}) {
      if (!id) continue;
      RAPPORT_ASSIGN_OR_RETURN(
          auto row, tx.QueryOne("SELECT account_id FROM " + table + " WHERE id = ?", {*id}));
      if (!row || row->Int("account_id") != request.account_id) {
        return Error::InvalidField(table == "cases" ? "case_id" : "milestone_id",
                                   "must be of the contact's account");
      }
    }
    RAPPORT_ASSIGN_OR_RETURN(sent, SendSurvey(tx, settings, ctx.clock.Now(), c.user_id, request));
    return Ok();
  }));
  api::JsonWriter w;
  w.StartObject().Key("id").String(api::FormatId(sent.id)).Key("link").String(sent.link);
  w.EndObject();
  return api::Response::Created(w.Take(), "/api/v1/surveys/" + api::FormatId(sent.id));
}

Result<api::Response> GetSurveyQuestion(api::ApiContext& ctx, const SurveySettings& settings,
                                        const api::Request& r, const api::Caller&) {
  const std::string token = r.PathParam("token");
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(db::Row s, OpenSurvey(tx, token, ctx.clock.Now()));
    RAPPORT_ASSIGN_OR_RETURN(
        std::string about, About(tx, s.at(s.IndexOf("case_id")), s.at(s.IndexOf("milestone_id"))));
    const Scale scale = ScaleOf(s.Text("kind"));
    w.StartObject().Key("kind").String(s.Text("kind"));
    w.Key("question").String(Question(s.Text("kind"), settings.company_name, about));
    w.Key("min").Int(scale.min).Key("max").Int(scale.max);
    w.Key("first_name").String(s.Text("first_name")).Key("account").String(s.Text("account_name"));
    w.Key("company").String(settings.company_name).EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

Result<api::Response> AnswerSurvey(api::ApiContext& ctx, const api::Request& r,
                                   const api::Caller&) {
  const std::string token = r.PathParam("token");
  RAPPORT_ASSIGN_OR_RETURN(api::JsonValue body, api::ParseJson(r.body));
  if (body.kind != api::JsonValue::Kind::kObject) {
    return Error::InvalidField("body", "must be a JSON object with a score");
  }
  std::optional<std::int64_t> score;
  std::optional<std::string> comment;
  for (const auto& [key, v] : body.members) {
    if (key == "score") {
      if (v.kind != api::JsonValue::Kind::kInt) {
        return Error::InvalidField(key, "must be a whole number");
      }
      score = v.integer;
    } else if (key == "comment") {
      if (v.kind == api::JsonValue::Kind::kNull) continue;
      if (v.kind != api::JsonValue::Kind::kString || v.text.size() > 4000) {
        return Error::InvalidField(key, "must be text of at most 4000 characters");
      }
      comment = v.text;
    } else {
      return Error::InvalidField(key, "is not part of an answer");
    }
  }
  if (!score) return Error::InvalidField("score", "is required");
  const Instant now = ctx.clock.Now();
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(db::Row s, OpenSurvey(tx, token, now));
    const Scale scale = ScaleOf(s.Text("kind"));
    if (*score < scale.min || *score > scale.max) {
      return Error::InvalidField("score", "must be from " + std::to_string(scale.min) + " to " +
                                              std::to_string(scale.max));
    }
    // One use: only the first answer finds the survey still open.
    RAPPORT_ASSIGN_OR_RETURN(
        auto used,
        tx.QueryOne("UPDATE surveys SET status = 'answered', score = ?, comment = ?, "
                    "answered_at = ?, updated_at = ?, version = version + 1 WHERE id = ? "
                    "AND status = 'sent' RETURNING id",
                    {*score, db::OptionalText(comment), now, now, s.Int("id")}));
    if (!used) return Error(ErrorCode::kGone, "this survey has already been answered");
    // On the account's timeline, with the contact.
    std::string kind = s.Text("kind");
    for (auto& ch : kind) ch = static_cast<char>(std::toupper(ch));
    RAPPORT_ASSIGN_OR_RETURN(
        std::int64_t activity,
        tx.QueryInt("INSERT INTO activities (account_id, user_id, kind, occurred_at, "
                    "subject, body, created_at, updated_at) VALUES (?, ?, 'note', ?, ?, ?, "
                    "?, ?) RETURNING id",
                    {s.Int("account_id"), s.Int("sent_by_id"), now,
                     kind + " survey answered: " + std::to_string(*score),
                     db::OptionalText(comment), now, now}));
    return tx.Execute("INSERT INTO activity_contacts (activity_id, contact_id) VALUES (?, ?)",
                      {activity, s.Int("contact_id")});
  }));
  return api::Response::NoContent();
}

}  // namespace

std::string SatisfactionIndexSql(std::string_view alias) {
  const std::string a(alias);
  return "(CASE " + a + ".kind WHEN 'nps' THEN " + a + ".score * 10 WHEN 'csat' THEN (" + a +
         ".score - 1) * 25 ELSE (" + a + ".score - 1) * 100 / 9 END)";
}

Result<SentSurvey> SendSurvey(db::Transaction& tx, const SurveySettings& settings, Instant now,
                              std::int64_t sender_id, const SurveyRequest& request) {
  RAPPORT_ASSIGN_OR_RETURN(
      auto contact, tx.QueryOne("SELECT first_name, last_name, email, account_id, do_not_contact, "
                                "email_opted_out FROM contacts WHERE id = ? AND left_at IS NULL",
                                {request.contact_id}));
  if (!contact || contact->Int("account_id") != request.account_id) {
    return Error::InvalidField("contact_id", "must be a current contact of the account");
  }
  if (contact->Bool("do_not_contact")) {
    return Error::InvalidField("contact_id", "asked not to be contacted");
  }
  if (contact->Bool("email_opted_out")) {
    return Error::InvalidField("contact_id", "has opted out of email");
  }
  if (contact->IsNull("email") || contact->Text("email").empty()) {
    return Error::InvalidField("contact_id", "has no email address to send the survey to");
  }
  RAPPORT_ASSIGN_OR_RETURN(auto sender,
                           tx.QueryOne("SELECT name, email FROM users WHERE id = ?", {sender_id}));
  if (!sender) return Error(ErrorCode::kInternal, "no sender");
  const std::string token = auth::RandomToken("");
  SentSurvey sent;
  sent.link = settings.public_url + "/survey/" + token;
  RAPPORT_ASSIGN_OR_RETURN(std::string about, About(tx, db::OptionalInt(request.case_id),
                                                    db::OptionalInt(request.milestone_id)));
  const std::string body = "Dear " + contact->Text("first_name") + ",\n\n" +
                           Question(request.kind, settings.company_name, about) +
                           "\n\nOne click answers it, no sign-in needed:\n" + sent.link +
                           "\n\nThank you,\n" + sender->Text("name") + "\n" +
                           settings.company_name + "\n";
  RAPPORT_ASSIGN_OR_RETURN(
      std::int64_t message,
      tx.QueryInt("INSERT INTO outbox (kind, sender_user_id, sender_name, sender_email, "
                  "recipient_name, recipient_email, subject, body, account_id, contact_id, "
                  "next_attempt_at, created_at) VALUES ('survey', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                  "RETURNING id",
                  {sender_id, sender->Text("name"), sender->Text("email"),
                   contact->Text("first_name") + " " + contact->Text("last_name"),
                   contact->Text("email"), "A quick question from " + settings.company_name, body,
                   request.account_id, request.contact_id, now, now}));
  RAPPORT_ASSIGN_OR_RETURN(
      sent.id,
      tx.QueryInt("INSERT INTO surveys (account_id, contact_id, kind, sent_after, case_id, "
                  "milestone_id, sent_by_id, token_hash, expires_at, outbox_id, created_at, "
                  "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  {request.account_id, request.contact_id, request.kind, request.sent_after,
                   db::OptionalInt(request.case_id), db::OptionalInt(request.milestone_id),
                   sender_id, auth::HashToken(token),
                   now + std::int64_t{settings.valid_days} * kMicrosPerDay, message, now, now}));
  return sent;
}

Result<std::string> SendScheduledSurveys(db::Transaction& tx, const SurveySettings& settings,
                                         Instant now) {
  if (settings.every_days <= 0) return std::string("off (--survey-every-days)");
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows due,
      tx.Query("SELECT t.id, t.owner_id, t.contact FROM (SELECT a.id, a.owner_id, (SELECT k.id "
               "FROM contacts k WHERE k.account_id = a.id AND k.left_at IS NULL AND k.email IS "
               "NOT NULL AND k.do_not_contact = 0 AND k.email_opted_out = 0 ORDER BY CASE "
               "k.influence WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 "
               "END, k.id LIMIT 1) AS contact FROM accounts a WHERE a.status = 'customer' AND "
               "a.archived_at IS NULL AND a.owner_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
               "surveys s WHERE s.account_id = a.id AND s.created_at > ?)) t WHERE t.contact IS "
               "NOT NULL ORDER BY t.id LIMIT ?",
               {now - std::int64_t{settings.every_days} * kMicrosPerDay,
                std::int64_t{settings.per_night}}));
  for (const auto& r : due) {
    RAPPORT_ASSIGN_OR_RETURN(SentSurvey sent, SendSurvey(tx, settings, now, r.Int("owner_id"),
                                                         {.account_id = r.Int("id"),
                                                          .contact_id = r.Int("contact"),
                                                          .kind = "nps",
                                                          .sent_after = "schedule"}));
    (void)sent;
  }
  return "sent " + std::to_string(due.size()) + " survey(s)";
}

void RegisterSurveyRoutes(api::Router& router, api::ApiContext& ctx, SurveySettings settings) {
  api::RegisterResource(router, ctx, SurveySpec());

  router.Add(
      {"POST",
       "/api/v1/surveys",
       api::Access::kSignedIn,
       api::Reach::OwnRule("the contact's account must be in the caller's reach"),
       [&ctx, settings](const api::Request& r, const api::Caller& c) {
         return SendSurvey(ctx, settings, r, c);
       },
       {"Sends a survey (csi, csat or nps) to a contact by email with a one-use link; the link is "
        "in this answer only",
        "Customer success",
        {},
        R"({"type":"object","required":["contact_id","kind"],"properties":{"contact_id":{"type":"string"},"kind":{"type":"string","enum":["csi","csat","nps"]},"case_id":{"type":"string"},"milestone_id":{"type":"string"}}})",
        R"({"type":"object","properties":{"id":{"type":"string"},"link":{"type":"string"}}})",
        201}});

  router.Add(
      {"GET",
       "/api/v1/surveys/answer/{token}",
       api::Access::kPublic,
       api::Reach::None("public: the survey's secret token"),
       [&ctx, settings](const api::Request& r, const api::Caller& c) {
         return GetSurveyQuestion(ctx, settings, r, c);
       },
       {"The question behind a survey link (no sign-in); 410 once answered or expired",
        "Customer success",
        {},
        "",
        R"({"type":"object","properties":{"kind":{"type":"string"},"question":{"type":"string"},"min":{"type":"integer"},"max":{"type":"integer"}}})",
        200,
        "getSurveyQuestion"}});

  router.Add(
      {"POST",
       "/api/v1/surveys/answer/{token}",
       api::Access::kPublic,
       api::Reach::None("public: the survey's secret token"),
       [&ctx](const api::Request& r, const api::Caller& c) { return AnswerSurvey(ctx, r, c); },
       {"Answers a survey through its link (no sign-in), once",
        "Customer success",
        {},
        R"({"type":"object","required":["score"],"properties":{"score":{"type":"integer"},"comment":{"type":"string"}}})",
        "",
        204,
        "answerSurvey"}});
}

}  // namespace rapport::success
