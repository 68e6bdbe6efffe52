// Scene: a deterministic synthetic camera view with people (and now and then a
// vehicle) walking across a tripwire and into a zone, with exact ground truth.
//
// Everything in a scene follows from SimOptions. Object paths live in
// normalised image coordinates (x right, y down, 0..1) and do not depend on the
// render size, so the same seed gives the same story at 640x360 and at 320x180;
// only the background texture and sensor noise are drawn at the render size.
// Ground truth (boxes, crossings, zone entries) is computed analytically from the
// paths, never from pixels or analysis code.
//
// Thread safety: a Scene is immutable after Generate(); all const methods may be
// called from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "config/config.h"
#include "events/event.h"

namespace watchline::sim {

// What a camera does when it "fails" (live sources only).
enum class FailMode { kNone, kOffline, kFreeze, kBlack };

// Tampering drawn into the picture (effects.h): from tamper_at_s for tamper_for_s.
enum class Tamper { kNone, kCover, kSpray, kDefocus, kGlare, kBlackout, kFreeze, kMove };

// Conditions that must NOT raise a tamper alarm (effects.h). All off by default.
struct SimConditions {
  double ir_switch_s = 0;   // day <-> IR night switch every this many seconds; 0 = never
  double ae_step_s = 0;     // auto-exposure / white-balance step every this many seconds; 0 = never
  double passers_s = 0;     // a person passes close to the lens about this often (brief, 30-60% of the view)
  bool rain = false;        // rain streaks and haze
  bool clouds = false;      // cloud shadows drifting over the ground
  bool headlights = false;  // now and then a vehicle's headlights sweep through
  bool water = false;       // a band of moving water at the bottom of the view
  bool snow = false;        // falling snowflakes (opt-in; drawn like rain, over everything)
  bool web = false;         // a spider web across a corner of the lens, swaying; its spider walks now and then
  bool Any() const {
    return ir_switch_s > 0 || ae_step_s > 0 || passers_s > 0 || rain || clouds || headlights || water || snow ||
           web;
  }
};

struct SimScript;  // script.h

struct SimOptions {
  uint64_t seed = 1;
  double duration_s = 20;  // clip length; live sources start a new story after this
  double fps = 25;
  int width = 640, height = 360;
  int people = 6;            // people crossing or walking in view during the clip
  int vehicles = -1;         // vehicles during the clip; -1 = now and then (seeded)
  bool night = false;        // darker, noisier, lower contrast
  double noise_sigma = 2.0;  // sensor noise, grey levels (night multiplies it)
  std::string camera_id = "c1";
  std::string name = "sim";  // the scene name from a sim:// URL (label only)
  // The tripwire and zone the scene is built around, normalised coordinates.
  config::LineRule line = DefaultLine();
  config::ZoneRule zone = DefaultZone();  // an empty polygon = no zone
  // Failure injection for live sources (sim://...&fail_at=60&fail=offline).
  FailMode fail = FailMode::kNone;
  double fail_at_s = 0;   // camera seconds since start when the failure begins
  double fail_for_s = 0;  // seconds until it recovers; 0 = never
  // Tampering drawn into the picture (sim://...&tamper=cover&tamper_at=20).
  Tamper tamper = Tamper::kNone;
  double tamper_at_s = 0;   // seconds (clip time, or camera time for live sources)
  double tamper_for_s = 0;  // seconds until it is undone; 0 = never
  SimConditions conditions;

