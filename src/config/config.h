// The watchline configuration: a typed mirror of the YAML file described in
// docs/config.md (and the contract in DESIGN.md). Loading is strict: an unknown
// key, a wrong type or an out-of-range value is an InvalidArgument Status whose
// message names the file, the line and the key.
//
// Every field has a default here; docs/config.md gives its unit and meaning.
// Value types; safe to copy between threads once loaded.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace watchline::config {

// A point in normalised image coordinates: 0..1, x to the right, y down.
struct Point {
  double x = 0, y = 0;
};
using Polygon = std::vector<Point>;

struct SiteConfig {
  std::string name = "watchline";
  std::string data_dir = "./var";  // relative paths resolve against the config file's folder
};

struct PerimeterConfig {
  std::string geojson;          // path to a GeoJSON LineString/MultiLineString, WGS84 lon/lat
  std::string inside = "left";  // "left" or "right" of the line's direction
  std::string dem;              // optional GeoTIFF elevation model for terrain line of sight ("" = flat)
};

// How coverage is judged (docs/coverage.md): the IEC 62676-4 DORI level a camera
// must reach on a person for a metre of perimeter to count as watched.
struct CoverageConfig {
  std::string dori = "detect";   // detect (25 px/m), observe (62.5), recognise (125), identify (250)
  double person_width_m = 0.5;   // width of the person the density is judged on, metres
  double target_height_m = 1.0;  // terrain line of sight: height above ground that must be seen, metres
  double los_step_m = 2;         // terrain line of sight: spacing of the checks along the line, metres
};

struct AnalysisConfig {
  int width = 640;     // analysis width in pixels; height keeps the aspect ratio
  double fps = 10;     // analysis frames per second; 0 = analyse every frame
};

struct PositionConfig {
  double lat = 0, lon = 0;
  double height_m = 6;
  double heading_deg = 0;   // compass bearing of the optical axis, 0 = north, clockwise
  double hfov_deg = 60;
  double tilt_deg = 10;     // downward tilt from horizontal
  std::optional<double> range_m;  // fixes the useful range; footprint becomes a plain sector
  // Optics for the DORI footprint (docs/coverage.md). A `model` from the
  // built-in catalogue (src/geometry/camera_model.h) supplies the resolution
  // and vertical field of view; it is checked against the catalogue by the
  // geometry module. `resolution` and `model` exclude each other.
  std::string model;                          // "" = none
  std::optional<std::array<int, 2>> resolution;  // [width, height] px; default the model's, else 1920x1080
  std::optional<double> vfov_deg;             // default: from hfov_deg and the aspect ratio
  bool hfov_given = false;  // hfov_deg was written; else a model's own lens angle applies
};

struct CalibrationPoint {
  Point px;                 // normalised image point
  double lat = 0, lon = 0;
};

struct LineRule {
  std::string id;
  std::vector<Point> points;          // a polyline of 2 or more points
  std::vector<std::string> classes;   // empty = all classes
};

struct ZoneRule {
  std::string id;
  Polygon polygon;                    // 3 or more points
  std::vector<std::string> classes;   // empty = all classes
  std::optional<double> loiter_s;     // dwell time for a loitering event, seconds
};

// How ingest talks to a source. All in seconds.
struct IngestConfig {
  double open_timeout_s = 5;      // opening a stream (RTSP DESCRIBE/SETUP/PLAY)
  double read_timeout_s = 5;      // one blocking read inside FFmpeg
  double offline_after_s = 5;     // no frame for this long -> camera_offline
  double backoff_min_s = 0.5;     // first reconnect delay
  double backoff_max_s = 30;      // reconnect delay cap
  int ring_size = 8;              // frames buffered between ingest and analysis
  std::string rtsp_transport = "tcp";  // "tcp" or "udp"
  bool realtime = false;          // files only: pace reading to media time (as a live camera)
  bool loop = false;              // files only: start again at the end
  bool keyframes_only = false;    // decode only keyframes (FFmpeg skip_frame): an idle camera's cheap mode
};

