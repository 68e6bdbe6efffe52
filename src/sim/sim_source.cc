#include "sim/sim_source.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <set>
#include <sstream>

#include "base/log.h"
#include "sim/effects.h"
#include "sim/script.h"

namespace watchline::sim {

namespace {

// With a clock other than the real one (a test's ManualClock) time moves
// without notice, so waits re-check it this often, in real seconds.
constexpr double kClockPollS = 0.005;

constexpr const char* kKnownKeys =
    "seed, people, vehicles, night, noise, duration, fps, width, height, fail, "
    "fail_at, fail_for, tamper, tamper_at, tamper_for, ir_switch, ae_step, passers, rain, clouds, "
    "headlights, water, web, snow, runners, crawlers, boats, far, river, trees, crf, script, script_loop, live";

SimOptions LiveOptions(SimOptions o, int analysis_width, double analysis_fps) {
  if (analysis_width > 0 && analysis_width != o.width) {
    o.height =
        std::max(16, static_cast<int>(std::lround(static_cast<double>(analysis_width) * o.height / o.width)));
    o.width = analysis_width;
  }
  if (analysis_fps > 0) o.fps = analysis_fps;
  return o;
}

std::string Seconds(double s) {
  std::ostringstream os;
  os << s;
  return os.str();
}

bool ParseDouble(const std::string& s, double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(*out);
}

bool ParseBool(const std::string& s, bool* out) {
  if (s == "1" || s == "true") {
    *out = true;
    return true;
  }
  if (s == "0" || s == "false") {
    *out = false;
    return true;
  }
  return false;
}

// %XX escapes (a script path with a space or '&' in a URL); false on a bad escape.
bool PercentDecode(const std::string& s, std::string* out) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      *out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
      return false;
    *out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
    i += 2;
  }
  return true;
}