  // Opt-in realism (all off by default, so that scenes without these keys keep
  // their stories and pixels). Extra targets, each with its own gait:
  int runners = 0;   // people running (3-6 m/s) across the line
  int crawlers = 0;  // people crawling (0.3-0.7 m/s, a low wide box) across the line
  int boats = 0;     // boats on the river band (river is implied), most crossing the line
  // Distant targets: people (and vehicles and boats) drawn at about
  // kFarPersonPx360 px tall at the line at 360p instead of 45-80 px.
  bool far = false;
  // A river band around the line (ripples, sky and treeline reflections),
  // drawn under the objects, unlike the `water` condition.
  bool river = false;
  bool trees = false;  // a few trees whose foliage sways in the wind (drawn under the objects)
  // x264 constant rate factor of written clips (sim_clip.h): higher = stronger
  // compression artefacts. 23 is the encoder's default; live sources ignore it.
  int crf = 23;
  // Scripted actors (script.h): the file named by the URL key, loaded by
  // ParseSimUrl or LoadScriptInto (script.h). Script times are camera seconds: for a live
  // source the script is not repeated with each story unless script_loop.
  std::string script;
  bool script_loop = false;
  // Engine sources (SimSource) only: false = behave as a recorded clip rather
  // than a live camera: frames come as fast as they are read (no pacing, no
  // skipping), and the input ends after duration_s (sim URL key live=0).
  bool live = true;
  std::shared_ptr<const SimScript> script_data;

  static config::LineRule DefaultLine();
  static config::ZoneRule DefaultZone();
};

// Checks ranges (sizes, fps, duration, line and zone shapes). InvalidArgument names the field.
Status ValidateSimOptions(const SimOptions& o);

// One visible object's box in pixels of the render size, as drawn.
struct GtBox {
  int64_t id = 0;                     // object id, 1-based, stable for the object's life
  std::string cls;                    // "person", "vehicle" or "boat"
  double x = 0, y = 0, w = 0, h = 0;  // top-left and size, pixels
};

// A point of an object's path: where its foot point (bottom centre of its box)
// is at time t. Between waypoints the foot point moves linearly in time.
struct Waypoint {
  double t = 0;     // seconds of clip time
  config::Point p;  // normalised foot point
};

enum class ObjectKind { kPerson, kVehicle, kBoat };
// How a person moves (drawing and box shape); vehicles and boats are kWalk.
enum class Gait { kWalk, kRun, kCrawl };

// Why the generator made this path (for tests and debugging; ground truth comes
// from the path itself, not from this tag).
enum class PathIntent { kCrossIn, kCrossOut, kAlong, kZone };

struct SimObject {
  int64_t id = 0;
  ObjectKind kind = ObjectKind::kPerson;
  PathIntent intent = PathIntent::kCrossIn;
  std::vector<Waypoint> path;     // >= 2 waypoints; visible for path.front().t <= t < path.back().t
  double height_ref = 0.18;       // box height / frame height when the foot is at y = kRefY
  double aspect = 0.38;           // box width / box height
  double speed_mps = 1.3;         // for the walking animation
  cv::Scalar body, head, detail;  // BGR colours (day values)
  Gait gait = Gait::kWalk;
  // Scripted actors (script.h): the stride phase (radians) at each waypoint,
  // which grows only while the actor moves; empty for generated objects, whose
  // phase follows speed_mps and time.
  std::vector<double> stride;
  double sway = 0;  // normalised amplitude of a drawn sway (scripted actors)
  double sway_phase[3] = {0, 0, 0};
  bool scripted = false;
  double world_scale = 1.0;  // metres -> frame heights multiplier for vehicles and boats (far=1)

  bool VisibleAt(double t) const { return t >= path.front().t && t < path.back().t; }
  // Foot point at time t (clamped to the path's ends). O(log waypoints).
  config::Point FootAt(double t) const;
  // Foot point as drawn: FootAt plus the sway, if any.
  config::Point DrawnFootAt(double t) const;
  // The leg phase at t (radians) and whether the legs move at all at t.
  double StrideAt(double t, bool* moving) const;
  // Box height as a fraction of the frame height with the foot at normalised y.
  double HeightAt(double y) const;
};

// A crossing of one object's path with the line, computed from the path.
struct Crossing {
  int64_t object = 0;
  double t = 0;
  config::Point p;  // where the foot point crosses
  bool in = false;  // s goes from negative to positive
};

class Background;  // renderer.h

class Scene {
 public:
  // Builds the background from o.seed and the objects from (o.seed, cycle), plus
  // o.script_data's actors (ids 1..K, before the generated ones). Live
  // sources use cycle 1, 2, ... for the next stories over the same background.
  // Options are assumed valid (ValidateSimOptions).
  static Scene Generate(const SimOptions& o, int cycle = 0);

