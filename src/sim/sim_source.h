// SimSource: a live simulated camera for sim:// sources. It renders the
// simulator's scene on demand at the analysis size and rate, paced by a Clock,
// so the demo (and tests, with a ManualClock) get a camera without a network.
//
//   sim://river?seed=3&people=4&night=1&fail_at=60&fail=offline&fail_for=30
//
// Time: frame n is due at start + n / fps on the clock, where start is the
// clock at the first Open(); its t is n / fps (seconds since the camera
// started). Next() waits for the next due frame; if the caller fell behind it
// skips to the newest due frame, as a live camera does. Reconnecting keeps the
// camera's time. When the scene's duration ends, a new story (seed + cycle)
// starts over the same background, so the camera runs forever.
//
// Failures (fail=...) from fail_at seconds, for fail_for seconds (0 = for good):
//   offline  Next() delivers nothing and returns Unavailable after
//            kSimReadTimeoutS; Open() fails while offline.
//   freeze   the last image before the failure is repeated.
//   black    black frames.
//
// Tampering and conditions (effects.h) are drawn over the scene:
//   sim://river?tamper=cover&tamper_at=20&tamper_for=30&rain=1&ir_switch=60&passers=15
//
// Thread safety: one thread calls Open/Next/Close; Interrupt() may be called
// from any thread and makes a blocked Open/Next return Unavailable promptly.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "config/config.h"
#include "ingest/frame_source.h"
#include "sim/scene.h"

namespace watchline::sim {

// How long Next() waits for a frame from an offline sim camera before giving up
// (what a stalled RTSP read would do), clock seconds.
inline constexpr double kSimReadTimeoutS = 1.0;

// Parses a sim:// URL into options (defaults for keys not given). Keys: seed,
// people, vehicles, night (0/1), noise, duration, fps, width, height,
// fail (offline|freeze|black), fail_at, fail_for, tamper (cover|spray|defocus|
// glare|blackout|freeze|move), tamper_at, tamper_for, ir_switch, ae_step,
// passers (seconds), rain, clouds, headlights, water (0/1), and the opt-in
// realism keys snow, far, river, trees (0/1), runners, crawlers, boats (counts),
// crf (x264 quality of written clips, 0..51),
// script (a JSON file of scripted actors, script.h; loaded here, relative to the
// current working directory) and script_loop (0/1). An unknown key, a repeated
// key, a bad value or a missing/malformed script is InvalidArgument naming the
// key (or the script file) and the URL.
Result<SimOptions> ParseSimUrl(const std::string& url);

class SimSource : public ingest::FrameSource {
 public:
  // Renders o's scene at analysis_width (height keeps o's aspect ratio;
  // <= 0 = o.width) and analysis_fps (<= 0 = o.fps). `clock` is not owned and
  // must outlive the source. o must be valid (ValidateSimOptions).
  SimSource(const SimOptions& o, int analysis_width, double analysis_fps, Clock* clock);

  // A source for a camera whose source is a sim:// URL: the camera's id,
  // analysis size and rate, and its first line and zone (if any) shape the scene,
  // so simulated people cross the tripwire the camera is configured with.
  static Result<std::unique_ptr<SimSource>> Create(const config::CameraConfig& cam, Clock* clock);

  Status Open() override;
  Result<ingest::FramePtr> Next() override;
  void Close() override;
  void Interrupt() override;
  bool IsLive() const override { return o_.live; }
  const ingest::SourceStats& stats() const override { return stats_; }

  int width() const { return scene_.width(); }
  int height() const { return scene_.height(); }
  double fps() const { return fps_; }
  // The current story (changes at each cycle). Same thread as Next().
  const Scene& scene() const { return scene_; }

 private:
  // Whether the configured failure is active at camera time t.
  bool Failing(double t) const;
  // Waits until the clock reaches `when`; false if interrupted first.
  bool WaitUntil(double when);
  ingest::FramePtr MakeFrame(int64_t index, double t, cv::Mat bgr);
  std::string Name() const;

  const SimOptions o_;  // at the render size and rate
  Clock* const clock_;
  double fps_;
  Scene scene_;
  int cycle_ = 0;
  bool open_ = false;
  bool started_ = false;
  double start_ = 0;        // clock time of the first Open
  int64_t next_index_ = 0;  // 0-based number of the next frame due
  cv::Mat last_good_;       // newest image before a freeze
  cv::Mat tamper_frozen_;   // the picture a freeze tamper repeats
  ingest::SourceStats stats_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool interrupted_ = false;  // guarded by mu_
};

}  // namespace watchline::sim