// The optional learned check of confirmed tracks (src/detect, docs/detectors.md):
// OpenCV's HOG person check, or a YOLO ONNX model run with OpenCV dnn.
struct VerifyConfig {
  bool hog = false;             // HOG person check (exclusive with model)
  std::string model;            // ONNX export of a YOLOv5/YOLOv8 model; "" = none
  std::vector<std::string> classes;  // model class id -> watchline class, "" drops it; empty = COCO 80
  double confidence = 0.4;      // model: minimum detection confidence, 0..1
  int input = 0;                // model: network input side, px; 0 = the model's own (640 if dynamic)
  double nms_iou = 0.45;        // model: overlap at which duplicate detections merge, 0..1
  std::string layout = "auto";  // model: "auto", "yolov5" or "yolov8" output layout
  double match_iou = 0.3;       // model: overlap a detection needs with the track's box, 0..1
  double context = 0.5;         // model: the crop grows the box by this fraction on every side
  double hog_margin = 0;        // hog: SVM margin at which a box is a person (0 = HOG's own boundary)
  double recheck_s = 3;         // a vetoed or undecided track is checked again after this long
};

// Detection tunables (background model, blobs, tracker, rules).
struct DetectionConfig {
  double min_area_frac = 0.00015; // smallest blob, as a fraction of the frame area (35 px at 640x360)
  double max_area_frac = 0.5;     // blobs larger than this are treated as a global change
  double learn_s = 2;             // seconds of frames that build the initial background
  double track_max_gap_s = 1.5;   // a track survives this long without a detection
  double confirm_s = 0.4;         // a track must be seen this long before it can fire rules
  double min_displacement = 0.02; // normalised distance a track must move before it is confirmed
  double debounce_s = 2;          // the same rule does not fire twice for one track within this time
  bool shadows = true;            // cast shadows on textured ground are not foreground
  bool ghosts = true;             // the place a background object left is re-learned at once
  std::optional<VerifyConfig> verify;  // set: confirmed tracks are checked before they fire rules
};

// Camera health and tamper checks (src/health). Durations in seconds of stream
// time; docs/config.md gives the bounds.
struct HealthConfig {
  double min_duration_s = 1;       // a picture condition must hold this long before it is raised
  double clear_after_s = 2;        // ... and be gone this long before it is cleared
  double brief_occlusion_s = 1.2;  // occlusions shorter than this are passers-by, not tampering
  double frozen_after_s = 2;       // an unchanging picture for this long -> camera_frozen
  double learn_s = 0.5;            // seconds of healthy frames that build the reference scene
  double update_s = 600;           // time constant of the slow reference update
  double occluded_fraction = 0.25; // share of the view covered before camera_occluded
  double defocus_ratio = 0.65;     // fine detail below this share of the reference's -> defocused
};

struct CameraConfig {
  std::string id;
  std::string source;        // file, image-sequence pattern, rtsp://..., sim://...
  double fps = 25;           // frame rate of image sequences (ignored otherwise)
  bool enabled = true;       // disabled on purpose: not run, reported as disabled
  AnalysisConfig analysis;
  std::optional<PositionConfig> position;
  std::vector<CalibrationPoint> calibration;
  std::vector<Polygon> masks;    // ignored by analysis
  std::vector<Polygon> privacy;  // ignored by analysis, blurred in snapshots/recordings
  std::vector<LineRule> lines;
  std::vector<ZoneRule> zones;
  IngestConfig ingest;
  DetectionConfig detection;
  HealthConfig health;
  int line = 0;              // line in the config file where this camera starts (for messages)
};

