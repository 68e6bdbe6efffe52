#include "server/metrics.h"

#include <gtest/gtest.h>

namespace watchline::server {
namespace {

TEST(MetricsTest, RendersEveryCameraFamilyInPrometheusText) {
  engine::CameraStatus a;
  a.id = "c1";
  a.state = "ok";
  a.fps = 5;
  a.frames_dropped = 3;
  a.reconnects = 2;
  a.analysis_ms = 0.75;
  a.events = 7;
  engine::CameraStatus b;
  b.id = "c\"2";
  b.state = "offline";
  const std::string t = RenderMetrics({a, b}, ServerGauges{4, 99, 1000});
  EXPECT_NE(t.find("# TYPE watchline_camera_fps gauge\n"), std::string::npos);
  EXPECT_NE(t.find("watchline_camera_fps{camera=\"c1\"} 5\n"), std::string::npos) << t;
  EXPECT_NE(t.find("watchline_camera_frames_dropped_total{camera=\"c1\"} 3\n"), std::string::npos);
  EXPECT_NE(t.find("watchline_camera_reconnects_total{camera=\"c1\"} 2\n"), std::string::npos);
  EXPECT_NE(t.find("watchline_camera_analysis_ms{camera=\"c1\"} 0.75\n"), std::string::npos);
  EXPECT_NE(t.find("watchline_camera_events_total{camera=\"c1\"} 7\n"), std::string::npos);
  EXPECT_NE(t.find("watchline_camera_ok{camera=\"c\\\"2\",state=\"offline\"} 0\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("watchline_sse_clients 4\n"), std::string::npos);
}

}  // namespace
}  // namespace watchline::server
