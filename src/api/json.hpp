// JSON for the API, wrapped once: JsonWriter writes responses with RapidJSON's Writer;
// ParseJson reads request bodies with simdjson into a small tree the handlers can check field by
// field (reporting the path of whatever is wrong). Nothing outside this file names either library.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "db/database.hpp"

namespace rapport::api {

// Writes one JSON document (a response body) value by value. Not thread-safe: one per document.
class JsonWriter {
 public:
  JsonWriter();
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  JsonWriter& StartObject();
  JsonWriter& EndObject();
  JsonWriter& StartArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(std::int64_t value);
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // NULL, integer, real or text as the JSON value it is.
  JsonWriter& Value(const db::Value& value);
  JsonWriter& OptString(const std::optional<std::string>& value);
  JsonWriter& OptInt(const std::optional<std::int64_t>& value);
  // An id as the API writes ids (a decimal string), or null.
  JsonWriter& OptId(const std::optional<std::int64_t>& id);
  // An instant (UTC microseconds) as ISO 8601, or null.
  JsonWriter& OptInstant(const std::optional<std::int64_t>& micros);
  // Appends an already-encoded JSON value (e.g. a cached document).
  JsonWriter& Raw(std::string_view json);

  // The document so far; the writer is empty afterwards.
  std::string Take();

  struct Impl;  // defined in json.cpp only

 private:
  std::unique_ptr<Impl> impl_;
};

// A parsed JSON value.
struct JsonValue {
  enum class Kind { kNull, kBool, kInt, kDouble, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::int64_t integer = 0;
  double number = 0;
  std::string text;
  std::vector<JsonValue> items;                            // kArray
  std::vector<std::pair<std::string, JsonValue>> members;  // kObject, in document order

  const JsonValue* Find(std::string_view key) const;
  static const char* KindName(Kind kind);
};

// kMalformed naming "body" when the text is not one JSON document (or nests deeper than 32).
Result<JsonValue> ParseJson(std::string_view text);

}  // namespace rapport::api
