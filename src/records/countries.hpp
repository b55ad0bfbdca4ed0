// Countries, as ISO 3166-1 alpha-2 codes ("GB"): what an address's country is stored as, and
// the names files and people write for them. Immutable; safe to use from any thread.
#pragma once

#include <optional>
#include <string_view>

namespace rapport::records {

// Whether `code` is an assigned ISO 3166-1 alpha-2 code, in capitals ("GB", not "gb" or "UK").
bool IsCountryCode(std::string_view code);

// The alpha-2 code for a code or a name, in any case and spacing: "gb", "GBR", "United Kingdom",
// "UK", "England" -> "GB". nullopt when it names no country.
std::optional<std::string_view> CountryCode(std::string_view code_or_name);

}  // namespace rapport::records