template <typename T>
bool ParseInt(const std::string& s, T* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Result<SimOptions> ParseSimUrl(const std::string& url) {
  const std::string scheme = "sim://";
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument("sim URL '" + url + "': " + what);
  };
  if (url.rfind(scheme, 0) != 0) return bad("must start with sim://");
  std::string rest = url.substr(scheme.size());
  std::string name = rest.substr(0, rest.find('?'));
  if (!name.empty() && name.back() == '/') name.pop_back();
  for (char ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_')
      return bad("scene name '" + name + "' may only hold letters, digits, '-' and '_'");
  SimOptions o;
  if (!name.empty()) o.name = name;
  bool fail_given = false;
  std::set<std::string> seen;
  size_t q = rest.find('?');
  std::string query = q == std::string::npos ? "" : rest.substr(q + 1);
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    std::string item = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    pos = amp == std::string::npos ? query.size() : amp + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string key = item.substr(0, eq);
    std::string val = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (!seen.insert(key).second) return bad("key '" + key + "' given twice");
    auto bad_value = [&](const std::string& expect) {
      return bad("key '" + key + "': bad value '" + val + "' (expected " + expect + ")");
    };
    double d = 0;
    if (key == "seed") {
      if (!ParseInt(val, &o.seed)) return bad_value("an unsigned integer");
    } else if (key == "people") {
      if (!ParseInt(val, &o.people)) return bad_value("an integer");
    } else if (key == "vehicles") {
      if (!ParseInt(val, &o.vehicles)) return bad_value("an integer, -1 for auto");
    } else if (key == "night") {
      if (val == "1" || val == "true")
        o.night = true;
      else if (val == "0" || val == "false")
        o.night = false;
      else
        return bad_value("0 or 1");
    } else if (key == "noise") {
      if (!ParseDouble(val, &o.noise_sigma)) return bad_value("grey levels");
    } else if (key == "duration") {
      if (!ParseDouble(val, &o.duration_s)) return bad_value("seconds");
    } else if (key == "fps") {
      if (!ParseDouble(val, &o.fps)) return bad_value("frames per second");
    } else if (key == "width") {
      if (!ParseInt(val, &o.width)) return bad_value("pixels");
    } else if (key == "height") {
      if (!ParseInt(val, &o.height)) return bad_value("pixels");
    } else if (key == "fail") {
      if (val == "offline")
        o.fail = FailMode::kOffline;
      else if (val == "freeze")
        o.fail = FailMode::kFreeze;
      else if (val == "black")
        o.fail = FailMode::kBlack;
      else if (val == "none")
        o.fail = FailMode::kNone;
      else
        return bad_value("offline, freeze, black or none");
      fail_given = true;
    } else if (key == "tamper") {
      if (!ParseTamper(val, &o.tamper))
        return bad_value("cover, spray, defocus, glare, blackout, freeze, move or none");
    } else if (key == "tamper_at") {
      if (!ParseDouble(val, &o.tamper_at_s)) return bad_value("seconds");
    } else if (key == "tamper_for") {
      if (!ParseDouble(val, &o.tamper_for_s)) return bad_value("seconds");
    } else if (key == "ir_switch") {
      if (!ParseDouble(val, &o.conditions.ir_switch_s)) return bad_value("seconds");
    } else if (key == "ae_step") {
      if (!ParseDouble(val, &o.conditions.ae_step_s)) return bad_value("seconds");
    } else if (key == "passers") {
      if (!ParseDouble(val, &o.conditions.passers_s)) return bad_value("seconds");
    } else if (key == "rain" || key == "clouds" || key == "headlights" || key == "water" || key == "web") {
      bool* flag = key == "rain"     ? &o.conditions.rain
                   : key == "clouds" ? &o.conditions.clouds
                   : key == "water"  ? &o.conditions.water
                   : key == "web"    ? &o.conditions.web
                                     : &o.conditions.headlights;
      if (val == "1" || val == "true")
        *flag = true;
      else if (val == "0" || val == "false")
        *flag = false;
      else
        return bad_value("0 or 1");
    } else if (key == "snow" || key == "far" || key == "river" || key == "trees" || key == "script_loop" ||
               key == "live") {
      bool* flag = key == "snow"    ? &o.conditions.snow
                   : key == "far"   ? &o.far
                   : key == "river" ? &o.river
                   : key == "trees" ? &o.trees
                   : key == "live"  ? &o.live
                                    : &o.script_loop;
      if (!ParseBool(val, flag)) return bad_value("0 or 1");
    } else if (key == "crf") {
      if (!ParseInt(val, &o.crf)) return bad_value("an integer 0..51");
    } else if (key == "runners" || key == "crawlers" || key == "boats") {
      int* n = key == "runners" ? &o.runners : key == "crawlers" ? &o.crawlers : &o.boats;
      if (!ParseInt(val, n)) return bad_value("an integer");
    } else if (key == "script") {
      if (!PercentDecode(val, &o.script) || o.script.empty())
        return bad_value("a file path (%XX escapes allowed)");
    } else if (key == "fail_at") {
      if (!ParseDouble(val, &d)) return bad_value("seconds");
      o.fail_at_s = d;
    } else if (key == "fail_for") {
      if (!ParseDouble(val, &d)) return bad_value("seconds");
      o.fail_for_s = d;
    } else {
      return bad("unknown key '" + key + "' (known: " + std::string(kKnownKeys) + ")");
    }
  }
  // "fail_at=60" alone means the camera goes offline at 60 s.
  if (!fail_given && seen.count("fail_at")) o.fail = FailMode::kOffline;
  // Boats are only ground truth (and reported) if the line takes them.
  if (o.boats > 0 && !o.line.classes.empty() &&
      std::find(o.line.classes.begin(), o.line.classes.end(), "boat") == o.line.classes.end())
    o.line.classes.push_back("boat");
  if (o.boats > 0) o.river = true;
  Status s = ValidateSimOptions(o);
  if (!s.ok()) return bad(s.message());
  s = LoadScriptInto(&o);
  if (!s.ok()) return bad(s.message());
  return o;
}

SimSource::SimSource(const SimOptions& o, int analysis_width, double analysis_fps, Clock* clock)
    : o_(LiveOptions(o, analysis_width, analysis_fps)),
      clock_(clock),
      fps_(o_.fps),
      scene_(Scene::Generate(o_)) {}

Result<std::unique_ptr<SimSource>> SimSource::Create(const config::CameraConfig& cam, Clock* clock) {
  WL_ASSIGN_OR_RETURN(SimOptions o, ParseSimUrl(cam.source));
  o.camera_id = cam.id;
  if (!cam.lines.empty()) o.line = cam.lines.front();
  if (!cam.zones.empty()) o.zone = cam.zones.front();
  Status s = ValidateSimOptions(o);
  if (!s.ok()) return s.WithContext("camera " + cam.id + " (" + cam.source + ")");
  return std::make_unique<SimSource>(o, cam.analysis.width, cam.analysis.fps, clock);
}

std::string SimSource::Name() const { return "sim camera " + o_.camera_id + " (" + o_.name + ")"; }

bool SimSource::Failing(double t) const {
  if (o_.fail == FailMode::kNone || t < o_.fail_at_s) return false;
  return o_.fail_for_s <= 0 || t < o_.fail_at_s + o_.fail_for_s;
}

bool SimSource::WaitUntil(double when) {
  const bool real = clock_ == Clock::Real();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (interrupted_) return false;
    double now = clock_->Now();
    if (now >= when) return true;
    double wait = real ? when - now : std::min(when - now, kClockPollS);
    cv_.wait_for(lock, std::chrono::duration<double>(wait));
  }
}

