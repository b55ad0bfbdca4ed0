#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rapport {

// A hash that lets an unordered container keyed by std::string be searched with a string_view,
// without building a std::string for each lookup (C++20 heterogeneous lookup). Stateless; safe to
// share.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

}  // namespace rapport
