#include "api/system_routes.hpp"

#include <algorithm>
#include <set>

#include "api/custom_values.hpp"
#include "api/operation_id.hpp"
#include "core/build_info.hpp"
#include "db/migrations.hpp"

namespace rapport::api {

namespace {

// The bearer scheme; the problem document (RFC 9457) every route may answer with.
constexpr const char* kSecuritySchemes = R"({"bearer":{"type":"http","scheme":"bearer"}})";
constexpr const char* kProblemSchema =
    R"({"type":"object","properties":{)"
    R"("type":{"type":"string"},"title":{"type":"string"},"status":{"type":"integer"},)"
    R"("detail":{"type":"string"},"instance":{"type":"string"},"request_id":{"type":"string"},)"
    R"("errors":{"type":"array","items":{"type":"object","properties":{)"
    R"("field":{"type":"string"},"message":{"type":"string"}}}}},)"
    R"("required":["type","title","status"]})";

constexpr const char* kProblemResponse =
    R"json({"description":"a problem (RFC 9457)","content":{"application/problem+json":)json"
    R"json({"schema":{"$ref":"#/components/schemas/Problem"}}}})json";

void WriteParameter(JsonWriter& w, const std::string& name, const char* in, bool required,
                    const std::string& description, const std::string& type) {
  w.StartObject().Key("name").String(name).Key("in").String(in);
  if (required) w.Key("required").Bool(true);
  if (!description.empty()) w.Key("description").String(description);
  w.Key("schema").StartObject().Key("type").String(type).EndObject().EndObject();
}

// The route's path parameters, query parameters and If-Match.
void WriteParameters(JsonWriter& w, const Route& r) {
  w.Key("parameters").StartArray();
  for (size_t at = r.pattern.find('{'); at != std::string::npos; at = r.pattern.find('{', at)) {
    const auto end = r.pattern.find('}', at);
    WriteParameter(w, r.pattern.substr(at + 1, end - at - 1), "path", true, "", "string");
    at = end;
  }
  for (const QueryDoc& q : r.doc.query) {
    WriteParameter(w, q.name, "query", false, q.description, q.type);
  }
  if (r.method == "PATCH" || r.method == "DELETE") {
    WriteParameter(w, "If-Match", "header", false,
                   "the ETag last read; 412 when the record changed since", "string");
  }
  w.EndArray();
}

// A JSON body by its schema, or a file: each content type it takes, as bytes.
void WriteRequestBody(JsonWriter& w, const Route& r) {
  if (r.doc.request_schema.empty() && r.body_type == "application/json") return;
  w.Key("requestBody").StartObject().Key("required").Bool(true).Key("content").StartObject();
  if (!r.doc.request_schema.empty()) {
    w.Key("application/json").StartObject().Key("schema").Raw(r.doc.request_schema).EndObject();
  } else {
    for (std::string_view one : BodyTypes(r.body_type)) {
      w.Key(one).StartObject().Key("schema").StartObject();
      w.Key("type").String("string").Key("format").String("binary").EndObject().EndObject();
    }
  }
  w.EndObject().EndObject();
}

void WriteResponses(JsonWriter& w, const Route& r) {
  w.Key("responses").StartObject();
  w.Key(std::to_string(r.doc.success_status)).StartObject().Key("description").String("success");
  if (!r.doc.response_schema.empty()) {
    w.Key("content").StartObject().Key("application/json").StartObject();
    w.Key("schema").Raw(r.doc.response_schema).EndObject().EndObject();
  }
  w.EndObject();
  // Refusals (4XX: bad input naming the field, not signed in, out of reach, not found, a stale
  // If-Match) and failures (default: 5XX, a 503 with Retry-After) are both problem documents.
  w.Key("4XX").Raw(kProblemResponse);
  w.Key("default").Raw(kProblemResponse);
  w.EndObject();
}

// One operation: what it does, who may call it and where it sits in the reach rules, as the
// router enforces them (the per-route access test reads x-rapport-access and x-rapport-reach).
void WriteOperation(JsonWriter& w, const Route& r, const std::vector<std::string>& patterns) {
  std::string method = r.method;
  std::transform(method.begin(), method.end(), method.begin(), ::tolower);
  w.Key(method).StartObject();
  w.Key("summary").String(r.doc.summary);
  w.Key("operationId").String(OperationId(r, patterns));
  if (!r.doc.tag.empty()) w.Key("tags").StartArray().String(r.doc.tag).EndArray();
  w.Key("x-rapport-access").String(AccessName(r.access));
  w.Key("x-rapport-reach").StartObject().Key("kind").String(r.reach.KindName());
  if (r.reach.kind == Reach::Kind::kRecord) {
    w.Key("table").String(r.reach.table).Key("param").String(r.reach.param);
  }
  if (!r.reach.rule.empty()) w.Key("rule").String(r.reach.rule);
  w.EndObject();
  w.Key("security").StartArray();
  if (r.access != Access::kPublic)
    w.StartObject().Key("bearer").StartArray().EndArray().EndObject();
  w.EndArray();
  WriteParameters(w, r);
  WriteRequestBody(w, r);
  WriteResponses(w, r);
  w.EndObject();
}

}  // namespace

std::string OpenApiDocument(const Router& router, const CustomFieldsByTable& custom_fields) {
  JsonWriter w;
  w.StartObject();
  w.Key("openapi").String("3.1.0");
  w.Key("info").StartObject().Key("title").String("Rapport API");
  w.Key("version").String(kVersion).EndObject();
  // Relative: the server that hands the document out (or, from `rapport openapi`, the one a
  // client is pointed at).
  w.Key("servers").StartArray().StartObject().Key("url").String("/");
  w.Key("description").String("this Rapport server").EndObject().EndArray();
  w.Key("components").StartObject().Key("securitySchemes").Raw(kSecuritySchemes);
  w.Key("schemas").StartObject().Key("Problem").Raw(kProblemSchema);
  for (std::string_view table : records::kCustomFieldTables) {
    const auto found = std::find_if(custom_fields.begin(), custom_fields.end(),
                                    [&](const auto& entry) { return entry.first == table; });
    w.Key(CustomFieldsSchemaName(table))
        .Raw(CustomValuesSchema(found == custom_fields.end()
                                    ? std::span<const records::CustomField>()
                                    : std::span<const records::CustomField>(found->second)));
  }
  w.EndObject().EndObject();
  // Paths, grouping the routes that share a pattern.
  std::vector<std::string> patterns;
  for (const Route& r : router.routes()) {
    if (std::find(patterns.begin(), patterns.end(), r.pattern) == patterns.end())
      patterns.push_back(r.pattern);
  }
  w.Key("paths").StartObject();
  for (const std::string& pattern : patterns) {
    w.Key(pattern).StartObject();
    for (const Route& r : router.routes()) {
      if (r.pattern == pattern) WriteOperation(w, r, patterns);
    }
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  return w.Take();
}

void RegisterSystemRoutes(Router& router, ApiContext& ctx) {
  router.Add(
      {"GET",
       "/api/v1/health",
       Access::kPublic,
       Reach::None("public"),
       [&ctx](const Request&, const Caller&) -> Result<Response> {
         RAPPORT_ASSIGN_OR_RETURN(int version, db::CurrentSchemaVersion(ctx.database));
         JsonWriter w;
         w.StartObject()
             .Key("status")
             .String("ok")
             .Key("version")
             .String(kVersion)
             .Key("schema_version")
             .Int(version)
             .Key("database")
             .String(ctx.database.backend() == db::Backend::kSqlite ? "sqlite" : "postgresql")
             .EndObject();
         return Response::Json(w.Take()).WithHeader("Cache-Control", "no-store");
       },
       {"Alive, and the schema version",
        "System",
        {},
        "",
        R"({"type":"object","properties":{"status":{"type":"string"},"version":{"type":"string"},"schema_version":{"type":"integer"},"database":{"type":"string"}}})"}});
  // For load balancers and orchestrators: alive (the process answers; no database), and ready
  // (the database answers and is at this binary's schema).
  router.Add(
      {"GET",
       "/api/v1/health/live",
       Access::kPublic,
       Reach::None("public"),
       [](const Request&, const Caller&) -> Result<Response> {
         return Response::Json(R"({"status":"alive"})").WithHeader("Cache-Control", "no-store");
       },
       {"Alive: the server answers (the database is not asked)",
        "System",
        {},
        "",
        R"({"type":"object","properties":{"status":{"type":"string"}}})"}});
  router.Add(
      {"GET",
       "/api/v1/health/ready",
       Access::kPublic,
       Reach::None("public"),
       [&ctx](const Request&, const Caller&) -> Result<Response> {
         if (ctx.draining && ctx.draining->load()) {
           return Error(ErrorCode::kUnavailable, "this server is stopping");
         }
         RAPPORT_ASSIGN_OR_RETURN(int version, db::CurrentSchemaVersion(ctx.database));
         if (version != db::LatestSchemaVersion()) {
           return Error(ErrorCode::kUnavailable,
                        "the database is at schema version " + std::to_string(version) +
                            "; this server needs " + std::to_string(db::LatestSchemaVersion()) +
                            " (rapport migrate)");
         }
         JsonWriter w;
         w.StartObject().Key("status").String("ready").Key("schema_version").Int(version);
         w.EndObject();
         return Response::Json(w.Take()).WithHeader("Cache-Control", "no-store");
       },
       {"Ready: not stopping, and the database answers at this server's schema (503 with "
        "Retry-After otherwise)",
        "System",
        {},
        "",
        R"({"type":"object","properties":{"status":{"type":"string"},"schema_version":{"type":"integer"}}})"}});
  router.Add(
      {"GET",
       "/api/v1/openapi.json",
       Access::kPublic,
       Reach::None("public"),
       // Served to anyone, so without the company's custom fields (their names and
       // options are the company's business): signed-in callers read them at
       // /api/v1/custom-fields, and `rapport openapi` writes them into the document.
       [&router](const Request&, const Caller&) -> Result<Response> {
         return Response::Json(OpenApiDocument(router));
       },
       {"This document", "System", {}, "", R"({"type":"object"})", 200, "getOpenApiDocument"}});
}

}  // namespace rapport::api
