// The duty report (`watchline report --from T --to T [--json|--csv]`), built
// from stored events alone, so it can be produced for any past period:
//   - per post and shift instance overlapping [from, to): duty time (clipped
//     to [from, to)), vacant time (the union of post_vacant intervals clipped
//     to it; an open one runs to min(to, shift end)), the percentage of duty
//     time the post was manned, and the inactivity episodes;
//   - per patrol run starting in [from, to): each checkpoint's status
//     (on_time, late, missed, or pending when no verdict was stored yet) with
//     the visit time, and the counts.
// Nobody is identified: a checkpoint visit is "a person passed".
// Times are output as ISO-8601 UTC strings plus epoch seconds.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "duty/patrol_monitor.h"
#include "duty/post_monitor.h"
#include "events/event.h"

namespace watchline::duty {

struct InactivityEpisode {
  double t = 0;
  std::optional<double> end;  // null while still open
  double duration_s = 0;      // to `end`, or to min(report end, shift end) when open
};

struct PostShiftReport {
  std::string post, camera, shift;  // shift = the shift instance label
  double start = 0, end = 0;        // the whole shift instance, epoch seconds
  double duty_s = 0;                // the part inside the report period, seconds
  double vacant_s = 0;              // of duty_s, seconds
  double manned_pct = 0;            // 100 * (duty_s - vacant_s) / duty_s
  std::vector<InactivityEpisode> inactivity;
};

struct CheckpointReport {
  std::string id, camera;
  std::string status;       // on_time | late | missed | pending
  std::optional<double> t;  // visit time (on_time, late) or window end (missed)
  Window window;
};

struct PatrolRunReport {
  std::string patrol, run;  // run = the run's label
  double start = 0;
  std::vector<CheckpointReport> checkpoints;
  int on_time = 0, late = 0, missed = 0, pending = 0;
};

struct Report {
  double from = 0, to = 0;
  std::vector<PostShiftReport> posts;    // by post (spec order), then shift start
  std::vector<PatrolRunReport> patrols;  // by patrol (spec order), then run start
};

Report BuildReport(const std::vector<PostSpec>& posts, const std::vector<PatrolSpec>& patrols,
                   const std::vector<events::Event>& stored, double from, double to);

// {"from", "from_epoch", "to", "to_epoch",
//  "posts": [{"post", "camera", "shift", "start", "start_epoch", "end", "end_epoch",
//             "duty_s", "vacant_s", "manned_pct",
//             "inactivity": [{"t", "t_epoch", "end", "end_epoch", "duration_s"}]}],
//  "patrols": [{"patrol", "run", "start", "start_epoch",
//               "checkpoints": [{"id", "camera", "status", "t", "t_epoch",
//                                "window_open", "window_close"}],
//               "on_time", "late", "missed", "pending"}]}
std::string ReportToJson(const Report& r);

// RFC 4180 CSV (CRLF line ends; a field holding a comma, quote, CR or LF is
// quoted, with quotes doubled). Header row, then one row per post shift and
// one per patrol checkpoint:
//   kind        "post" or "checkpoint"
//   id          post id, or patrol id
//   camera      post camera, or checkpoint camera
//   period      shift label, or run label
//   start,end   shift start/end (ISO-8601 UTC); run start, end empty
//   duty_s, vacant_s, manned_pct, inactive_episodes, inactive_s   posts only
//   checkpoint, status, t (ISO-8601 UTC)                         checkpoints only
std::string ReportToCsv(const Report& r);

// One CSV field, quoted per RFC 4180 when needed.
std::string CsvField(const std::string& s);

}  // namespace watchline::duty
