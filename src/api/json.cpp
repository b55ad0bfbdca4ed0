#include "api/json.hpp"

#include "core/clock.hpp"

// Strings are scanned for characters to escape 16 bytes at a time (SSE2 is in every x86-64).
#if defined(__SSE2__)
#define RAPIDJSON_SSE2
#endif
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <algorithm>
#include <vector>

namespace rapport::api {

struct JsonWriter::Impl {
  rapidjson::StringBuffer buffer{nullptr, 4096};
  rapidjson::Writer<rapidjson::StringBuffer> writer{buffer};
  std::size_t largest = 0;  // the most the buffer held: its capacity is at least this
};

namespace {

// Writers are made for nearly every response: each thread keeps a few finished ones, buffer and
// all, for the next, so that a response costs no allocation but its own string. A buffer that
// grew past kKeptCapacity (a big export page) is let go rather than kept.
constexpr std::size_t kKeptWriters = 4;
constexpr std::size_t kKeptCapacity = 256 * 1024;
thread_local std::vector<std::unique_ptr<JsonWriter::Impl>> kept_writers;

}  // namespace

JsonWriter::JsonWriter() {
  if (kept_writers.empty()) {
    impl_ = std::make_unique<Impl>();
  } else {
    impl_ = std::move(kept_writers.back());
    kept_writers.pop_back();
  }
}

JsonWriter::~JsonWriter() {
  if (!impl_) return;
  impl_->largest = std::max(impl_->largest, impl_->buffer.GetSize());
  if (kept_writers.size() < kKeptWriters && impl_->largest <= kKeptCapacity) {
    impl_->buffer.Clear();
    impl_->writer.Reset(impl_->buffer);
    kept_writers.push_back(std::move(impl_));
  }
}

JsonWriter& JsonWriter::StartObject() {
  impl_->writer.StartObject();
  return *this;
}
JsonWriter& JsonWriter::EndObject() {
  impl_->writer.EndObject();
  return *this;
}
JsonWriter& JsonWriter::StartArray() {
  impl_->writer.StartArray();
  return *this;
}
JsonWriter& JsonWriter::EndArray() {
  impl_->writer.EndArray();
  return *this;
}
JsonWriter& JsonWriter::Key(std::string_view key) {
  impl_->writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  return *this;
}
JsonWriter& JsonWriter::String(std::string_view value) {
  impl_->writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  return *this;
}
JsonWriter& JsonWriter::Int(std::int64_t value) {
  impl_->writer.Int64(value);
  return *this;
}
JsonWriter& JsonWriter::Double(double value) {
  impl_->writer.Double(value);
  return *this;
}
JsonWriter& JsonWriter::Bool(bool value) {
  impl_->writer.Bool(value);
  return *this;
}
JsonWriter& JsonWriter::Null() {
  impl_->writer.Null();
  return *this;
}
JsonWriter& JsonWriter::Value(const db::Value& value) {
  if (auto n = std::get_if<std::int64_t>(&value)) return Int(*n);
  if (auto d = std::get_if<double>(&value)) return Double(*d);
  if (auto s = std::get_if<std::string>(&value)) return String(*s);
  return Null();
}
JsonWriter& JsonWriter::OptString(const std::optional<std::string>& value) {
  return value ? String(*value) : Null();
}
JsonWriter& JsonWriter::OptInt(const std::optional<std::int64_t>& value) {
  return value ? Int(*value) : Null();
}

JsonWriter& JsonWriter::OptId(const std::optional<std::int64_t>& id) {
  return id ? String(std::to_string(*id)) : Null();
}

JsonWriter& JsonWriter::OptInstant(const std::optional<std::int64_t>& micros) {
  return micros ? String(FormatInstant(*micros)) : Null();
}
JsonWriter& JsonWriter::Raw(std::string_view json) {
  impl_->writer.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  return *this;
}

std::string JsonWriter::Take() {
  std::string out(impl_->buffer.GetString(), impl_->buffer.GetSize());
  impl_->largest = std::max(impl_->largest, out.size());
  impl_->buffer.Clear();
  impl_->writer.Reset(impl_->buffer);
  return out;
}

const JsonValue* JsonValue::Find(std::string_view key) const {
  for (const auto& [k, v] : members) {
    if (k == key) return &v;
  }
  return nullptr;
}

const char* JsonValue::KindName(Kind kind) {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "boolean";
    case Kind::kInt:
      return "integer";
    case Kind::kDouble:
      return "number";
    case Kind::kString:
      return "string";
    case Kind::kArray:
      return "array";
    case Kind::kObject:
      return "object";
  }
  return "value";
}

namespace {

Result<JsonValue> Convert(simdjson::dom::element element, int depth) {
  if (depth > 32) return Error(ErrorCode::kMalformed, "body: JSON nests too deeply");
  JsonValue out;
  switch (element.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      out.kind = JsonValue::Kind::kNull;
      break;
    case simdjson::dom::element_type::BOOL:
      out.kind = JsonValue::Kind::kBool;
      out.boolean = element.get_bool().value_unsafe();
      break;
    case simdjson::dom::element_type::INT64:
      out.kind = JsonValue::Kind::kInt;
      out.integer = element.get_int64().value_unsafe();
      break;
    case simdjson::dom::element_type::UINT64:
      out.kind = JsonValue::Kind::kDouble;  // beyond int64: not a usable id or amount
      out.number = static_cast<double>(element.get_uint64().value_unsafe());
      break;
    case simdjson::dom::element_type::DOUBLE:
      out.kind = JsonValue::Kind::kDouble;
      out.number = element.get_double().value_unsafe();
      break;
    case simdjson::dom::element_type::STRING:
      out.kind = JsonValue::Kind::kString;
      out.text = std::string(element.get_string().value_unsafe());
      break;
    case simdjson::dom::element_type::ARRAY: {
      out.kind = JsonValue::Kind::kArray;
      simdjson::dom::array array = element.get_array().value_unsafe();
      for (simdjson::dom::element item : array) {
        RAPPORT_ASSIGN_OR_RETURN(JsonValue v, Convert(item, depth + 1));
        out.items.push_back(std::move(v));
      }
      break;
    }
    case simdjson::dom::element_type::OBJECT: {
      out.kind = JsonValue::Kind::kObject;
      simdjson::dom::object object = element.get_object().value_unsafe();
      for (auto field : object) {
        RAPPORT_ASSIGN_OR_RETURN(JsonValue v, Convert(field.value, depth + 1));
        out.members.emplace_back(std::string(field.key), std::move(v));
      }
      break;
    }
  }
  return out;
}

}  // namespace

Result<JsonValue> ParseJson(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  auto error = parser.parse(padded).get(root);
  if (error) {
    return Error(ErrorCode::kMalformed,
                 std::string("body: not valid JSON (") + simdjson::error_message(error) + ")",
                 {FieldError{"body", "is not valid JSON"}});
  }
  return Convert(root, 0);
}

}  // namespace rapport::api
