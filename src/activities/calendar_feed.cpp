#include "activities/calendar_feed.hpp"

#include "api/ics.hpp"
#include "api/json.hpp"
#include "auth/sessions.hpp"

namespace rapport::activities {
namespace {

constexpr std::int64_t kMinute = 60 * kMicrosPerSecond;
constexpr std::int64_t kDaysBack = 90;
constexpr std::int64_t kDaysAhead = 366;
constexpr int kMostEach = 2000;  // events of each kind in one feed: the latest

std::string Where(const db::Row& row) {
  const std::string city = row.Text("city");
  return city.empty() ? row.Text("account_name") : row.Text("account_name") + ", " + city;
}

// The feed of `user_id` (the owner of a valid token) as iCalendar.
Result<std::string> Feed(db::Transaction& tx, std::int64_t user_id, const std::string& name,
                         const std::string& domain, Instant now) {
  api::IcsWriter ics("Rapport: " + name);
  const Instant since = now - kDaysBack * kMicrosPerDay;
  const Instant until = now + kDaysAhead * kMicrosPerDay;
  // Meetings and visits take an hour, calls half an hour: activities keep when, not how long.
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows activities,
      tx.Query("SELECT a.id, a.kind, a.occurred_at, a.subject, a.body, a.updated_at, "
               "acc.name AS account_name, acc.city FROM activities a JOIN accounts acc ON "
               "acc.id = a.account_id WHERE a.user_id = ? AND a.occurred_at >= ? AND (a.kind = "
               "'meeting' OR a.kind = 'visit' OR a.kind = 'call') AND a.occurred_at < ? ORDER BY "
               "a.occurred_at DESC LIMIT ?",
               {user_id, since, until, std::int64_t{kMostEach}}));
  for (const db::Row& a : activities) {
    const std::string kind = a.Text("kind");
    const Instant start = a.Int("occurred_at");
    ics.Add({.uid = "activity-" + a.Text("id") + "@" + domain,
             .stamp = a.Int("updated_at"),
             .start = start,
             .end = start + (kind == "call" ? 30 : 60) * kMinute,
             .summary = a.Text("subject") + " (" + a.Text("account_name") + ")",
             .description = a.Text("body"),
             .location = kind == "visit" ? Where(a) : ""});
  }
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows plans,
      tx.Query("SELECT cp.id, cp.planned_for, cp.best_action, cp.minimum_action, cp.updated_at, "
               "acc.name AS account_name, acc.city FROM call_plans cp JOIN accounts acc ON "
               "acc.id = cp.account_id WHERE cp.user_id = ? AND cp.reviewed_at IS NULL AND "
               "cp.planned_for >= ? AND cp.planned_for < ? ORDER BY cp.planned_for DESC LIMIT ?",
               {user_id, since, until, std::int64_t{kMostEach}}));
  for (const db::Row& p : plans) {
    const Instant start = p.Int("planned_for");
    ics.Add({.uid = "call-plan-" + p.Text("id") + "@" + domain,
             .stamp = p.Int("updated_at"),
             .start = start,
             .end = start + 60 * kMinute,
             .summary = "Planned call: " + p.Text("account_name"),
             .description = "Best action: " + p.Text("best_action") +
                            "\nMinimum action: " + p.Text("minimum_action"),
             .location = Where(p)});
  }
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows tasks,
      tx.Query("SELECT t.id, t.subject, t.due_on, t.updated_at, acc.name AS account_name FROM "
               "tasks t LEFT JOIN accounts acc ON acc.id = t.account_id WHERE t.owner_id = ? AND "
               "t.done_at IS NULL AND t.due_on IS NOT NULL ORDER BY t.due_on DESC LIMIT ?",
               {user_id, std::int64_t{kMostEach}}));
  for (const db::Row& t : tasks) {
    std::int64_t day = 0;
    if (!ParseDate(t.Text("due_on"), day)) continue;
    const std::string account = t.Text("account_name");
    ics.Add(
        {.uid = "task-" + t.Text("id") + "@" + domain,
         .stamp = t.Int("updated_at"),
         .all_day = day,
         .summary = "Task: " + t.Text("subject") + (account.empty() ? "" : " (" + account + ")")});
  }
  return ics.Finish();
}

