#include "webhooks/webhook_routes.hpp"

#include <algorithm>
#include <set>

#include "api/query.hpp"
#include "audit/events.hpp"
#include "webhooks/delivery.hpp"
#include "webhooks/signing.hpp"

namespace rapport::webhooks {
namespace {

using api::JsonValue;

const char kAdminTool[] = "an admin tool: nothing account-bound";
constexpr std::size_t kMaxUrl = 2000;
constexpr std::size_t kMaxDescription = 500;
// How long a rotated secret still signs beside the new one, so receivers can switch over.
constexpr std::int64_t kOldSecretMicros = 24 * 3600 * kMicrosPerSecond;

bool IsLoopback(std::string_view host) {
  return host == "localhost" || host.starts_with("127.") || host == "[::1]";
}

// An endpoint's address: https, or http to this machine (a receiver beside the server); no
// user name or password in it.
Status CheckUrl(const std::string& url) {
  const auto bad = [](std::string why) { return Error::InvalidField("url", std::move(why)); };
  if (url.size() > kMaxUrl) return bad("must be at most 2000 characters");
  const bool https = url.starts_with("https://");
  if (!https && !url.starts_with("http://")) return bad("must be an https:// address");
  const std::size_t start = https ? 8 : 7;
  std::size_t end = url.find_first_of("/?#", start);
  if (end == std::string::npos) end = url.size();
  const std::string authority = url.substr(start, end - start);
  if (authority.find('@') != std::string::npos) {
    return bad("must not carry a user name or password: the signature proves who sent it");
  }
  if (std::any_of(url.begin(), url.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; })) {
    return bad("must not contain spaces or control characters");
  }
  std::string host = authority;
  if (host.starts_with("[")) {
    host = host.substr(0, host.find(']') == std::string::npos ? host.size() : host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host.empty()) return bad("must name a host");
  if (!https && !IsLoopback(host)) {
    return bad("must be an https:// address (http only for a receiver on this machine)");
  }
  return Ok();
}

struct EndpointInput {
  std::optional<std::string> url, description, events;
  std::optional<bool> active;
};

Result<EndpointInput> ParseEndpoint(std::string_view text, bool creating) {
  RAPPORT_ASSIGN_OR_RETURN(JsonValue body, api::ParseJson(text));
  if (body.kind != JsonValue::Kind::kObject)
    return Error::InvalidField("body", "must be an object");
  EndpointInput in;
  for (const auto& [key, value] : body.members) {
    if (key == "url") {
      if (value.kind != JsonValue::Kind::kString)
        return Error::InvalidField(key, "must be a string");
      RAPPORT_RETURN_IF_ERROR(CheckUrl(value.text));
      in.url = value.text;
    } else if (key == "description") {
      if (value.kind == JsonValue::Kind::kNull) {
        in.description = "";
      } else if (value.kind != JsonValue::Kind::kString) {
        return Error::InvalidField(key, "must be a string");
      } else if (value.text.size() > kMaxDescription) {
        return Error::InvalidField(key, "must be at most 500 characters");
      } else {
        in.description = value.text;
      }
    } else if (key == "events") {
      if (value.kind != JsonValue::Kind::kArray || value.items.empty()) {
        return Error::InvalidField(key, "must be a list of one or more event types");
      }
      std::set<std::string> seen;
      std::string joined;
      for (std::size_t i = 0; i < value.items.size(); ++i) {
        const JsonValue& item = value.items[i];
        const std::string field = "events[" + std::to_string(i) + "]";
        if (item.kind != JsonValue::Kind::kString || !audit::IsEventType(item.text)) {
          return Error::InvalidField(field,
                                     "is not an event type (GET /api/v1/webhook-event-types)");
        }
        if (!seen.insert(item.text).second) continue;
        joined += (joined.empty() ? "" : " ") + item.text;
      }
      in.events = joined;
    } else if (key == "active") {
      if (value.kind != JsonValue::Kind::kBool)
        return Error::InvalidField(key, "must be true or false");
      in.active = value.boolean;
    } else if (key == "id" || key == "version" || key == "created_at" || key == "updated_at" ||
               key == "secret_hint" || key == "deliveries") {
      continue;  // what GET answered, sent back
    } else {
      return Error::InvalidField(key, "is not a field of a webhook endpoint");
    }
  }
  if (creating && !in.url) return Error::InvalidField("url", "is required");
  if (creating && !in.events) return Error::InvalidField("events", "is required");
  return in;
}

constexpr const char* kEndpointColumns =
    "id, url, description, events, secret, active, created_at, updated_at, version";

void WriteEvents(api::JsonWriter& w, const std::string& events) {
  w.StartArray();
  std::size_t at = 0;
  while (at < events.size()) {
    std::size_t end = events.find(' ', at);
    if (end == std::string::npos) end = events.size();
    w.String(std::string_view(events).substr(at, end - at));
    at = end + 1;
  }
  w.EndArray();
}

// The endpoint's deliveries by status: "pending" (pending or being sent), "delivered", "failed".
using Counts = std::map<std::string, std::int64_t>;

Result<std::map<std::int64_t, Counts>> DeliveryCounts(db::Transaction& tx,
                                                      std::optional<std::int64_t> endpoint) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query(std::string("SELECT endpoint_id, status, count(*) AS n FROM webhook_deliveries ") +
                   (endpoint ? "WHERE endpoint_id = ? " : "") + "GROUP BY endpoint_id, status",
               endpoint ? db::Params{*endpoint} : db::Params{}));
  std::map<std::int64_t, Counts> counts;
  for (const db::Row& r : rows) {
    const std::string raw = r.Text("status");
    const std::string status = raw == "sending" || raw == "queued" ? "pending" : raw;
    counts[r.Int("endpoint_id")][status] += r.Int("n");
  }
  return counts;
}