  // The same background (shared, not redrawn) with a new story for `cycle`.
  Scene NextCycle(int cycle) const;

  // Renders the frame at clip time t into *bgr (CV_8UC3, width x height). Sensor
  // noise is seeded from (seed, frame index = round(t * fps)), so the same t gives
  // byte-identical pixels.
  void Render(double t, cv::Mat* bgr) const;
  // The static background (no objects, no noise), width x height BGR.
  const cv::Mat& BackgroundImage() const;

  // Boxes of the objects visible at t, in pixels of the render size.
  std::vector<GtBox> BoxesAt(double t) const;

  // line_crossing events (one per crossing of the line by a visible object whose
  // class the line accepts) and zone_intrusion events (first entry into the zone),
  // inside [0, duration), sorted by t. Boxes are normalised.
  std::vector<events::Event> GroundTruthEvents() const;
  // The raw crossings of every object's path with the line (no class filter).
  std::vector<Crossing> Crossings() const;

  const SimOptions& options() const { return o_; }
  const std::vector<SimObject>& objects() const { return objects_; }
  int width() const { return o_.width; }
  int height() const { return o_.height; }
  // Number of frames in a clip of this scene: round(duration * fps).
  int64_t FrameCount() const;

 private:
  Scene() = default;
  GtBox BoxOf(const SimObject& obj, double t) const;

  SimOptions o_;
  int cycle_ = 0;
  std::shared_ptr<const Background> background_;
  std::vector<SimObject> objects_;
};

// The normalised y at which SimObject::height_ref applies, and the virtual
// horizon that sets how fast objects shrink with distance (above the frame, so
// the size change is gentle).
inline constexpr double kRefY = 0.6;
inline constexpr double kVanishY = -0.35;

// s(q) from DESIGN.md for segment a->b: negative -> positive is "in".
double SideOf(const config::Point& a, const config::Point& b, const config::Point& q);
// Crossings of the segment p0->p1 (foot positions at t0 and t1) with a polyline.
// Each result carries its interpolated time and direction.
std::vector<Crossing> SegmentCrossings(const config::Point& p0, double t0, const config::Point& p1, double t1,
                                       const std::vector<config::Point>& line);
bool InsidePolygon(const config::Polygon& poly, const config::Point& q);
// The centreline of the track vehicles drive along: the line offset by
// kRoadOffset frame heights to whichever side keeps it in view (the positive
// side first), extended past the frame edges. Empty when neither side fits.
std::vector<config::Point> RoadCentreline(const SimOptions& o);
inline constexpr double kRoadOffset = 0.2;

// The river band of river=1 / boats=N scenes: normalised y from *top to
// *bottom, the line's extent grown by kRiverHalfHeight (at most kRiverMaxHeight
// tall, inside kRiverMinTop..kRiverMaxBottom). Returns whether the scene has a river.
bool RiverBand(const SimOptions& o, double* top, double* bottom);
inline constexpr double kRiverHalfHeight = 0.15;
inline constexpr double kRiverMaxHeight = 0.5;
inline constexpr double kRiverMinTop = 0.2, kRiverMaxBottom = 0.97;

const char* ToString(FailMode m);
const char* ToString(Tamper t);
// "cover", "spray", ... -> Tamper; false for an unknown name.
bool ParseTamper(const std::string& name, Tamper* out);
const char* ClassName(ObjectKind k);

}  // namespace watchline::sim
