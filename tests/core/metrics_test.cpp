// Prometheus metrics: histograms, label sets recorded from many threads, the text format.
#include "core/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace rapport::metrics {
namespace {

TEST(Metrics, AnObservationFallsInTheFirstBucketAtOrAboveIt) {
  Histogram h;
  h.Observe(0.0005);  // on a bound: that bucket (le is "less or equal")
  h.Observe(0.003);   // 2.5 ms < 3 ms <= 5 ms
  h.Observe(60);      // beyond the last bound: +Inf
  EXPECT_EQ(h.counts[0], 1u);
  EXPECT_EQ(h.counts[3], 1u);
  EXPECT_EQ(h.counts.back(), 1u);
  EXPECT_EQ(h.count, 3u);
  EXPECT_DOUBLE_EQ(h.sum, 60.0035);
}

TEST(Metrics, TheTextFormatHasCumulativeBucketsSumAndCount) {
  Histogram h;
  h.Observe(0.002);
  h.Observe(0.02);
  std::string out;
  WriteHeader(out, "t_seconds", "histogram", "A test");
  WriteHistogram(out, "t_seconds", Label("route", "/a/{id}"), h);
  EXPECT_NE(out.find("# HELP t_seconds A test\n# TYPE t_seconds histogram\n"), std::string::npos);
  EXPECT_NE(out.find("t_seconds_bucket{route=\"/a/{id}\",le=\"0.001\"} 0\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("t_seconds_bucket{route=\"/a/{id}\",le=\"0.0025\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("t_seconds_bucket{route=\"/a/{id}\",le=\"0.025\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find("t_seconds_bucket{route=\"/a/{id}\",le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find("t_seconds_sum{route=\"/a/{id}\"} 0.022\n"), std::string::npos);
  EXPECT_NE(out.find("t_seconds_count{route=\"/a/{id}\"} 2\n"), std::string::npos);
}

TEST(Metrics, LabelValuesAreEscaped) {
  EXPECT_EQ(Label("job", "a\"b\\c\nd"), "job=\"a\\\"b\\\\c\\nd\"");
}

TEST(Metrics, EveryThreadsObservationsAreSummedByLabelSet) {
  LabelledHistograms histograms;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&histograms, t] {
      for (int i = 0; i < 1000; ++i) {
        histograms.Observe(i % 2 == 0 ? "x=\"even\"" : "x=\"odd\"", 0.001 * t);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  histograms.Observe("x=\"even\"", 1);  // this thread's shard too
  const auto total = histograms.Collect();
  ASSERT_EQ(total.size(), 2u);
  EXPECT_EQ(total.at("x=\"even\"").count, 2001u);
  EXPECT_EQ(total.at("x=\"odd\"").count, 2000u);
  EXPECT_NEAR(total.at("x=\"odd\"").sum, 500 * (0 + 0.001 + 0.002 + 0.003), 1e-9);
}

TEST(Metrics, ASetMadeWhereAnotherWasDestroyedStartsEmpty) {
  for (int round = 0; round < 3; ++round) {
    LabelledHistograms histograms;  // likely the same address each round
    histograms.Observe("a=\"b\"", 1);
    EXPECT_EQ(histograms.Collect().at("a=\"b\"").count, 1u) << round;
  }
}

}  // namespace
}  // namespace rapport::metrics