void WriteEndpoint(api::JsonWriter& w, const db::Row& e, const Counts& counts,
                   const std::optional<std::string>& secret = std::nullopt) {
  w.StartObject()
      .Key("id")
      .String(api::FormatId(e.Int("id")))
      .Key("url")
      .String(e.Text("url"))
      .Key("description")
      .String(e.Text("description"))
      .Key("events");
  WriteEvents(w, e.Text("events"));
  w.Key("active").Bool(e.Int("active") == 1);
  w.Key("secret_hint").String(SecretHint(e.Text("secret")));
  if (secret) w.Key("secret").String(*secret);
  w.Key("deliveries").StartObject();
  for (const char* status : {"pending", "delivered", "failed"}) {
    const auto found = counts.find(status);
    w.Key(status).Int(found == counts.end() ? 0 : found->second);
  }
  w.EndObject();
  w.Key("created_at").String(FormatInstant(e.Int("created_at")));
  w.Key("updated_at").String(FormatInstant(e.Int("updated_at")));
  w.Key("version").Int(e.Int("version")).EndObject();
}

Result<db::Row> LoadEndpoint(db::Transaction& tx, std::int64_t id) {
  RAPPORT_ASSIGN_OR_RETURN(std::optional<db::Row> row,
                           tx.QueryOne(std::string("SELECT ") + kEndpointColumns +
                                           " FROM webhook_endpoints WHERE id = ?",
                                       {id}));
  if (!row) return Error(ErrorCode::kNotFound, "no webhook endpoint " + std::to_string(id));
  return *row;
}

Status Exists(db::Transaction& tx, std::int64_t id) {
  RAPPORT_ASSIGN_OR_RETURN(std::optional<db::Row> row,
                           tx.QueryOne("SELECT 1 FROM webhook_endpoints WHERE id = ?", {id}));
  if (!row) return Error(ErrorCode::kNotFound, "no webhook endpoint " + std::to_string(id));
  return Ok();
}

// One endpoint's JSON, with its ETag.
Result<api::Response> EndpointResponse(db::Transaction& tx, std::int64_t id,
                                       const std::optional<std::string>& secret = std::nullopt,
                                       int status = 200) {
  RAPPORT_ASSIGN_OR_RETURN(db::Row row, LoadEndpoint(tx, id));
  RAPPORT_ASSIGN_OR_RETURN(auto counts, DeliveryCounts(tx, id));
  api::JsonWriter w;
  WriteEndpoint(w, row, counts[id], secret);
  api::Response response =
      status == 201 ? api::Response::Created(w.Take(), "/api/v1/webhooks/" + api::FormatId(id))
                    : api::Response::Json(w.Take(), status);
  return response.WithHeader("ETag", api::ETagOf(row.Int("version")));
}

