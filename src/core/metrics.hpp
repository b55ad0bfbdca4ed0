// Prometheus metrics kept in the process: latency histograms by label set, recorded by every
// thread into its own shard (no lock shared between threads on the way; a scrape sums the
// shards), and the text exposition format they are read in
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rapport::metrics {

// The buckets' upper bounds in seconds (`le`), from half a millisecond to ten seconds; +Inf after.
inline constexpr std::array<double, 14> kLatencyBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

struct Histogram {
  std::array<std::uint64_t, kLatencyBuckets.size() + 1> counts{};  // per bucket, +Inf last
  double sum = 0;                                                  // seconds
  std::uint64_t count = 0;

  void Observe(double seconds);
  void Add(const Histogram& other);
};

// Histograms by label set ("method=\"GET\",route=\"/api/v1/accounts\""), each thread recording
// into its own shard. Observe is safe from any thread; Collect sums every shard. A shard lives
// as long as its set, also after its thread ends (rapport's threads live as long as the server).
class LabelledHistograms {
 public:
  LabelledHistograms();
  LabelledHistograms(const LabelledHistograms&) = delete;
  LabelledHistograms& operator=(const LabelledHistograms&) = delete;

  void Observe(std::string_view labels, double seconds);
  std::map<std::string, Histogram> Collect() const;

 private:
  // Found by the label text without making a string of it.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>()(text);
    }
  };
  struct Shard {
    std::mutex mutex;  // taken by its own thread, and by Collect
    std::unordered_map<std::string, Histogram, Hash, std::equal_to<>> histograms;
  };
  Shard& ThisThreadsShard();

  const std::uint64_t id_;  // unique in the process: threads find their shard by it
  mutable std::mutex shards_mutex_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

// Whether observations are kept (serve keeps them when it has a --metrics-token to serve them
// with); when off, Observe returns at once.
void SetRecording(bool on);
bool Recording();

// Every request the server answered: method, route (the pattern, "/api/v1/accounts/{id}"), status.
LabelledHistograms& HttpRequests();
// Every database transaction: kind (read, write) and outcome (ok, error).
LabelledHistograms& DatabaseTransactions();

// `name="value"` with the value escaped as the format wants (\\, \", \n).
std::string Label(std::string_view name, std::string_view value);
// The same, appended to `out`.
void AppendLabel(std::string& out, std::string_view name, std::string_view value);
// # HELP and # TYPE lines.
void WriteHeader(std::string& out, std::string_view name, std::string_view type,
                 std::string_view help);
// One sample: name{labels} value.
void WriteSample(std::string& out, std::string_view name, std::string_view labels, double value);
// A histogram's _bucket (cumulative), _sum and _count lines.
void WriteHistogram(std::string& out, std::string_view name, std::string_view labels,
                    const Histogram& histogram);

}  // namespace rapport::metrics
