// Snapshot: a JPEG of one analysed frame for operators, with privacy zones
// blurred (DESIGN.md: privacy areas stay out of snapshots and recordings)
// and, for an event, its box drawn.
// Thread safety: stateless functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "config/config.h"
#include "events/event.h"
#include "ingest/frame.h"

namespace watchline::engine {

// JPEG quality of snapshots, 0..100.
inline constexpr int kSnapshotJpegQuality = 80;

// Encodes the frame (colour when present, else grey) as JPEG after blurring
// every privacy polygon (normalised coordinates) and drawing box, if given,
// and the track's path (normalised foot points, oldest first), if given.
Result<std::string> RenderSnapshotJpeg(const ingest::Frame& frame,
                                       const std::vector<config::Polygon>& privacy,
                                       const std::optional<events::Box>& box,
                                       const std::vector<config::Point>& path = {});

// <data_dir>/snapshots/<event id>.jpg
std::string EventSnapshotPath(const std::string& data_dir, int64_t event_id);

}  // namespace watchline::engine