Result<api::Response> GetFeed(api::ApiContext& ctx, const std::string& domain,
                              const api::Request& r) {
  const std::string token_hash = auth::HashToken(r.PathParam("token"));
  std::string body;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        std::optional<db::Row> owner,
        tx.QueryOne("SELECT u.id, u.name FROM calendar_feeds f JOIN users u ON u.id = f.user_id "
                    "WHERE f.token_hash = ? AND u.status <> 'left'",
                    {token_hash}));
    if (!owner) return Error(ErrorCode::kNotFound, "no such calendar feed");
    RAPPORT_ASSIGN_OR_RETURN(
        body, Feed(tx, owner->Int("id"), owner->Text("name"), domain, ctx.clock.Now()));
    return Ok();
  }));
  api::Response response = api::Response::Json(std::move(body));
  response.content_type = "text/calendar; charset=utf-8";
  return response.WithHeader("Cache-Control", "private, max-age=300");
}

Result<api::Response> FeedState(api::ApiContext& ctx, const api::Caller& caller) {
  std::optional<db::Row> feed;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        feed,
        tx.QueryOne("SELECT created_at FROM calendar_feeds WHERE user_id = ?", {caller.user_id}));
    return Ok();
  }));
  api::JsonWriter w;
  w.StartObject().Key("active").Bool(feed.has_value());
  if (feed) w.Key("created_at").String(FormatInstant(feed->Int("created_at")));
  w.EndObject();
  return api::Response::Json(w.Take());
}

Result<api::Response> NewFeed(api::ApiContext& ctx, const std::string& public_url,
                              const api::Caller& caller) {
  const std::string token = auth::RandomToken("cal_");
  const Instant now = ctx.clock.Now();
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("DELETE FROM calendar_feeds WHERE user_id = ?", {caller.user_id}));
    return tx.Execute(
        "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (?, ?, ?)",
        {caller.user_id, auth::HashToken(token), now});
  }));
  const std::string path = "/api/v1/calendar/" + token;
  api::JsonWriter w;
  w.StartObject().Key("active").Bool(true).Key("created_at").String(FormatInstant(now));
  w.Key("path").String(path).Key("url").String(public_url + path).EndObject();
  return api::Response::Created(w.Take(), "/api/v1/calendar-feed");
}

Result<api::Response> RevokeFeed(api::ApiContext& ctx, const api::Caller& caller) {
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    return tx.Execute("DELETE FROM calendar_feeds WHERE user_id = ?", {caller.user_id});
  }));
  return api::Response::NoContent();
}

constexpr const char* kStateSchema =
    R"({"type":"object","properties":{"active":{"type":"boolean"},"created_at":{"type":"string","format":"date-time"},"path":{"type":"string"},"url":{"type":"string"}},"required":["active"]})";

}  // namespace

void RegisterCalendarFeedRoutes(api::Router& router, api::ApiContext& ctx, std::string public_url) {
  router.Add({"GET",
              "/api/v1/calendar-feed",
              api::Access::kSignedIn,
              api::Reach::None("the caller's own feed"),
              [&ctx](const api::Request&, const api::Caller& c) { return FeedState(ctx, c); },
              {"Whether the caller has a calendar feed, and since when",
               "Activities",
               {},
               "",
               kStateSchema,
               200,
               "getMyCalendarFeed"}});
  router.Add({"POST",
              "/api/v1/calendar-feed",
              api::Access::kSignedIn,
              api::Reach::None("the caller's own feed"),
              [&ctx, public_url](const api::Request&, const api::Caller& c) {
                return NewFeed(ctx, public_url, c);
              },
              {"A new secret address of the caller's calendar (meetings, visits, calls, planned "
               "calls, tasks) for a calendar app; shown once; any earlier address stops working",
               "Activities",
               {},
               "",
               kStateSchema,
               201,
               "createCalendarFeed"}});
  router.Add({"DELETE",
              "/api/v1/calendar-feed",
              api::Access::kSignedIn,
              api::Reach::None("the caller's own feed"),
              [&ctx](const api::Request&, const api::Caller& c) { return RevokeFeed(ctx, c); },
              {"Revokes the caller's calendar feed",
               "Activities",
               {},
               "",
               "",
               204,
               "revokeCalendarFeed"}});
  router.Add({"GET",
              "/api/v1/calendar/{token}",
              api::Access::kPublic,
              api::Reach::None("public: the feed's secret address"),
              [&ctx, domain = api::UidDomain(public_url)](
                  const api::Request& r, const api::Caller&) { return GetFeed(ctx, domain, r); },
              {"A calendar feed (iCalendar, no sign-in: the address is the secret)",
               "Activities",
               {},
               "",
               "",
               200,
               "getCalendarFeed"}});
}

}  // namespace rapport::activities
