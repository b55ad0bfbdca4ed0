#include "core/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>

namespace rapport::metrics {

void Histogram::Observe(double seconds) {
  const auto bucket = std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), seconds);
  ++counts[static_cast<std::size_t>(bucket - kLatencyBuckets.begin())];
  sum += seconds;
  ++count;
}

void Histogram::Add(const Histogram& other) {
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += other.counts[i];
  sum += other.sum;
  count += other.count;
}

LabelledHistograms::LabelledHistograms()
    : id_([] {
        static std::atomic<std::uint64_t> next{1};
        return next.fetch_add(1);
      }()) {}

LabelledHistograms::Shard& LabelledHistograms::ThisThreadsShard() {
  // Each thread's shard of each set it records into, by the set's id (a set at the address of
  // one destroyed is another set).
  thread_local std::vector<std::pair<std::uint64_t, Shard*>> mine;
  for (const auto& [owner, shard] : mine) {
    if (owner == id_) return *shard;
  }
  std::lock_guard lock(shards_mutex_);
  shards_.push_back(std::make_unique<Shard>());
  mine.emplace_back(id_, shards_.back().get());
  return *shards_.back();
}

namespace {
std::atomic<bool> recording{true};
}  // namespace

void SetRecording(bool on) { recording.store(on, std::memory_order_relaxed); }
bool Recording() { return recording.load(std::memory_order_relaxed); }

void LabelledHistograms::Observe(std::string_view labels, double seconds) {
  if (!Recording()) return;
  Shard& shard = ThisThreadsShard();
  std::lock_guard lock(shard.mutex);
  auto found = shard.histograms.find(labels);
  if (found == shard.histograms.end()) {
    found = shard.histograms.emplace(std::string(labels), Histogram{}).first;
  }
  found->second.Observe(seconds);
}

std::map<std::string, Histogram> LabelledHistograms::Collect() const {
  std::map<std::string, Histogram> total;
  std::lock_guard lock(shards_mutex_);
  for (const auto& shard : shards_) {
    std::lock_guard shard_lock(shard->mutex);
    for (const auto& [labels, histogram] : shard->histograms) total[labels].Add(histogram);
  }
  return total;
}

// Process-wide, never destroyed: threads may record while the process exits.
LabelledHistograms& HttpRequests() {
  static auto* requests = new LabelledHistograms();
  return *requests;
}

LabelledHistograms& DatabaseTransactions() {
  static auto* transactions = new LabelledHistograms();
  return *transactions;
}

std::string Label(std::string_view name, std::string_view value) {
  std::string out;
  AppendLabel(out, name, value);
  return out;
}

void AppendLabel(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += "=\"";
  for (const char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += '"';
}

void WriteHeader(std::string& out, std::string_view name, std::string_view type,
                 std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

namespace {

std::string Number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

}  // namespace

void WriteSample(std::string& out, std::string_view name, std::string_view labels, double value) {
  if (labels.empty()) {
    fmt::format_to(std::back_inserter(out), "{} {}\n", name, Number(value));
  } else {
    fmt::format_to(std::back_inserter(out), "{}{{{}}} {}\n", name, labels, Number(value));
  }
}

void WriteHistogram(std::string& out, std::string_view name, std::string_view labels,
                    const Histogram& histogram) {
  const std::string bucket = std::string(name) + "_bucket";
  const std::string comma = labels.empty() ? "" : std::string(labels) + ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= kLatencyBuckets.size(); ++i) {
    cumulative += histogram.counts[i];
    const std::string le =
        i < kLatencyBuckets.size() ? Number(kLatencyBuckets[i]) : std::string("+Inf");
    WriteSample(out, bucket, comma + Label("le", le), static_cast<double>(cumulative));
  }
  WriteSample(out, std::string(name) + "_sum", labels, histogram.sum);
  WriteSample(out, std::string(name) + "_count", labels, static_cast<double>(histogram.count));
}

}  // namespace rapport::metrics
