// Frame: one decoded, scaled picture on its way from ingest to analysis.
// Frames are handed to several stages, so they travel as shared_ptr<const Frame>.
#pragma once

#include <cstdint>
#include <memory>

#include <opencv2/core.hpp>

namespace watchline::ingest {

struct Frame {
  double t = 0;            // seconds of stream time: media time from the first frame for
                           // files; for live sources, seconds since the camera started
  int64_t index = 0;       // 1-based number of this frame in the input (before decimation)
  double wall = 0;         // wall-clock seconds since the epoch when decoded
  int src_width = 0;       // the input's resolution, before scaling
  int src_height = 0;
  bool keyframe = false;
  cv::Mat gray;            // CV_8UC1 at the analysis size
  cv::Mat bgr;             // CV_8UC3 at the analysis size; may be empty when colour is not needed
};

using FramePtr = std::shared_ptr<const Frame>;

}  // namespace watchline::ingest
