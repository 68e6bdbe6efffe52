// Scoring detected events against ground truth.
//
// - ReadMotGt(): a MOTChallenge gt.txt (frame,id,x,y,w,h,conf,...; frame 1-based).
// - CrossingsFromMot(): the line crossings implied by ground-truth boxes, using
//   each person's foot point (bottom-centre of the box) and the contract's
//   direction rule, with the crossing time interpolated between frames.
// - MatchEvents(): one-to-one matching of found events to true ones by type,
//   rule, direction and a time tolerance, giving precision and recall.
// Pure functions; thread safe.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "config/config.h"
#include "events/event.h"

namespace watchline::eval {

struct MotBox {
  int frame = 0;   // 1-based
  int id = 0;
  double x = 0, y = 0, w = 0, h = 0;  // pixels
};

Result<std::vector<MotBox>> ReadMotGt(const std::string& path);

struct CrossingOptions {
  int width = 0, height = 0;   // image size the boxes are in, pixels
  double fps = 25;             // frame rate: t = (frame - 1) / fps
  double dead_band = 0.005;    // normalised distance beyond the line that makes a side "firm"
};

// Crossings of `line` by the foot points of every track in `boxes`.
std::vector<events::Event> CrossingsFromMot(const std::vector<MotBox>& boxes,
                                            const config::LineRule& line,
                                            const CrossingOptions& opt);

Result<std::vector<events::Event>> ReadEventsJsonl(const std::string& path);

struct MatchOptions {
  double tolerance_s = 0.5;
  bool match_direction = true;
  bool match_rule = true;
};

struct MatchResult {
  int true_positives = 0;
  int false_positives = 0;
  int false_negatives = 0;
  double precision = 0;   // 1 when nothing was found and nothing was true
  double recall = 0;      // 1 when nothing was true
  double f1 = 0;
  std::vector<events::Event> missed;     // true events with no match
  std::vector<events::Event> spurious;   // found events with no match
  std::vector<double> time_errors;       // found.t - truth.t for each match
};

// Greedy one-to-one matching, closest in time first, within the tolerance.
MatchResult MatchEvents(const std::vector<events::Event>& truth,
                        const std::vector<events::Event>& found, const MatchOptions& opt);

}  // namespace watchline::eval
