// The guard duty report from the store: loads the duty events of a period and
// builds duty::BuildReport from them and the config's posts and patrols. Used
// by `watchline report` and GET /api/report.
//
// Stored duty events keep the camera's stream time in t/end and the epoch
// time of t in wall (engine.h); the report works in epoch seconds, so this
// converts them back (t_epoch = wall, end_epoch = wall + end - t).
//
// Thread safety: as the store's.
#pragma once

#include <string>

#include "base/status.h"
#include "config/config.h"
#include "duty/report.h"
#include "store/store.h"

namespace watchline::engine {

// How far before `from` duty events are looked for: a vacancy or a patrol run
// that began before the period can still reach into it.
inline constexpr double kReportLookbackS = 2 * 86400.0;

// InvalidArgument when from >= to or the config's posts/patrols are unusable.
Result<duty::Report> BuildDutyReport(store::Store* store, const config::Config& cfg, double from,
                                     double to);

// Parses a report time: epoch seconds ("1774735200"), or ISO-8601 with a
// zone ("2026-03-28T22:00:00Z", "2026-03-28T23:00+01:00"), or a date
// ("2026-03-28", midnight UTC). InvalidArgument naming the text otherwise.
Result<double> ParseReportTime(const std::string& text);

}  // namespace watchline::engine