Result<api::Response> ListEndpoints(api::ApiContext& ctx, const api::Request& r) {
  RAPPORT_RETURN_IF_ERROR(api::Query(r).Finish());
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(std::string("SELECT ") + kEndpointColumns +
                                                     " FROM webhook_endpoints ORDER BY id"));
    RAPPORT_ASSIGN_OR_RETURN(auto counts, DeliveryCounts(tx, std::nullopt));
    w.StartObject().Key("items").StartArray();
    for (const db::Row& row : rows) WriteEndpoint(w, row, counts[row.Int("id")]);
    w.EndArray().EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

Result<api::Response> CreateEndpoint(api::ApiContext& ctx, const api::Request& r,
                                     const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(EndpointInput in, ParseEndpoint(r.body, true));
  const std::string secret = NewSecret();
  const Instant now = ctx.clock.Now();
  std::optional<api::Response> response;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    // Not InsertAudited: the trail must never hold the secret.
    RAPPORT_ASSIGN_OR_RETURN(
        std::int64_t id,
        tx.QueryInt("INSERT INTO webhook_endpoints (url, description, events, secret, active, "
                    "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    "RETURNING id",
                    {*in.url, in.description.value_or(""), *in.events, secret,
                     std::int64_t{in.active.value_or(true) ? 1 : 0}, c.user_id, now, now}));
    RAPPORT_RETURN_IF_ERROR(audit::RecordCreate(tx, {c.user_id, now}, "webhook_endpoints", id));
    RAPPORT_ASSIGN_OR_RETURN(response, EndpointResponse(tx, id, secret, 201));
    return Ok();
  }));
  return std::move(*response);
}

Result<api::Response> GetEndpoint(api::ApiContext& ctx, const api::Request& r) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  RAPPORT_RETURN_IF_ERROR(api::Query(r).Finish());
  std::optional<api::Response> response;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(response, EndpointResponse(tx, id));
    return Ok();
  }));
  return std::move(*response);
}

Result<api::Response> UpdateEndpoint(api::ApiContext& ctx, const api::Request& r,
                                     const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  RAPPORT_ASSIGN_OR_RETURN(EndpointInput in, ParseEndpoint(r.body, false));
  RAPPORT_ASSIGN_OR_RETURN(std::optional<std::int64_t> expected, api::ExpectedVersion(r));
  audit::FieldValues changes;
  if (in.url) changes.emplace_back("url", *in.url);
  if (in.description) changes.emplace_back("description", *in.description);
  if (in.events) changes.emplace_back("events", *in.events);
  if (in.active) changes.emplace_back("active", std::int64_t{*in.active ? 1 : 0});
  std::optional<api::Response> response;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(Exists(tx, id));
    if (!changes.empty()) {
      RAPPORT_ASSIGN_OR_RETURN(
          int changed, audit::UpdateAudited(tx, {c.user_id, ctx.clock.Now()}, "webhook_endpoints",
                                            id, expected, changes));
      (void)changed;
    }
    RAPPORT_ASSIGN_OR_RETURN(response, EndpointResponse(tx, id));
    return Ok();
  }));
  return std::move(*response);
}

Result<api::Response> DeleteEndpoint(api::ApiContext& ctx, const api::Request& r,
                                     const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(Exists(tx, id));
    RAPPORT_RETURN_IF_ERROR(tx.Execute("DELETE FROM webhook_endpoints WHERE id = ?", {id}));
    RAPPORT_RETURN_IF_ERROR(tx.Execute(
        "DELETE FROM webhook_events WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE "
        "d.event_id = webhook_events.id)"));
    return audit::RecordAction(tx, {c.user_id, ctx.clock.Now()}, "webhook_endpoints", id, "delete");
  }));
  return api::Response::NoContent();
}