Status SimSource::Open() {
  open_ = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    interrupted_ = false;
  }
  const double now = clock_->Now();
  if (!started_) {
    started_ = true;
    start_ = now;
  }
  const double t = now - start_;
  if (o_.fail == FailMode::kOffline && Failing(t))
    return Status::Unavailable(Name() + ": camera offline (simulated failure since " + Seconds(o_.fail_at_s) +
                               " s)");
  // After a reconnect the camera carries on from now, not from where we left.
  next_index_ = std::max(next_index_, static_cast<int64_t>(std::ceil(t * fps_ - 1e-9)));
  open_ = true;
  return Status::Ok();
}

void SimSource::Close() { open_ = false; }

void SimSource::Interrupt() {
  std::lock_guard<std::mutex> lock(mu_);
  interrupted_ = true;
  cv_.notify_all();
}

ingest::FramePtr SimSource::MakeFrame(int64_t index, double t, cv::Mat bgr) {
  auto f = std::make_shared<ingest::Frame>();
  f->t = t;
  f->index = index + 1;
  f->wall = clock_->WallNow();
  f->src_width = bgr.cols;
  f->src_height = bgr.rows;
  f->keyframe = true;  // every rendered frame stands alone
  cv::cvtColor(bgr, f->gray, cv::COLOR_BGR2GRAY);
  f->bgr = std::move(bgr);
  stats_.frames_decoded.fetch_add(1);
  stats_.frames_emitted.fetch_add(1);
  return f;
}

Result<ingest::FramePtr> SimSource::Next() {
  if (!open_) return Status::Internal(Name() + ": Next() before Open()");
  for (;;) {
    int64_t index = next_index_;
    if (o_.live) {
      if (!WaitUntil(start_ + next_index_ / fps_)) return Status::Unavailable(Name() + ": interrupted");
      // A live camera does not replay frames nobody read: take the newest due one.
      index = std::max(next_index_,
                       static_cast<int64_t>(std::floor((clock_->Now() - start_) * fps_ + 1e-9)));
    } else {
      // A recorded clip: every frame, as fast as it is read, to its end.
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (interrupted_) return Status::Unavailable(Name() + ": interrupted");
      }
      if (index / fps_ >= o_.duration_s - 1e-9) return ingest::FramePtr();
    }
    const double now = clock_->Now();
    const double t = index / fps_;
    if (o_.fail == FailMode::kOffline && Failing(t)) {
      // Nothing arrives. Give up after the read timeout, unless the camera
      // comes back first.
      const double deadline = now + kSimReadTimeoutS;
      const double back = o_.fail_for_s > 0 ? start_ + o_.fail_at_s + o_.fail_for_s : deadline;
      if (!WaitUntil(std::min(deadline, back))) return Status::Unavailable(Name() + ": interrupted");
      if (clock_->Now() >= deadline)
        return Status::Unavailable(Name() + ": no frame for " + Seconds(kSimReadTimeoutS) +
                                   " s (simulated offline)");
      next_index_ = index + 1;
      continue;
    }
    next_index_ = index + 1;
    cv::Mat bgr;
    if (Failing(t) && o_.fail == FailMode::kBlack) {
      bgr = cv::Mat::zeros(scene_.height(), scene_.width(), CV_8UC3);
    } else if (Failing(t) && o_.fail == FailMode::kFreeze) {
      if (last_good_.empty()) {
        // Failing from the start: freeze on the image at fail_at.
        scene_.Render(std::fmod(o_.fail_at_s, o_.duration_s), &last_good_);
      }
      bgr = last_good_;  // frames are const downstream; sharing the pixels is safe
    } else {
      const int cycle = static_cast<int>(std::floor(t / o_.duration_s));
      if (cycle != cycle_) {
        scene_ = scene_.NextCycle(cycle);
        cycle_ = cycle;
      }
      if (o_.tamper == Tamper::kFreeze && TamperActive(o_, t)) {
        // The picture of the moment the freeze began, repeated bit for bit.
        if (tamper_frozen_.empty()) {
          scene_.Render(std::fmod(o_.tamper_at_s, o_.duration_s), &tamper_frozen_);
          ApplyEffects(o_, o_.tamper_at_s, &tamper_frozen_);
        }
        bgr = tamper_frozen_;
      } else {
        scene_.Render(t - cycle * o_.duration_s, &bgr);
        if (o_.conditions.Any() || o_.tamper != Tamper::kNone) ApplyEffects(o_, t, &bgr);
      }
      if (o_.fail == FailMode::kFreeze) last_good_ = bgr;
    }
    return MakeFrame(index, t, std::move(bgr));
  }
}

}  // namespace watchline::sim
