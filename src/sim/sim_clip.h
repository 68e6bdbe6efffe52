// WriteSimClip: renders a Scene to a folder that tests and `watchline sim` use in
// place of outside footage:
//   DIR/clip.mp4       H.264 (libx264, yuv420p) in MP4, GOP ~2 s, crf 23, preset veryfast
//   DIR/gt.txt         MOT boxes: frame(1-based),id,x,y,w,h,1,-1,-1,-1 per visible object per frame
//   DIR/events.jsonl   ground-truth events, one contract JSON per line, sorted by t
//   DIR/config.yaml    a watchline config for the clip (one camera, the line and zone)
// Thread safety: independent calls may run in parallel on different folders.
#pragma once

#include <functional>
#include <string>

#include "base/status.h"
#include "sim/encoder.h"
#include "sim/scene.h"

namespace watchline::sim {

// Writes the clip folder (created if missing; files in it are overwritten).
// `progress`, if set, is called with the fraction done (0..1) as frames are encoded.
// Bad options are InvalidArgument; file and encoder failures name the path.
Status WriteSimClip(const SimOptions& o, const std::string& dir, std::function<void(double)> progress = {});

// The config.yaml text for a clip of `o` whose video is at `source` (as written
// into the file, e.g. "clip.mp4"), analysed at `analysis_width` px and 10 fps.
std::string SimConfigYaml(const SimOptions& o, const std::string& source, int analysis_width);

// One gt.txt row (without the newline) for a box on 1-based frame `frame`.
std::string MotRow(int64_t frame, const GtBox& b);

}  // namespace watchline::sim