// A new secret; the old one goes on signing beside it for a day.
Result<api::Response> RotateSecret(api::ApiContext& ctx, const api::Request& r,
                                   const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  const std::string secret = NewSecret();
  const Instant now = ctx.clock.Now();
  std::optional<api::Response> response;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(Exists(tx, id));
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("UPDATE webhook_endpoints SET previous_secret = secret, "
                   "previous_secret_until = ?, secret = ?, updated_at = ?, version = version + 1 "
                   "WHERE id = ?",
                   {now + kOldSecretMicros, secret, now, id}));
    // The trail says that it changed, never what it is.
    RAPPORT_RETURN_IF_ERROR(audit::RecordFieldChange(tx, {c.user_id, now}, "webhook_endpoints", id,
                                                     "secret", "(earlier secret)", "(new secret)"));
    RAPPORT_ASSIGN_OR_RETURN(response, EndpointResponse(tx, id, secret));
    return Ok();
  }));
  return std::move(*response);
}

// A "webhook.ping" to this endpoint alone, to try the receiver.
Result<api::Response> Ping(api::ApiContext& ctx, const api::Request& r, const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  const Instant now = ctx.clock.Now();
  std::int64_t delivery = 0;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(Exists(tx, id));
    RAPPORT_ASSIGN_OR_RETURN(delivery,
                             audit::PublishEventTo(tx, now, id,
                                                   {.type = "webhook.ping",
                                                    .object = "webhook_endpoint",
                                                    .object_id = id,
                                                    .path = "/api/v1/webhooks/" + api::FormatId(id),
                                                    .changed_by = c.user_id}));
    return Ok();
  }));
  api::JsonWriter w;
  w.StartObject().Key("delivery_id").String(api::FormatId(delivery)).EndObject();
  return api::Response::Json(w.Take(), 202)
      .WithHeader("Location", "/api/v1/webhook-deliveries/" + api::FormatId(delivery));
}

constexpr const char* kDeliveryColumns =
    "d.id, d.endpoint_id, d.status, d.attempts, d.next_attempt_at, d.last_attempt_at, "
    "d.last_status, d.last_error, d.delivered_at, d.created_at, ev.event_key, ev.type, "
    "ev.ordering_key";

void WriteDeliveryFields(api::JsonWriter& w, const db::Row& d) {
  const std::string status = d.Text("status");
  w.Key("id").String(api::FormatId(d.Int("id")));
  w.Key("endpoint_id").String(api::FormatId(d.Int("endpoint_id")));
  w.Key("event_id").String(d.Text("event_key"));
  w.Key("type").String(d.Text("type"));
  w.Key("record").String(d.Text("ordering_key"));
  w.Key("status").String(status == "sending" || status == "queued" ? "pending" : status);
  w.Key("attempts").Int(d.Int("attempts"));
  w.Key("next_attempt_at");
  if (status == "pending" || status == "sending") {
    w.String(FormatInstant(d.Int("next_attempt_at")));
  } else {
    w.Null();
  }
  w.Key("last_attempt_at").OptInstant(d.OptInt("last_attempt_at"));
  w.Key("last_status").OptInt(d.OptInt("last_status"));
  w.Key("last_error").OptString(d.OptText("last_error"));
  w.Key("delivered_at").OptInstant(d.OptInt("delivered_at"));
  w.Key("created_at").String(FormatInstant(d.Int("created_at")));
}

// GET /webhooks/{id}/deliveries: newest first, by status when asked.
Result<api::Response> ListDeliveries(api::ApiContext& ctx, const api::Request& r) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  int limit = 50;
  std::int64_t offset = 0;
  std::string status;
  RAPPORT_RETURN_IF_ERROR(api::Query(r)
                              .Limit(limit, 200)
                              .OffsetCursor(offset)
                              .OneOf("status", status, {"pending", "delivered", "failed"})
                              .Finish());
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(Exists(tx, id));
    std::string where = "d.endpoint_id = ?";
    db::Params params = {id};
    if (status == "pending") {
      where += " AND (d.status = 'pending' OR d.status = 'sending' OR d.status = 'queued')";
    } else if (!status.empty()) {
      where += " AND d.status = ?";
      params.push_back(status);
    }
    params.push_back(std::int64_t{limit + 1});
    params.push_back(offset);
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows rows,
        tx.Query(std::string("SELECT ") + kDeliveryColumns +
                     " FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id "
                     "WHERE " +
                     where + " ORDER BY d.id DESC LIMIT ? OFFSET ?",
                 params));
    w.StartObject();
    api::WriteOffsetPage(w, rows, limit, offset, [&](const db::Row& row) {
      w.StartObject();
      WriteDeliveryFields(w, row);
      w.EndObject();
    });
    w.EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

