#include "server/metrics.h"

#include <cstdio>
#include <functional>
#include <sstream>

namespace watchline::server {

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

namespace {
std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}
}  // namespace

std::string RenderMetrics(const std::vector<engine::CameraStatus>& cams, const ServerGauges& g) {
  std::ostringstream o;
  struct Family {
    const char* name;
    const char* type;
    const char* help;
    std::function<double(const engine::CameraStatus&)> get;
  };
  const Family families[] = {
      {"watchline_camera_fps", "gauge", "Analysed frames per second, recent.",
       [](const auto& c) { return c.fps; }},
      {"watchline_camera_frames_decoded_total", "counter", "Frames decoded by ingest.",
       [](const auto& c) { return static_cast<double>(c.frames_decoded); }},
      {"watchline_camera_frames_analysed_total", "counter", "Frames analysed.",
       [](const auto& c) { return static_cast<double>(c.frames_analysed); }},
      {"watchline_camera_frames_dropped_total", "counter",
       "Frames dropped by the ring because analysis fell behind.",
       [](const auto& c) { return static_cast<double>(c.frames_dropped); }},
      {"watchline_camera_reconnects_total", "counter", "Stream reconnects.",
       [](const auto& c) { return static_cast<double>(c.reconnects); }},
      {"watchline_camera_analysis_ms", "gauge", "Mean analysis cost per frame, milliseconds.",
       [](const auto& c) { return c.analysis_ms; }},
      {"watchline_camera_events_total", "counter", "Detection events raised.",
       [](const auto& c) { return static_cast<double>(c.events); }},
      {"watchline_camera_connected", "gauge", "1 when the stream is connected.",
       [](const auto& c) { return c.connected ? 1.0 : 0.0; }},
  };
  for (const auto& f : families) {
    o << "# HELP " << f.name << ' ' << f.help << "\n# TYPE " << f.name << ' ' << f.type << '\n';
    for (const auto& c : cams)
      o << f.name << "{camera=\"" << EscapeLabel(c.id) << "\"} " << Num(f.get(c)) << '\n';
  }
  o << "# HELP watchline_camera_ok 1 when the camera's health state is ok.\n"
       "# TYPE watchline_camera_ok gauge\n";
  for (const auto& c : cams) {
    o << "watchline_camera_ok{camera=\"" << EscapeLabel(c.id) << "\",state=\""
      << EscapeLabel(c.state) << "\"} " << (c.state == "ok" ? 1 : 0) << '\n';
  }
  o << "# HELP watchline_sse_clients Live-feed clients connected.\n"
       "# TYPE watchline_sse_clients gauge\nwatchline_sse_clients "
    << g.sse_clients << '\n';
  o << "# HELP watchline_feed_seq Last live-feed sequence number.\n"
       "# TYPE watchline_feed_seq gauge\nwatchline_feed_seq "
    << g.feed_seq << '\n';
  o << "# HELP watchline_http_requests_total HTTP requests served.\n"
       "# TYPE watchline_http_requests_total counter\nwatchline_http_requests_total "
    << g.http_requests << '\n';
  return o.str();
}

}  // namespace watchline::server
