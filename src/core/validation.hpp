// Checks of user input shared by every capability. Each returns an Error naming the field.
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace rapport {

// A plausible email address: one '@', a local part, a dotted domain, no spaces, at most 254 chars.
bool IsValidEmail(std::string_view email);
Status CheckEmail(std::string_view field, std::string_view email);
Status CheckRequired(std::string_view field, std::string_view value, size_t max_length);
Status CheckOneOf(std::string_view field, std::string_view value,
                  std::span<const std::string_view> allowed);
inline Status CheckOneOf(std::string_view field, std::string_view value,
                         std::initializer_list<std::string_view> allowed) {
  return CheckOneOf(field, value,
                    std::span<const std::string_view>(allowed.begin(), allowed.size()));
}
std::string Lowercase(std::string_view text);
std::string Uppercase(std::string_view text);
// 1234567 -> "1,234,567".
std::string WithCommas(std::int64_t n);
// An ISO 4217 code as Rapport stores it: three capital letters ("GBP").
bool IsCurrencyCode(std::string_view code);
// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool IsUtf8(std::string_view text);
// The characters (code points) of UTF-8 text: what length limits count.
std::size_t Utf8Characters(std::string_view utf8);

}  // namespace rapport
