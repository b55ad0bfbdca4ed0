#include "auth/auth_routes.hpp"

namespace rapport::auth {
namespace {

void WriteUser(api::JsonWriter& w, const api::Caller& c) {
  w.StartObject()
      .Key("id")
      .String(api::FormatId(c.user_id))
      .Key("email")
      .String(c.email)
      .Key("name")
      .String(c.name)
      .Key("role")
      .String(c.role)
      .EndObject();
}

Result<api::Response> SignIn(Sessions& sessions, const api::Request& r, const api::Caller&) {
  RAPPORT_ASSIGN_OR_RETURN(api::JsonValue body, api::ParseJson(r.body));
  if (body.kind != api::JsonValue::Kind::kObject) {
    return Error::InvalidField("body", "must be a JSON object with email and password");
  }
  std::vector<FieldError> problems;
  for (const auto& [key, value] : body.members) {
    if (key != "email" && key != "password")
      problems.push_back({key, "is not a field of a sign-in"});
    else if (value.kind != api::JsonValue::Kind::kString)
      problems.push_back({key, "must be a string"});
  }
  for (const char* key : {"email", "password"}) {
    if (!body.Find(key)) problems.push_back({key, "is required"});
  }
  if (!problems.empty()) {
    return Error(ErrorCode::kInvalidArgument, problems[0].field + ": " + problems[0].message,
                 problems);
  }
  RAPPORT_ASSIGN_OR_RETURN(
      SignInResult signed_in,
      sessions.SignIn(body.Find("email")->text, body.Find("password")->text, r.remote_address));
  api::JsonWriter w;
  w.StartObject();
  w.Key("token").String(signed_in.session.token);
  w.Key("csrf_token").String(signed_in.session.csrf_token);
  w.Key("expires_at").String(FormatInstant(signed_in.session.expires_at));
  w.Key("user");
  WriteUser(w, signed_in.caller);
  w.EndObject();
  return api::Response::Json(w.Take())
      .WithHeader("Set-Cookie", std::string(kSessionCookie) + "=" + signed_in.session.token +
                                    "; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200")
      .WithHeader("Cache-Control", "no-store");
}

Result<api::Response> SignOut(Sessions& sessions, const api::Request&, const api::Caller& c) {
  RAPPORT_RETURN_IF_ERROR(sessions.SignOut(c.session_id));
  return api::Response::NoContent().WithHeader(
      "Set-Cookie",
      std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

Result<api::Response> GetMe(const api::Request&, const api::Caller& c) {
  api::JsonWriter w;
  WriteUser(w, c);
  return api::Response::Json(w.Take());
}

}  // namespace

void RegisterAuthRoutes(api::Router& router, Sessions& sessions) {
  router.Add(
      {"POST",
       "/api/v1/auth/login",
       api::Access::kPublic,
       api::Reach::None("public: signing in"),
       [&sessions](const api::Request& r, const api::Caller& c) { return SignIn(sessions, r, c); },
       {"Sign in with email and password",
        "Sign-in",
        {},
        R"({"type":"object","properties":{"email":{"type":"string"},"password":{"type":"string"}},"required":["email","password"],"additionalProperties":false})",
        R"({"type":"object","properties":{"token":{"type":"string"},"csrf_token":{"type":"string"},"expires_at":{"type":"string","format":"date-time"},"user":{"type":"object"}}})",
        200,
        "signIn"}});

  router.Add(
      {"POST",
       "/api/v1/auth/logout",
       api::Access::kSignedIn,
       api::Reach::None("the caller's own session"),
       [&sessions](const api::Request& r, const api::Caller& c) { return SignOut(sessions, r, c); },
       {"Sign out (revokes the session)", "Sign-in", {}, "", "", 204, "signOut"}});

  router.Add(
      {"GET",
       "/api/v1/auth/me",
       api::Access::kSignedIn,
       api::Reach::None("the caller's own session"),
       [](const api::Request& r, const api::Caller& c) { return GetMe(r, c); },
       {"Who am I",
        "Sign-in",
        {},
        "",
        R"({"type":"object","properties":{"id":{"type":"string"},"email":{"type":"string"},"name":{"type":"string"},"role":{"type":"string"}}})",
        200,
        "getCurrentUser"}});
}

}  // namespace rapport::auth