// One delivery: what it sends and every attempt, oldest first.
Status WriteDelivery(db::Transaction& tx, std::int64_t id, api::JsonWriter& w) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> d,
      tx.QueryOne(std::string("SELECT ") + kDeliveryColumns +
                      ", ev.data, ev.changes, ev.created_at AS event_at, e.url FROM "
                      "webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id JOIN "
                      "webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = ?",
                  {id}));
  if (!d) return Error(ErrorCode::kNotFound, "no webhook delivery " + std::to_string(id));
  w.StartObject();
  WriteDeliveryFields(w, *d);
  w.Key("url").String(d->Text("url"));
  w.Key("payload").Raw(
      Payload(d->Text("type"), d->Text("data"), d->Text("changes"), d->Int("event_at")));
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows attempts,
      tx.Query("SELECT attempted_at, status_code, error, duration_ms, response FROM "
               "webhook_attempts WHERE delivery_id = ? ORDER BY id",
               {id}));
  w.Key("log").StartArray();
  for (const db::Row& a : attempts) {
    w.StartObject()
        .Key("at")
        .String(FormatInstant(a.Int("attempted_at")))
        .Key("status")
        .OptInt(a.OptInt("status_code"))
        .Key("error")
        .OptString(a.OptText("error"))
        .Key("duration_ms")
        .Int(a.Int("duration_ms"))
        .Key("response")
        .OptString(a.OptText("response"))
        .EndObject();
  }
  w.EndArray().EndObject();
  return Ok();
}

Result<api::Response> GetDelivery(api::ApiContext& ctx, const api::Request& r) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  RAPPORT_RETURN_IF_ERROR(api::Query(r).Finish());
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(
      ctx.database.Read([&](db::Transaction& tx) { return WriteDelivery(tx, id, w); }));
  return api::Response::Json(w.Take());
}

// Sends a delivery again, as soon as the worker next looks, with the same webhook-id (receivers
// that saw it drop the copy; those that missed it get it). Its attempts start again.
Result<api::Response> Replay(api::ApiContext& ctx, const api::Request& r, const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  const Instant now = ctx.clock.Now();
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        std::optional<db::Row> d,
        tx.QueryOne("SELECT status FROM webhook_deliveries WHERE id = ?", {id}));
    if (!d) return Error(ErrorCode::kNotFound, "no webhook delivery " + std::to_string(id));
    if (d->Text("status") == "sending") {
      return Error(ErrorCode::kConflict, "the delivery is being sent now");
    }
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("UPDATE webhook_deliveries SET status = 'pending', attempts = 0, "
                   "next_attempt_at = ?, claimed_until = NULL, delivered_at = NULL WHERE id = ?",
                   {now, id}));
    RAPPORT_RETURN_IF_ERROR(audit::RecordFieldChange(tx, {c.user_id, now}, "webhook_deliveries", id,
                                                     "status", d->Text("status"),
                                                     "pending (replayed)"));
    return WriteDelivery(tx, id, w);
  }));
  return api::Response::Json(w.Take(), 202);
}

Result<api::Response> ListEventTypes(const api::Request& r) {
  RAPPORT_RETURN_IF_ERROR(api::Query(r).Finish());
  api::JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (const audit::EventType& t : audit::EventTypes()) {
    w.StartObject().Key("name").String(t.name).Key("description").String(t.description).EndObject();
  }
  w.EndArray().EndObject();
  return api::Response::Json(w.Take());
}

