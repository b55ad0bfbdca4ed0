// Expected failures as values: an Error names a meaning (not an HTTP status), a message, and the
// fields it concerns. Result<T> holds either a T or an Error. Exceptions are kept for bugs and
// start-up failures.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace rapport {

enum class ErrorCode {
  kInvalidArgument,     // the caller's input is wrong; see field errors
  kNotFound,            // no such record (or outside the caller's reach)
  kAlreadyExists,       // a unique key is taken
  kConflict,            // the state of the records forbids it
  kStale,               // the caller's copy is out of date (version / ETag mismatch)
  kFailedPrecondition,  // the system is not in a state that allows the operation
  kPermissionDenied,    // the caller may not do this
  kUnauthenticated,     // no valid identity
  kUnavailable,         // a dependency (database, network) cannot be reached; retrying may help
  kMalformed,           // the request cannot be read at all (not JSON, bad encoding, bad cursor)
  kResourceExhausted,   // too many attempts; slow down
  kGone,                // it existed and is used up for good (an answered survey link)
  kInternal,            // a bug or an unexpected failure below us
};

const char* ErrorCodeName(ErrorCode code);

// One problem with one input field, named by its path (e.g. "email", "contacts[2].stance").
struct FieldError {
  std::string field;
  std::string message;
};

// An expected failure: its meaning, a message and the fields at fault. Immutable after
// construction; safe to share.
class Error {
 public:
  Error(ErrorCode code, std::string message, std::vector<FieldError> fields = {})
      : code_(code), message_(std::move(message)), fields_(std::move(fields)) {}

  static Error InvalidField(std::string field, std::string message) {
    std::string summary = field + ": " + message;
    return Error(ErrorCode::kInvalidArgument, std::move(summary),
                 {FieldError{std::move(field), std::move(message)}});
  }

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<FieldError>& fields() const { return fields_; }

  // "invalid_argument: email: is not a valid address"
  std::string ToString() const;

 private:
  ErrorCode code_;
  std::string message_;
  std::vector<FieldError> fields_;
};

// A T, or the Error that stopped it. A value like std::variant: safe to read from several
// threads, not to change while another thread reads it.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<Error>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

// Success, or the Error that stopped it (Status). Immutable after construction; safe to share.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    assert(!ok());
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Status Ok() { return Status(); }

}  // namespace rapport

// Returns the error of a Result-valued expression from the enclosing function.
#define RAPPORT_RETURN_IF_ERROR(expr) \
  do {                                \
    auto rapport_status_ = (expr);    \
    if (!rapport_status_.ok()) {      \
      return rapport_status_.error(); \
    }                                 \
  } while (false)

#define RAPPORT_CONCAT_INNER(a, b) a##b
#define RAPPORT_CONCAT(a, b) RAPPORT_CONCAT_INNER(a, b)

// Declares `lhs` from the value of a Result-valued expression, or returns its error.
#define RAPPORT_ASSIGN_OR_RETURN(lhs, expr)                   \
  auto RAPPORT_CONCAT(rapport_result_, __LINE__) = (expr);    \
  if (!RAPPORT_CONCAT(rapport_result_, __LINE__).ok()) {      \
    return RAPPORT_CONCAT(rapport_result_, __LINE__).error(); \
  }                                                           \
  lhs = std::move(RAPPORT_CONCAT(rapport_result_, __LINE__)).value()
