#include "health/health_monitor.h"

#include <gtest/gtest.h>

namespace watchline::health {
namespace {

config::IngestConfig Cfg(double offline_after) {
  config::IngestConfig c;
  c.offline_after_s = offline_after;
  return c;
}

TEST(HealthMonitorTest, GoesOkOnFirstFrameAndOfflineAfterSilence) {
  HealthMonitor m(Cfg(2.0), 100.0);
  EXPECT_EQ(m.state(), State::kStarting);
  EXPECT_FALSE(m.OnTick(101.0, "").has_value());
  auto tr = m.OnFrame(101.5);
  ASSERT_TRUE(tr.has_value());
  EXPECT_EQ(tr->to, State::kOk);
  EXPECT_FALSE(m.OnTick(103.4, "").has_value());
  tr = m.OnTick(103.6, "connection refused");
  ASSERT_TRUE(tr.has_value());
  EXPECT_EQ(tr->to, State::kOffline);
  EXPECT_DOUBLE_EQ(tr->at, 103.5);
  EXPECT_NE(tr->cause.find("connection refused"), std::string::npos);
  EXPECT_EQ(EventType(tr->to), "camera_offline");
  // Stays offline without repeating the transition.
  EXPECT_FALSE(m.OnTick(110.0, "").has_value());
  tr = m.OnFrame(111.0);
  ASSERT_TRUE(tr.has_value());
  EXPECT_EQ(tr->from, State::kOffline);
  EXPECT_EQ(tr->to, State::kOk);
}

TEST(HealthMonitorTest, CameraThatNeverSendsGoesOfflineAfterGrace) {
  HealthMonitor m(Cfg(5.0), 0.0);
  EXPECT_FALSE(m.OnTick(4.9, "").has_value());
  auto tr = m.OnTick(5.1, "");
  ASSERT_TRUE(tr.has_value());
  EXPECT_EQ(tr->from, State::kStarting);
  EXPECT_EQ(tr->to, State::kOffline);
  EXPECT_NE(tr->cause.find("since start"), std::string::npos);
}

}  // namespace
}  // namespace watchline::health
