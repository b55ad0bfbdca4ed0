#include "users/password.hpp"

#include <sodium.h>

#include <stdexcept>

namespace rapport::users {
namespace {

void EnsureSodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    return true;
  }();
  (void)ready;
}

}  // namespace

Status CheckPasswordStrength(std::string_view password) {
  if (password.size() < 8) return Error::InvalidField("password", "must be at least 8 characters");
  if (password.size() > 256)
    return Error::InvalidField("password", "must be at most 256 characters");
  return Ok();
}

Result<std::string> HashPassword(std::string_view password) {
  RAPPORT_RETURN_IF_ERROR(CheckPasswordStrength(password));
  EnsureSodium();
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Error(ErrorCode::kInternal, "out of memory while hashing a password");
  }
  return std::string(hash);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  EnsureSodium();
  const std::string h(hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

}  // namespace rapport::users
