// Effects drawn over a rendered sim frame: tampering (a covered or sprayed
// lens, defocus, glare, blackout, a camera turned away; freeze is done by the
// callers, which repeat a frame) and the ordinary conditions that must not
// raise a tamper alarm (day/IR-night switches, auto-exposure steps, rain,
// cloud shadows, headlights, water, people passing close to the lens).
//
// Everything is a pure function of (options, t): the same t gives the same
// pixels. Times are clip seconds (camera seconds for live sources).
// Thread safety: free functions over the image they are given.
#pragma once

#include <opencv2/core.hpp>

#include "sim/scene.h"

namespace watchline::sim {

// Whether the tamper of `o` is in force at t.
bool TamperActive(const SimOptions& o, double t);

// Applies o.conditions and (when active) o.tamper, except freeze, to *bgr.
void ApplyEffects(const SimOptions& o, double t, cv::Mat* bgr);

// Renders the frame a camera with these options shows at t: the scene, the
// effects, and for a freeze tamper the picture of the moment it began.
void RenderWithEffects(const Scene& scene, double t, cv::Mat* bgr);

// Seconds during which a person passing close to the lens covers part of the
// view, if one does at t (for tests): returns false when none does.
bool PasserAt(const SimOptions& o, double t, double* start = nullptr, double* end = nullptr);

}  // namespace watchline::sim