constexpr const char* kEndpointSchema =
    R"({"type":"object","properties":{"id":{"type":"string"},"url":{"type":"string","format":"uri"},"description":{"type":"string"},"events":{"type":"array","items":{"type":"string"}},"active":{"type":"boolean"},"secret_hint":{"type":"string"},"secret":{"type":"string","description":"whsec_...: only when the endpoint is made or its secret rotated"},"deliveries":{"type":"object","properties":{"pending":{"type":"integer"},"delivered":{"type":"integer"},"failed":{"type":"integer"}},"required":["pending","delivered","failed"]},"created_at":{"type":"string","format":"date-time"},"updated_at":{"type":"string","format":"date-time"},"version":{"type":"integer"}},"required":["id","url","description","events","active","secret_hint","deliveries","created_at","updated_at","version"]})";
constexpr const char* kEndpointInputSchema =
    R"({"type":"object","properties":{"url":{"type":"string","format":"uri","maxLength":2000},"description":{"type":["string","null"],"maxLength":500},"events":{"type":"array","minItems":1,"items":{"type":"string"}},"active":{"type":"boolean"}},"additionalProperties":false})";
constexpr const char* kEndpointCreateSchema =
    R"({"type":"object","properties":{"url":{"type":"string","format":"uri","maxLength":2000},"description":{"type":["string","null"],"maxLength":500},"events":{"type":"array","minItems":1,"items":{"type":"string"}},"active":{"type":"boolean"}},"required":["url","events"],"additionalProperties":false})";
constexpr const char* kDeliverySchema =
    R"({"type":"object","properties":{"id":{"type":"string"},"endpoint_id":{"type":"string"},"event_id":{"type":"string","description":"the webhook-id header"},"type":{"type":"string"},"record":{"type":"string"},"status":{"type":"string","enum":["pending","delivered","failed"]},"attempts":{"type":"integer"},"next_attempt_at":{"type":["string","null"],"format":"date-time"},"last_attempt_at":{"type":["string","null"],"format":"date-time"},"last_status":{"type":["integer","null"]},"last_error":{"type":["string","null"]},"delivered_at":{"type":["string","null"],"format":"date-time"},"created_at":{"type":"string","format":"date-time"},"url":{"type":"string"},"payload":{"type":"object"},"log":{"type":"array","description":"each attempt, oldest first","items":{"type":"object","properties":{"at":{"type":"string","format":"date-time"},"status":{"type":["integer","null"]},"error":{"type":["string","null"]},"duration_ms":{"type":"integer"},"response":{"type":["string","null"]}},"required":["at","status","error","duration_ms","response"]}}},"required":["id","endpoint_id","event_id","type","record","status","attempts","next_attempt_at","last_attempt_at","last_status","last_error","delivered_at","created_at"]})";

}  // namespace

Result<std::string> PruneDeliveryLog(db::Transaction& tx, Instant now, int days) {
  const Instant before = now - days * kMicrosPerDay;
  RAPPORT_ASSIGN_OR_RETURN(
      std::int64_t n,
      tx.QueryInt("SELECT count(*) FROM webhook_deliveries WHERE (status = 'delivered' OR "
                  "status = 'failed') AND created_at < ?",
                  {before}));
  RAPPORT_RETURN_IF_ERROR(
      tx.Execute("DELETE FROM webhook_deliveries WHERE (status = 'delivered' OR status = "
                 "'failed') AND created_at < ?",
                 {before}));
  RAPPORT_RETURN_IF_ERROR(
      tx.Execute("DELETE FROM webhook_events WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM "
                 "webhook_deliveries d WHERE d.event_id = webhook_events.id)",
                 {before}));
  return std::to_string(n) + " webhook deliveries older than " + std::to_string(days) +
         " days dropped";
}

