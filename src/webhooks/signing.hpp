// Standard Webhooks signing (https://www.standardwebhooks.com): each delivery carries
// webhook-id, webhook-timestamp (seconds) and webhook-signature, "v1," + base64 of the HMAC-SHA256
// of "<id>.<timestamp>.<body>" keyed with the endpoint's secret ("whsec_" + base64 of the key).
// A receiver with the secret checks it with any Standard Webhooks library. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace rapport::webhooks {

// A new secret: "whsec_" and base64 of 32 random bytes.
std::string NewSecret();

// "v1,<signature>" for `body` sent as message `id` at `timestamp` (seconds since the epoch).
// kInvalidArgument when `secret` is not "whsec_" and base64.
Result<std::string> Sign(std::string_view secret, std::string_view id, std::int64_t timestamp,
                         std::string_view body);

// "whsec_ab12…": enough to tell two secrets apart, not to use one.
std::string SecretHint(std::string_view secret);

}  // namespace rapport::webhooks
