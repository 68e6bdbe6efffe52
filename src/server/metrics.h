// Prometheus text exposition (format 0.0.4) of the engine's per-camera
// counters and the server's own gauges, for GET /metrics.
// Thread safety: stateless.
#pragma once

#include <string>
#include <vector>

#include "engine/engine.h"

namespace watchline::server {

struct ServerGauges {
  int sse_clients = 0;
  int64_t feed_seq = 0;
  uint64_t http_requests = 0;
};

std::string RenderMetrics(const std::vector<engine::CameraStatus>& cams, const ServerGauges& g);

// Escapes a Prometheus label value (backslash, quote, newline).
std::string EscapeLabel(const std::string& v);

}  // namespace watchline::server