void RegisterWebhookRoutes(api::Router& router, api::ApiContext& ctx) {
  const auto add = [&](std::string method, std::string pattern, api::Handler handler,
                       api::RouteDoc doc) {
    doc.tag = "Webhooks";
    router.Add({std::move(method), std::move(pattern), api::Access::kAdmins,
                api::Reach::None(kAdminTool), std::move(handler), std::move(doc)});
  };
  add("GET", "/api/v1/webhook-event-types",
      [](const api::Request& r, const api::Caller&) { return ListEventTypes(r); },
      {"The events an endpoint can subscribe to",
       "",
       {},
       "",
       R"({"type":"object","properties":{"items":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"description":{"type":"string"}},"required":["name","description"]}}},"required":["items"]})",
       200,
       "listWebhookEventTypes"});
  add("GET", "/api/v1/webhooks",
      [&ctx](const api::Request& r, const api::Caller&) { return ListEndpoints(ctx, r); },
      {"Webhook endpoints, with their deliveries by status",
       "",
       {},
       "",
       std::string(R"({"type":"object","properties":{"items":{"type":"array","items":)") +
           kEndpointSchema + "}}}",
       200,
       "listWebhookEndpoints"});
  add("POST", "/api/v1/webhooks",
      [&ctx](const api::Request& r, const api::Caller& c) { return CreateEndpoint(ctx, r, c); },
      {"Subscribes an HTTPS endpoint to events; the answer holds its signing secret, shown this "
       "once",
       "",
       {},
       kEndpointCreateSchema,
       kEndpointSchema,
       201,
       "createWebhookEndpoint"});
  add("GET", "/api/v1/webhooks/{id}",
      [&ctx](const api::Request& r, const api::Caller&) { return GetEndpoint(ctx, r); },
      {"A webhook endpoint", "", {}, "", kEndpointSchema, 200, "getWebhookEndpoint"});
  add("PATCH", "/api/v1/webhooks/{id}",
      [&ctx](const api::Request& r, const api::Caller& c) { return UpdateEndpoint(ctx, r, c); },
      {"Changes an endpoint's address, events, description, or turns it off and on (If-Match)",
       "",
       {},
       kEndpointInputSchema,
       kEndpointSchema,
       200,
       "updateWebhookEndpoint"});
  add("DELETE", "/api/v1/webhooks/{id}",
      [&ctx](const api::Request& r, const api::Caller& c) { return DeleteEndpoint(ctx, r, c); },
      {"Removes an endpoint and its delivery log", "", {}, "", "", 204, "deleteWebhookEndpoint"});
  add("POST", "/api/v1/webhooks/{id}/secret",
      [&ctx](const api::Request& r, const api::Caller& c) { return RotateSecret(ctx, r, c); },
      {"A new signing secret, shown this once; the old one signs beside it for 24 hours",
       "",
       {},
       "",
       kEndpointSchema,
       200,
       "rotateWebhookSecret"});
  add("POST", "/api/v1/webhooks/{id}/ping",
      [&ctx](const api::Request& r, const api::Caller& c) { return Ping(ctx, r, c); },
      {"Sends the endpoint a webhook.ping event, to try the receiver",
       "",
       {},
       "",
       R"({"type":"object","properties":{"delivery_id":{"type":"string"}}})",
       202,
       "pingWebhookEndpoint"});
  add("GET", "/api/v1/webhooks/{id}/deliveries",
      [&ctx](const api::Request& r, const api::Caller&) { return ListDeliveries(ctx, r); },
      {"An endpoint's deliveries, newest first",
       "",
       {{"status", "string", "pending, delivered or failed"},
        {"limit", "integer", "1..200, default 50"},
        {"cursor", "string", "next_cursor"}},
       "",
       std::string(R"({"type":"object","properties":{"items":{"type":"array","items":)") +
           kDeliverySchema + R"(},"next_cursor":{"type":["string","null"]}}})",
       200,
       "listWebhookDeliveries"});
  add("GET", "/api/v1/webhook-deliveries/{id}",
      [&ctx](const api::Request& r, const api::Caller&) { return GetDelivery(ctx, r); },
      {"A delivery: what it sends and each attempt with the receiver's answer",
       "",
       {},
       "",
       kDeliverySchema,
       200,
       "getWebhookDelivery"});
  add("POST", "/api/v1/webhook-deliveries/{id}/replay",
      [&ctx](const api::Request& r, const api::Caller& c) { return Replay(ctx, r, c); },
      {"Sends a delivery again (same webhook-id), whatever became of it",
       "",
       {},
       "",
       kDeliverySchema,
       202,
       "replayWebhookDelivery"});
}

}  // namespace rapport::webhooks
