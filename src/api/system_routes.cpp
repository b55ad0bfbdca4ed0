#include "api/system_routes.hpp"

#include <set>

#include "core/build_info.hpp"
#include "db/migrations.hpp"

namespace rapport::api {

std::string OpenApiDocument(const Router& router) {
  JsonWriter w;
  w.StartObject();
  w.Key("openapi").String("3.1.0");
  w.Key("info")
      .StartObject()
      .Key("title")
      .String("Rapport API")
      .Key("version")
      .String(kVersion)
      .EndObject();
  w.Key("components").StartObject();
  w.Key("securitySchemes")
      .StartObject()
      .Key("bearer")
      .StartObject()
      .Key("type")
      .String("http")
      .Key("scheme")
      .String("bearer")
      .EndObject()
      .EndObject();
  w.Key("schemas")
      .StartObject()
      .Key("Problem")
      .StartObject()
      .Key("type")
      .String("object")
      .Key("properties")
      .StartObject()
      .Key("type")
      .StartObject()
      .Key("type")
      .String("string")
      .EndObject()
      .Key("title")
      .StartObject()
      .Key("type")
      .String("string")
      .EndObject()
      .Key("status")
      .StartObject()
      .Key("type")
      .String("integer")
      .EndObject()
      .Key("detail")
      .StartObject()
      .Key("type")
      .String("string")
      .EndObject()
      .Key("instance")
      .StartObject()
      .Key("type")
      .String("string")
      .EndObject()
      .Key("request_id")
      .StartObject()
      .Key("type")
      .String("string")
      .EndObject()
      .Key("errors")
      .StartObject()
      .Key("type")
      .String("array")
      .Key("items")
      .StartObject()
      .Key("type")
      .String("object")
      .Key("properties")
      .StartObject()
      .Key("field")
      .StartObject()
      .Key("type")
      .String("string")
      .EndObject()
      .Key("message")
      .StartObject()
      .Key("type")
      .String("string")
      .EndObject()
      .EndObject()
      .EndObject()
      .EndObject()
      .EndObject()
      .Key("required")
      .StartArray()
      .String("type")
      .String("title")
      .String("status")
      .EndArray()
      .EndObject()
      .EndObject();
  w.EndObject();
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
      if (r.pattern != pattern) continue;
      std::string method = r.method;
      std::transform(method.begin(), method.end(), method.begin(), ::tolower);
      w.Key(method).StartObject();
      w.Key("summary").String(r.doc.summary);
      w.Key("operationId").String(method + pattern);
      if (!r.doc.tag.empty()) w.Key("tags").StartArray().String(r.doc.tag).EndArray();
      // Who may call it and where it sits in the reach rules, as the router enforces them
      // (the per-route access test reads these).
      w.Key("x-rapport-access").String(AccessName(r.access));
      w.Key("x-rapport-reach").StartObject().Key("kind").String(r.reach.KindName());
      if (r.reach.kind == Reach::Kind::kRecord) {
        w.Key("table").String(r.reach.table).Key("param").String(r.reach.param);
      }
      if (!r.reach.rule.empty()) w.Key("rule").String(r.reach.rule);
      w.EndObject();
      if (r.access == Access::kPublic) {
        w.Key("security").StartArray().EndArray();
      } else {
        w.Key("security")
            .StartArray()
            .StartObject()
            .Key("bearer")
            .StartArray()
            .EndArray()
            .EndObject()
            .EndArray();
      }
      w.Key("parameters").StartArray();
      // Path parameters.
      size_t at = 0;
      while ((at = pattern.find('{', at)) != std::string::npos) {
        const auto end = pattern.find('}', at);
        w.StartObject()
            .Key("name")
            .String(pattern.substr(at + 1, end - at - 1))
            .Key("in")
            .String("path")
            .Key("required")
            .Bool(true)
            .Key("schema")
            .StartObject()
            .Key("type")
            .String("string")
            .EndObject()
            .EndObject();
        at = end;
      }
      for (const QueryDoc& q : r.doc.query) {
        w.StartObject()
            .Key("name")
            .String(q.name)
            .Key("in")
            .String("query")
            .Key("description")
            .String(q.description)
            .Key("schema")
            .StartObject()
            .Key("type")
            .String(q.type)
            .EndObject()
            .EndObject();
      }
      if (r.method == "PATCH" || r.method == "DELETE") {
        w.StartObject()
            .Key("name")
            .String("If-Match")
            .Key("in")
            .String("header")
            .Key("description")
            .String("the ETag last read; 412 when the record changed since")
            .Key("schema")
            .StartObject()
            .Key("type")
            .String("string")
            .EndObject()
            .EndObject();
      }
      w.EndArray();
      if (!r.doc.request_schema.empty()) {
        w.Key("requestBody")
            .StartObject()
            .Key("required")
            .Bool(true)
            .Key("content")
            .StartObject()
            .Key("application/json")
            .StartObject()
            .Key("schema")
            .Raw(r.doc.request_schema)
            .EndObject()
            .EndObject()
            .EndObject();
      } else if (r.body_type != "application/json") {
        // A file: each content type it takes, as bytes.
        w.Key("requestBody").StartObject().Key("required").Bool(true).Key("content").StartObject();
        for (std::string_view one : BodyTypes(r.body_type)) {
          w.Key(one).StartObject().Key("schema").StartObject();
          w.Key("type").String("string").Key("format").String("binary").EndObject().EndObject();
        }
        w.EndObject().EndObject();
      }
      w.Key("responses").StartObject();
      w.Key(std::to_string(r.doc.success_status))
          .StartObject()
          .Key("description")
          .String("success");
      if (!r.doc.response_schema.empty()) {
        w.Key("content")
            .StartObject()
            .Key("application/json")
            .StartObject()
            .Key("schema")
            .Raw(r.doc.response_schema)
            .EndObject()
            .EndObject();
      }
      w.EndObject();
      w.Key("default")
          .StartObject()
          .Key("description")
          .String("a problem (RFC 9457)")
          .Key("content")
          .StartObject()
          .Key("application/problem+json")
          .StartObject()
          .Key("schema")
          .StartObject()
          .Key("$ref")
          .String("#/components/schemas/Problem")
          .EndObject()
          .EndObject()
          .EndObject()
          .EndObject();
      w.EndObject();
      w.EndObject();
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
  router.Add({"GET",
              "/api/v1/openapi.json",
              Access::kPublic,
              Reach::None("public"),
              [&router](const Request&, const Caller&) -> Result<Response> {
                return Response::Json(OpenApiDocument(router));
              },
              {"This document", "System", {}, "", R"({"type":"object"})"}});
}

}  // namespace rapport::api
