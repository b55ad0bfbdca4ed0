// Passwords are stored only as argon2id hashes (libsodium's crypto_pwhash_str, which embeds the
// salt and the cost parameters in the string).
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace rapport::users {

// Fails with kInvalidArgument when the password is too short (under 8) or too long (over 256).
Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(std::string_view hash, std::string_view password);
Status CheckPasswordStrength(std::string_view password);

}  // namespace rapport::users
