#include "webhooks/signing.hpp"

#include <sodium.h>

#include <vector>

namespace rapport::webhooks {
namespace {

constexpr std::string_view kPrefix = "whsec_";

std::string Base64(const unsigned char* bytes, std::size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, size, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

}  // namespace

std::string NewSecret() {
  unsigned char key[32];
  randombytes_buf(key, sizeof key);
  return std::string(kPrefix) + Base64(key, sizeof key);
}

Result<std::string> Sign(std::string_view secret, std::string_view id, std::int64_t timestamp,
                         std::string_view body) {
  if (!secret.starts_with(kPrefix)) {
    return Error(ErrorCode::kInvalidArgument, "a webhook secret starts with whsec_");
  }
  const std::string_view encoded = secret.substr(kPrefix.size());
  std::vector<unsigned char> key(encoded.size());
  std::size_t key_size = 0;
  if (sodium_base642bin(key.data(), key.size(), encoded.data(), encoded.size(), nullptr, &key_size,
                        nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      key_size == 0) {
    return Error(ErrorCode::kInvalidArgument, "a webhook secret is whsec_ and base64");
  }
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key.data(), key_size);
  const std::string head = std::string(id) + "." + std::to_string(timestamp) + ".";
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(head.data()),
                                head.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  sodium_memzero(key.data(), key.size());
  return "v1," + Base64(mac, sizeof mac);
}

std::string SecretHint(std::string_view secret) {
  return std::string(secret.substr(0, kPrefix.size() + 4)) + "…";
}

}  // namespace rapport::webhooks
