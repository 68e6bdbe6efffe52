// DutyMonitor: every guard post and patrol of a site behind one thread-safe
// facade. The engine forwards each camera's confirmed tracks frame by frame
// (OnPersons), the completeness of each camera's evidence (AdvanceCamera) and
// outside checkpoint scans (Scan); it collects duty events with Take().
//
// Start here: schedule.h (shifts and time zones), post_monitor.h (post_vacant,
// post_inactive), patrol_monitor.h (patrol_missed, patrol_late,
// patrol_checkpoint), report.h (the per-shift report).
//
// Thread safety: all methods are thread safe (one mutex). Calls for one camera
// must come in time order; different cameras may run ahead of each other.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "config/config.h"
#include "duty/patrol_monitor.h"
#include "duty/post_monitor.h"
#include "events/event.h"

namespace watchline::duty {

class DutyMonitor {
 public:
  // Specs are taken as given; use Make() to validate them first.
  DutyMonitor(std::vector<PostSpec> posts, std::vector<PatrolSpec> patrols);
  // Validates every spec (InvalidArgument naming the post or patrol).
  static Result<std::unique_ptr<DutyMonitor>> Make(std::vector<PostSpec> posts,
                                                   std::vector<PatrolSpec> patrols);

  // A frame of `camera` at stream time t with its confirmed tracks (foot
  // points). Also moves the camera's watermark to t.
  void OnPersons(const std::string& camera, double t, const std::vector<PersonObs>& persons);
  // `camera`'s evidence is complete up to t with no frame (a dead live camera:
  // wall time; a file source that ended: +inf).
  void AdvanceCamera(const std::string& camera, double t);
  // An outside scan of a checkpoint (RFID guard tour). NotFound for an
  // unknown checkpoint id; InvalidArgument for a non-finite time.
  Status Scan(const std::string& checkpoint, double t, const std::string& source);

  // Events that became final since the last call, sorted by t (stable).
  std::vector<events::Event> Take();

  // Whether the post is on duty at t (off duty its zone may act as an
  // ordinary intrusion zone). False for an unknown post.
  bool PostOnDuty(const std::string& post_id, double t) const;

  const std::vector<PostSpec>& post_specs() const { return post_specs_; }
  const std::vector<PatrolSpec>& patrol_specs() const { return patrol_specs_; }

 private:
  const std::vector<PostSpec> post_specs_;
  const std::vector<PatrolSpec> patrol_specs_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<PostMonitor>> posts_;      // guarded by mu_
  std::vector<std::unique_ptr<PatrolMonitor>> patrols_;  // guarded by mu_
};

// Specs from the loaded config (config::PostConfig / PatrolConfig). A patrol's
// `starts` become 24-hour shifts on its `days`, so each start is a run.
Result<PostSpec> PostSpecFromConfig(const config::PostConfig& c);
Result<PatrolSpec> PatrolSpecFromConfig(const config::PatrolConfig& c);

}  // namespace watchline::duty