// The HTTP server of `watchline serve` / `watchline demo` (docs/config.md "server").
struct ServerConfig {
  std::string bind = "127.0.0.1";  // address to listen on; 0.0.0.0 for every interface
  int port = 8080;
  std::string tls_cert;            // PEM certificate; with tls_key, serve HTTPS
  std::string tls_key;             // PEM private key
  double session_ttl_s = 43200;    // a login session lasts this long (12 h)
  int max_body_bytes = 65536;      // larger request bodies get 413
  int login_max_failures = 5;      // failed logins per user name or client address ...
  double login_window_s = 300;     // ... within this window, then 429 until it passes
  int threads = 256;               // HTTP worker threads; each SSE client holds one
  int max_sse_clients = 200;       // more live-feed clients get 503
  std::string tiles_dir;           // optional local map tiles {z}/{x}/{y}.png; "" = plain map
};

// ---- Guard duty: posts and patrols (src/duty). ----

// One shift of a duty schedule, in the schedule's local time.
struct ShiftConfig {
  std::vector<int> days;  // 0 = Sunday .. 6 = Saturday: the days the shift STARTS on
  int start_min = 0;      // minutes after local midnight
  int end_min = 0;        // minutes after local midnight; end <= start: ends the next day
};

struct ScheduleConfig {
  std::string tz = "UTC";  // IANA time zone ("Europe/Berlin"); daylight saving follows it
  std::vector<ShiftConfig> shifts;
};

// A guard post: a zone in one camera's view that must be manned on duty.
struct PostConfig {
  std::string id;
  std::string camera;
  Polygon zone;                  // normalised polygon in the camera's view
  ScheduleConfig schedule;       // duty shifts
  double vacant_s = 120;         // nobody in the zone this long -> post_vacant
  double still_s = 600;          // a person in the zone who has not moved this long -> post_inactive
  double still_radius = 0.02;    // normalised distance the foot must move to count as moving
  std::vector<std::string> classes = {"person"};  // what counts as a guard
  bool intrusion_off_duty = false;  // off duty, the zone reports zone_intrusion like a rule zone
  int line = 0;                  // config line (for messages)
};

// A checkpoint of a patrol route: a zone or a line on one camera, with a window.
struct CheckpointConfig {
  std::string id;
  std::string camera;
  Polygon zone;                  // either a zone ...
  std::vector<Point> line;       // ... or a line (crossed in either direction)
  double after_s = 0;            // window opens this long after the run starts
  std::optional<double> within_s;  // ... and closes this long after the run starts
  std::optional<int> at_min;     // or a fixed local time of day (minutes after midnight) ...
  double tolerance_s = 300;      // ... plus or minus this
  int line_no = 0;
};

// A patrol: runs that start at fixed local times and must pass the checkpoints in order.
struct PatrolConfig {
  std::string id;
  std::string tz = "UTC";
  std::vector<int> days = {0, 1, 2, 3, 4, 5, 6};  // days a run may start on (0 = Sunday)
  std::vector<int> starts;       // run start times, minutes after local midnight
  double late_limit_s = 1800;    // a visit up to this long after a window still counts (late)
  std::vector<CheckpointConfig> checkpoints;
  int line = 0;
};

struct Config {
  std::string path;          // the file it came from ("" when built in code)
  std::string base_dir;      // folder that relative paths resolve against
  SiteConfig site;
  ServerConfig server;
  std::optional<PerimeterConfig> perimeter;
  CoverageConfig coverage;
  std::vector<CameraConfig> cameras;
  std::vector<PostConfig> posts;
  std::vector<PatrolConfig> patrols;

  const CameraConfig* FindCamera(const std::string& id) const {
    for (const auto& c : cameras)
      if (c.id == id) return &c;
    return nullptr;
  }
};

// Loads and validates a config file. Relative paths in it (data_dir, geojson,
// file sources) are resolved against the file's folder.
Result<Config> LoadConfig(const std::string& path);

// Parses config text; `name` is used in messages ("<name>:12: ...").
Result<Config> ParseConfig(const std::string& yaml_text, const std::string& name,
                           const std::string& base_dir);

}  // namespace watchline::config
