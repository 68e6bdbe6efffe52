// Tests for the strict config loader: the DESIGN.md example, defaults, and the
// exact file:line: key-path messages an operator sees for each kind of mistake.
#include "config/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace watchline::config {
namespace {

namespace fs = std::filesystem;

// A fresh folder under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "wl_config_test_XXXXXX").string();
    char* made = mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = fs::path(tmpl).lexically_normal();
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& text) const {
    fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }

 private:
  fs::path path_;
};

// The example from DESIGN.md, with calibration completed to the 4 points its
// own comment asks for.
constexpr const char* kDesignExample = R"(site: {name: demo, data_dir: ./var}
perimeter: {geojson: border.geojson, inside: left}   # LineString(s), WGS84 lon/lat
cameras:
  - id: c1
    source: clip.mp4            # a file, an FFmpeg image-sequence pattern (in%06d.jpg), rtsp://..., or sim://...
    fps: 25                     # frame rate, for image sequences only
    analysis: {width: 640, fps: 10}   # fps 0 = analyse every frame
    position: {lat: 40.10, lon: 124.40, height_m: 6, heading_deg: 90, hfov_deg: 60, tilt_deg: 10}
    calibration: [{px: [0.1, 0.9], lat: 40.1001, lon: 124.4003},
                  {px: [0.9, 0.9], lat: 40.1001, lon: 124.4010},
                  {px: [0.9, 0.5], lat: 40.1010, lon: 124.4012},
                  {px: [0.1, 0.5], lat: 40.1010, lon: 124.4001}]
    masks:   [[[0.0, 0.0], [1.0, 0.0], [1.0, 0.2]]]     # ignored by analysis
    privacy: [[[0.6, 0.1], [0.8, 0.1], [0.8, 0.3]]]     # ignored by analysis, blurred in snapshots/recordings
    lines: [{id: border, points: [[0.1, 0.6], [0.9, 0.55]], classes: [person, vehicle, boat]}]
    zones: [{id: yard, polygon: [[0.2, 0.2], [0.5, 0.2], [0.5, 0.5]], loiter_s: 30}]
)";

// Parses `text` as "cams.yaml" and returns the error message ("" when it parsed).
std::string ErrorOf(const std::string& text) {
  Result<Config> r = ParseConfig(text, "cams.yaml", "/base");
  if (r.ok()) return "";
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  return r.status().message();
}

// One valid camera; tests append keys to it.
constexpr const char* kCameraHead =
    "cameras:\n"
    "  - id: c1\n"
    "    source: rtsp://10.0.0.1/sub\n";

TEST(ConfigTest, DesignExampleParsesWithTheRightValues) {
  TempDir dir;
  const std::string file = dir.Write("site.yaml", kDesignExample);
  Result<Config> r = LoadConfig(file);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Config& c = *r;
  const fs::path base = dir.path();

  EXPECT_EQ(c.path, file);
  EXPECT_EQ(c.base_dir, base.string());
  EXPECT_EQ(c.site.name, "demo");
  EXPECT_EQ(c.site.data_dir, (base / "var").string());
  ASSERT_TRUE(c.perimeter.has_value());
  EXPECT_EQ(c.perimeter->geojson, (base / "border.geojson").string());
  EXPECT_EQ(c.perimeter->inside, "left");

  ASSERT_EQ(c.cameras.size(), 1u);
  const CameraConfig& cam = c.cameras[0];
  EXPECT_EQ(cam.id, "c1");
  EXPECT_EQ(cam.line, 4);
  EXPECT_EQ(cam.source, (base / "clip.mp4").string());
  EXPECT_DOUBLE_EQ(cam.fps, 25);
  EXPECT_TRUE(cam.enabled);
  EXPECT_EQ(cam.analysis.width, 640);
  EXPECT_DOUBLE_EQ(cam.analysis.fps, 10);

  ASSERT_TRUE(cam.position.has_value());
  EXPECT_DOUBLE_EQ(cam.position->lat, 40.10);
  EXPECT_DOUBLE_EQ(cam.position->lon, 124.40);
  EXPECT_DOUBLE_EQ(cam.position->height_m, 6);
  EXPECT_DOUBLE_EQ(cam.position->heading_deg, 90);
  EXPECT_DOUBLE_EQ(cam.position->hfov_deg, 60);
  EXPECT_DOUBLE_EQ(cam.position->tilt_deg, 10);
  EXPECT_FALSE(cam.position->range_m.has_value());

  ASSERT_EQ(cam.calibration.size(), 4u);
  EXPECT_DOUBLE_EQ(cam.calibration[0].px.x, 0.1);
  EXPECT_DOUBLE_EQ(cam.calibration[0].px.y, 0.9);
  EXPECT_DOUBLE_EQ(cam.calibration[0].lat, 40.1001);
  EXPECT_DOUBLE_EQ(cam.calibration[0].lon, 124.4003);
  EXPECT_DOUBLE_EQ(cam.calibration[2].px.y, 0.5);
  EXPECT_DOUBLE_EQ(cam.calibration[3].lon, 124.4001);

  ASSERT_EQ(cam.masks.size(), 1u);
  ASSERT_EQ(cam.masks[0].size(), 3u);
  EXPECT_DOUBLE_EQ(cam.masks[0][2].x, 1.0);
  EXPECT_DOUBLE_EQ(cam.masks[0][2].y, 0.2);
  ASSERT_EQ(cam.privacy.size(), 1u);
  EXPECT_DOUBLE_EQ(cam.privacy[0][0].x, 0.6);
  EXPECT_DOUBLE_EQ(cam.privacy[0][2].y, 0.3);

  ASSERT_EQ(cam.lines.size(), 1u);
  EXPECT_EQ(cam.lines[0].id, "border");
  ASSERT_EQ(cam.lines[0].points.size(), 2u);
  EXPECT_DOUBLE_EQ(cam.lines[0].points[1].x, 0.9);
  EXPECT_DOUBLE_EQ(cam.lines[0].points[1].y, 0.55);
  EXPECT_EQ(cam.lines[0].classes, (std::vector<std::string>{"person", "vehicle", "boat"}));

  ASSERT_EQ(cam.zones.size(), 1u);
  EXPECT_EQ(cam.zones[0].id, "yard");
  EXPECT_EQ(cam.zones[0].polygon.size(), 3u);
  EXPECT_TRUE(cam.zones[0].classes.empty());
  ASSERT_TRUE(cam.zones[0].loiter_s.has_value());
  EXPECT_DOUBLE_EQ(*cam.zones[0].loiter_s, 30);

  EXPECT_EQ(c.FindCamera("c1"), &cam);
  EXPECT_EQ(c.FindCamera("c2"), nullptr);
}

// docs/config.md opens with a complete example; it must stay valid.
TEST(ConfigTest, DocsExampleParses) {
  std::ifstream in(std::string(WL_SOURCE_DIR) + "/docs/config.md");
  ASSERT_TRUE(in) << "docs/config.md is missing";
  std::stringstream all;
  all << in.rdbuf();
  const std::string doc = all.str();
  const std::string open = "```yaml\n";
  const size_t start = doc.find(open);
  ASSERT_NE(start, std::string::npos);
  const size_t end = doc.find("```", start + open.size());
  ASSERT_NE(end, std::string::npos);
  Result<Config> r = ParseConfig(doc.substr(start + open.size(), end - start - open.size()),
                                 "docs/config.md", "/base");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->cameras.size(), 3u);
  const CameraConfig* gate = r->FindCamera("gate-2");
  ASSERT_NE(gate, nullptr);
  EXPECT_EQ(gate->analysis.width, 480);
  EXPECT_DOUBLE_EQ(gate->detection.track_max_gap_s, 1.5);
  ASSERT_TRUE(gate->position && gate->position->range_m);
  EXPECT_DOUBLE_EQ(*gate->position->range_m, 80);
  EXPECT_FALSE(r->FindCamera("spare-7")->enabled);
  ASSERT_EQ(r->posts.size(), 1u);
  EXPECT_EQ(r->posts[0].camera, "gate-2");
  ASSERT_EQ(r->patrols.size(), 1u);
  EXPECT_EQ(r->patrols[0].checkpoints.size(), 2u);
}

TEST(ConfigTest, DefaultsFillEverythingNotWritten) {
  Result<Config> r = ParseConfig(kCameraHead, "cams.yaml", "/base");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Config def;
  EXPECT_EQ(r->site.name, def.site.name);
  EXPECT_EQ(r->site.data_dir, "/base/var");  // the default resolves like a written path
  EXPECT_FALSE(r->perimeter.has_value());
  ASSERT_EQ(r->cameras.size(), 1u);
  const CameraConfig& cam = r->cameras[0];
  const CameraConfig dc;
  EXPECT_EQ(cam.source, "rtsp://10.0.0.1/sub");  // URLs stay as written
  EXPECT_DOUBLE_EQ(cam.fps, dc.fps);
  EXPECT_TRUE(cam.enabled);
  EXPECT_EQ(cam.analysis.width, dc.analysis.width);
  EXPECT_DOUBLE_EQ(cam.analysis.fps, dc.analysis.fps);
  EXPECT_FALSE(cam.position.has_value());
  EXPECT_TRUE(cam.calibration.empty() && cam.masks.empty() && cam.privacy.empty());
  EXPECT_TRUE(cam.lines.empty() && cam.zones.empty());
  EXPECT_DOUBLE_EQ(cam.ingest.open_timeout_s, dc.ingest.open_timeout_s);
  EXPECT_DOUBLE_EQ(cam.ingest.backoff_max_s, dc.ingest.backoff_max_s);
  EXPECT_EQ(cam.ingest.ring_size, dc.ingest.ring_size);
  EXPECT_EQ(cam.ingest.rtsp_transport, "tcp");
  EXPECT_FALSE(cam.ingest.realtime);
  EXPECT_FALSE(cam.ingest.loop);
  EXPECT_DOUBLE_EQ(cam.detection.min_area_frac, dc.detection.min_area_frac);
  EXPECT_DOUBLE_EQ(cam.detection.debounce_s, dc.detection.debounce_s);
  EXPECT_TRUE(cam.detection.shadows);
  EXPECT_TRUE(cam.detection.ghosts);
  EXPECT_EQ(cam.line, 2);
}

TEST(ConfigTest, ExtraBlocksParse) {
  const std::string text =
      std::string(kCameraHead) +
      "    enabled: false\n"
      "    position: {lat: -33.5, lon: 151.2, range_m: 120}\n"
      "    ingest: {open_timeout_s: 3, read_timeout_s: 2, offline_after_s: 7,\n"
      "             backoff_min_s: 1, backoff_max_s: 60, ring_size: 16,\n"
      "             rtsp_transport: udp, realtime: true, loop: yes}\n"
      "    detection:\n"
      "      min_area_frac: 0.001\n"
      "      max_area_frac: 0.4\n"
      "      learn_s: 5\n"
      "      track_max_gap_s: 2\n"
      "      confirm_s: 0\n"
      "      min_displacement: 0.05\n"
      "      debounce_s: 10\n"
      "      shadows: false\n"
      "      ghosts: false\n"
      "    zones:\n"
      "      - id: dock\n"
      "        polygon: [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4], [0.1, 0.4]]\n"
      "        classes: [boat]\n";
  Result<Config> r = ParseConfig(text, "cams.yaml", "/base");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const CameraConfig& cam = r->cameras[0];
  EXPECT_FALSE(cam.enabled);
  ASSERT_TRUE(cam.position.has_value());
  EXPECT_DOUBLE_EQ(cam.position->lat, -33.5);
  ASSERT_TRUE(cam.position->range_m.has_value());
  EXPECT_DOUBLE_EQ(*cam.position->range_m, 120);
  EXPECT_DOUBLE_EQ(cam.position->hfov_deg, PositionConfig().hfov_deg);
  EXPECT_DOUBLE_EQ(cam.ingest.open_timeout_s, 3);
  EXPECT_DOUBLE_EQ(cam.ingest.read_timeout_s, 2);
  EXPECT_DOUBLE_EQ(cam.ingest.offline_after_s, 7);
  EXPECT_DOUBLE_EQ(cam.ingest.backoff_min_s, 1);
  EXPECT_DOUBLE_EQ(cam.ingest.backoff_max_s, 60);
  EXPECT_EQ(cam.ingest.ring_size, 16);
  EXPECT_EQ(cam.ingest.rtsp_transport, "udp");
  EXPECT_TRUE(cam.ingest.realtime);
  EXPECT_TRUE(cam.ingest.loop);
  EXPECT_DOUBLE_EQ(cam.detection.min_area_frac, 0.001);
  EXPECT_DOUBLE_EQ(cam.detection.max_area_frac, 0.4);
  EXPECT_DOUBLE_EQ(cam.detection.learn_s, 5);
  EXPECT_DOUBLE_EQ(cam.detection.track_max_gap_s, 2);
  EXPECT_DOUBLE_EQ(cam.detection.confirm_s, 0);
  EXPECT_DOUBLE_EQ(cam.detection.min_displacement, 0.05);
  EXPECT_DOUBLE_EQ(cam.detection.debounce_s, 10);
  EXPECT_FALSE(cam.detection.shadows);
  EXPECT_FALSE(cam.detection.ghosts);
  ASSERT_EQ(cam.zones.size(), 1u);
  EXPECT_EQ(cam.zones[0].classes, std::vector<std::string>{"boat"});
  EXPECT_FALSE(cam.zones[0].loiter_s.has_value());
}

TEST(ConfigTest, PerimeterOnlyAndEmptyListsAreValid) {
  Result<Config> r = ParseConfig(
      "perimeter: {geojson: /abs/line.geojson, inside: right}\ncameras:\n", "cams.yaml", "/base");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->cameras.empty());
  EXPECT_EQ(r->perimeter->geojson, "/abs/line.geojson");
  EXPECT_EQ(r->perimeter->inside, "right");
}

TEST(ConfigTest, ServerBlockParsesWithDefaultsAndResolvesPaths) {
  Result<Config> d = ParseConfig("site: {name: x}\n", "cams.yaml", "/base");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->server.bind, "127.0.0.1");
  EXPECT_EQ(d->server.port, 8080);
  EXPECT_TRUE(d->server.tls_cert.empty());
  EXPECT_GE(d->server.threads, d->server.max_sse_clients);
  Result<Config> r = ParseConfig(
      "server: {bind: 0.0.0.0, port: 8443, tls_cert: tls/cert.pem, tls_key: tls/key.pem,\n"
      "         session_ttl_s: 3600, max_body_bytes: 8192, login_max_failures: 3,\n"
      "         login_window_s: 60, threads: 128, max_sse_clients: 100, tiles_dir: tiles}\n",
      "cams.yaml", "/base");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->server.bind, "0.0.0.0");
  EXPECT_EQ(r->server.port, 8443);
  EXPECT_EQ(r->server.tls_cert, "/base/tls/cert.pem");
  EXPECT_EQ(r->server.tls_key, "/base/tls/key.pem");
  EXPECT_EQ(r->server.session_ttl_s, 3600);
  EXPECT_EQ(r->server.max_body_bytes, 8192);
  EXPECT_EQ(r->server.login_max_failures, 3);
  EXPECT_EQ(r->server.login_window_s, 60);
  EXPECT_EQ(r->server.threads, 128);
  EXPECT_EQ(r->server.max_sse_clients, 100);
  EXPECT_EQ(r->server.tiles_dir, "/base/tiles");
}

TEST(ConfigTest, ServerBlockRejectsBadValuesNamingTheKey) {
  EXPECT_NE(ErrorOf("server: {port: 70000}\n").find("server.port"), std::string::npos);
  EXPECT_NE(ErrorOf("server: {prot: 80}\n").find("did you mean 'port'"), std::string::npos);
  EXPECT_NE(ErrorOf("server: {tls_cert: a.pem}\n").find("tls_cert and tls_key"),
            std::string::npos);
  EXPECT_NE(ErrorOf("server: {max_body_bytes: 10}\n").find("server.max_body_bytes"),
            std::string::npos);
}

TEST(ConfigTest, UnknownTopLevelKeyNamesLineAndSuggests) {
  EXPECT_EQ(ErrorOf("site: {name: x}\n\nperimiter: {geojson: a.geojson}\n"),
            "cams.yaml:3: perimiter: unknown key (did you mean 'perimeter'?)");
}

TEST(ConfigTest, UnknownKeyInCameraNamesLineAndPath) {
  const std::string text =
      "site: {name: demo}\n"               // 1
      "cameras:\n"                         // 2
      "  - id: c1\n"                       // 3
      "    source: a.mp4\n"                // 4
      "    analysis: {width: 640}\n"       // 5
      "    enabled: true\n"                // 6
      "    posiiton: {lat: 1, lon: 2}\n";  // 7
  EXPECT_EQ(ErrorOf(text),
            "cams.yaml:7: cameras[0].posiiton: unknown key (did you mean 'position'?)");
}

TEST(ConfigTest, UnknownKeyInLineRuleNamesLineAndPath) {
  const std::string text =
      "cameras:\n"                                  // 1
      "  - {id: c1, source: a.mp4}\n"               // 2
      "  - id: c2\n"                                // 3
      "    source: b.mp4\n"                         // 4
      "    lines:\n"                                // 5
      "      - id: border\n"                        // 6
      "        points: [[0.1, 0.5], [0.9, 0.5]]\n"  // 7
      "        direction: in\n";                    // 8
  EXPECT_EQ(ErrorOf(text),
            "cams.yaml:8: cameras[1].lines[0].direction: unknown key "
            "(allowed here: id, points, classes)");
}

TEST(ConfigTest, UnknownKeySuggestsUnitSuffixAndNestedBlock) {
  EXPECT_EQ(ErrorOf(std::string(kCameraHead) + "    position: {lat: 1, lon: 2, heading: 90}\n"),
            "cams.yaml:4: cameras[0].position.heading: unknown key (did you mean 'heading_deg'?)");
  EXPECT_EQ(ErrorOf(std::string(kCameraHead) + "    width: 320\n"),
            "cams.yaml:4: cameras[0].width: unknown key here (did you mean 'analysis.width'? "
            "it belongs in the 'analysis' block)");
}

TEST(ConfigTest, WrongTypes) {
  EXPECT_EQ(ErrorOf(std::string(kCameraHead) + "    fps: fast\n"),
            "cams.yaml:4: cameras[0].fps: expected a number, got 'fast'");
  EXPECT_EQ(ErrorOf(std::string(kCameraHead) + "    fps: \"25\"\n"),
            "cams.yaml:4: cameras[0].fps: expected a number, got the quoted string '25' "
            "(remove the quotes)");
  EXPECT_EQ(ErrorOf(std::string(kCameraHead) + "    lines: {id: a}\n"),
            "cams.yaml:4: cameras[0].lines: expected a list ([...] or '- ' items), got a mapping");
  EXPECT_EQ(ErrorOf(std::string(kCameraHead) + "    analysis:\n      - 640\n"),
            "cams.yaml:4: cameras[0].analysis: expected a mapping ({key: value, ...}), got a list");
  EXPECT_EQ(ErrorOf(std::string(kCameraHead) + "    analysis: {width: 640.5}\n"),
            "cams.yaml:4: cameras[0].analysis.width: expected a whole number, got '640.5'");
  EXPECT_EQ(ErrorOf(std::string(kCameraHead) + "    enabled: maybe\n"),
            "cams.yaml:4: cameras[0].enabled: expected true or false, got 'maybe'");
  EXPECT_EQ(ErrorOf("cameras: {id: c1}\n"),
            "cams.yaml:1: cameras: expected a list ([...] or '- ' items), got a mapping");
  EXPECT_EQ(ErrorOf(std::string(kCameraHead) + "    source: [a, b]\n"),
            "cams.yaml:4: cameras[0].source: duplicate key (first given at line 3)");
  EXPECT_EQ(ErrorOf("cameras:\n  - id: c1\n    source: {url: x}\n"),
            "cams.yaml:3: cameras[0].source: expected a text value, got a mapping");
  EXPECT_EQ(ErrorOf("site:\n"),
            "cams.yaml:1: site: expected a mapping ({key: value, ...}), got an empty value");
}

TEST(ConfigTest, OutOfRangeValues) {
  const std::string text =
      "site: {name: demo}\n"                   // 1
      "cameras:\n"                             // 2
      "  - id: c1\n"                           // 3
      "    source: a.mp4\n"                    // 4
      "    analysis: {width: 640, fps: 10}\n"  // 5
      "  - id: c2\n"                           // 6
      "    source: b.mp4\n"                    // 7
      "    position:\n"                        // 8
      "      lat: 40.1\n"                      // 9
      "      lon: 124.4\n"                     // 10
      "      height_m: 6\n"                    // 11
      "    analysis:\n"                        // 12
      "      width: 640\n"                     // 13
      "      fps: 500\n";                      // 14
  EXPECT_EQ(ErrorOf(text),
            "cams.yaml:14: cameras[1].analysis.fps: must be between 0 and 120, got 500");

  struct Case {
    std::string yaml;  // appended to kCameraHead (line 4 on)
    std::string want;
  };
  const Case cases[] = {
      {"    fps: 0\n",
       "cams.yaml:4: cameras[0].fps: must be greater than 0 and at most 240, got 0"},
      {"    analysis: {width: 8}\n",
       "cams.yaml:4: cameras[0].analysis.width: must be between 16 and 7680, got 8"},
      {"    position: {lat: 91, lon: 0}\n",
       "cams.yaml:4: cameras[0].position.lat: must be between -90 and 90, got 91"},
      {"    position: {lat: 0, lon: -180.5}\n",
       "cams.yaml:4: cameras[0].position.lon: must be between -180 and 180, got -180.5"},
      {"    position: {lat: 0, lon: 0, hfov_deg: 0.5}\n",
       "cams.yaml:4: cameras[0].position.hfov_deg: must be between 1 and 360, got 0.5"},
      {"    position: {lat: 0, lon: 0, tilt_deg: -91}\n",
       "cams.yaml:4: cameras[0].position.tilt_deg: must be between -90 and 90, got -91"},
      {"    position: {lat: 0, lon: 0, heading_deg: 361}\n",
       "cams.yaml:4: cameras[0].position.heading_deg: must be between 0 and 360, got 361"},
      {"    position: {lat: 0, lon: 0, height_m: 1001}\n",
       "cams.yaml:4: cameras[0].position.height_m: must be between 0 and 1000, got 1001"},
      {"    position: {lat: 0, lon: 0, range_m: 0}\n",
       "cams.yaml:4: cameras[0].position.range_m: must be greater than 0 and at most 100000, got "
       "0"},
      {"    position: {lat: .nan, lon: 0}\n",
       "cams.yaml:4: cameras[0].position.lat: must be between -90 and 90, got nan"},
      {"    ingest: {ring_size: 0}\n",
       "cams.yaml:4: cameras[0].ingest.ring_size: must be between 1 and 1024, got 0"},
      {"    ingest: {open_timeout_s: 0}\n",
       "cams.yaml:4: cameras[0].ingest.open_timeout_s: must be greater than 0 and at most 300, got "
       "0"},
      {"    ingest: {offline_after_s: -1}\n",
       "cams.yaml:4: cameras[0].ingest.offline_after_s: must be greater than 0 and at most 3600, "
       "got -1"},
      {"    ingest: {backoff_min_s: 10, backoff_max_s: 5}\n",
       "cams.yaml:4: cameras[0].ingest: backoff_min_s (10) must not be greater than backoff_max_s "
       "(5)"},
      {"    ingest: {rtsp_transport: http}\n",
       "cams.yaml:4: cameras[0].ingest.rtsp_transport: must be one of 'tcp', 'udp', got 'http'"},
      {"    detection: {min_area_frac: 0}\n",
       "cams.yaml:4: cameras[0].detection.min_area_frac: must be greater than 0 and at most 1, got "
       "0"},
      {"    detection: {min_area_frac: 0.6, max_area_frac: 0.5}\n",
       "cams.yaml:4: cameras[0].detection: min_area_frac (0.6) must not be greater than "
       "max_area_frac (0.5)"},
      {"    detection: {confirm_s: -0.1}\n",
       "cams.yaml:4: cameras[0].detection.confirm_s: must be between 0 and 3600, got -0.1"},
      {"    zones: [{id: z, polygon: [[0, 0], [1, 0], [1, 1]], loiter_s: 0}]\n",
       "cams.yaml:4: cameras[0].zones[0].loiter_s: must be greater than 0 and at most 86400, got "
       "0"},
      {"    lines: [{id: l, points: [[0.1, 0.5], [1.2, 0.5]]}]\n",
       "cams.yaml:4: cameras[0].lines[0].points[1][0]: x must be between 0 and 1 (image "
       "coordinates are normalised), got 1.2"},
      {"    lines: [{id: l, points: [[0.1, 0.5], [0.9, 0.5]], classes: [person, cat]}]\n",
       "cams.yaml:4: cameras[0].lines[0].classes[1]: must be one of 'person', 'vehicle', 'boat', "
       "'animal', 'unknown', got 'cat'"},
  };
  for (const Case& c : cases) EXPECT_EQ(ErrorOf(kCameraHead + c.yaml), c.want) << c.yaml;

  EXPECT_EQ(ErrorOf("perimeter: {geojson: a.geojson, inside: north}\n"),
            "cams.yaml:1: perimeter.inside: must be one of 'left', 'right', got 'north'");
}

TEST(ConfigTest, IdsAreUniqueAndWellFormed) {
  EXPECT_EQ(ErrorOf("cameras:\n"
                    "  - {id: c1, source: a.mp4}\n"
                    "  - {id: c2, source: b.mp4}\n"
                    "  - {id: c1, source: c.mp4}\n"),
            "cams.yaml:4: cameras[2].id: duplicate camera id 'c1' (first used at line 2)");
  EXPECT_EQ(ErrorOf("cameras:\n  - {id: 'gate 1', source: a.mp4}\n"),
            "cams.yaml:2: cameras[0].id: camera id 'gate 1' must be 1 to 64 characters from "
            "A-Z a-z 0-9 _ . -");
  EXPECT_EQ(
      ErrorOf(std::string(kCameraHead) + "    lines: [{id: edge, points: [[0, 0.5], [1, 0.5]]}]\n"
                                         "    zones:\n"
                                         "      - {id: edge, polygon: [[0, 0], [1, 0], [1, 1]]}\n"),
      "cams.yaml:6: cameras[0].zones[0].id: duplicate rule id 'edge' in this camera "
      "(first used at line 4)");
  // The same rule id on two cameras is fine.
  EXPECT_EQ(ErrorOf("cameras:\n"
                    "  - {id: c1, source: a.mp4, lines: [{id: b, points: [[0, 0], [1, 1]]}]}\n"
                    "  - {id: c2, source: b.mp4, lines: [{id: b, points: [[0, 0], [1, 1]]}]}\n"),
            "");
}

TEST(ConfigTest, MissingRequiredKeysNameTheBlock) {
  EXPECT_EQ(ErrorOf("cameras:\n  - id: c1\n    fps: 25\n"),
            "cams.yaml:2: cameras[0]: missing required key 'source'");
  EXPECT_EQ(ErrorOf(std::string(kCameraHead) + "    lines:\n      - points: [[0, 0], [1, 1]]\n"),
            "cams.yaml:5: cameras[0].lines[0]: missing required key 'id'");
  EXPECT_EQ(ErrorOf(std::string(kCameraHead) + "    zones: [{id: z}]\n"),
            "cams.yaml:4: cameras[0].zones[0]: missing required key 'polygon'");
  EXPECT_EQ(ErrorOf("perimeter: {inside: left}\n"),
            "cams.yaml:1: perimeter: missing required key 'geojson'");
  EXPECT_EQ(ErrorOf(std::string(kCameraHead) + "    position: {lat: 1}\n"),
            "cams.yaml:4: cameras[0].position: missing required key 'lon'");
}

TEST(ConfigTest, BadPolygonsLinesAndCalibration) {
  const std::string h = kCameraHead;
  EXPECT_EQ(ErrorOf(h + "    zones: [{id: z, polygon: [[0.1, 0.1], [0.5, 0.1]]}]\n"),
            "cams.yaml:4: cameras[0].zones[0].polygon: a polygon needs at least 3 points, got 2");
  EXPECT_EQ(
      ErrorOf(h + "    masks: [[[0.1, 0.1], [0.5, 0.5], [0.9, 0.9]]]\n"),
      "cams.yaml:4: cameras[0].masks[0]: the polygon has zero area (its points lie on one line)");
  EXPECT_EQ(
      ErrorOf(h + "    privacy:\n      - [[0.1, 0.1], [0.5, 0.1, 0.2], [0.5, 0.5]]\n"),
      "cams.yaml:5: cameras[0].privacy[0][1]: expected a point [x, y], got a list of 3 values");
  EXPECT_EQ(ErrorOf(h + "    masks: [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5]]\n"),
            "cams.yaml:4: cameras[0].masks[0][0]: expected a point [x, y], got '0.1'");
  EXPECT_EQ(ErrorOf(h + "    lines: [{id: l, points: [[0.1, 0.1]]}]\n"),
            "cams.yaml:4: cameras[0].lines[0].points: a line needs at least 2 points, got 1");
  EXPECT_EQ(ErrorOf(h + "    lines: [{id: l, points: [[0.1, 0.1], [0.1, 0.1]]}]\n"),
            "cams.yaml:4: cameras[0].lines[0].points: the line has zero length (all its points are "
            "the same)");
  EXPECT_EQ(ErrorOf(h + "    calibration:\n"
                        "      - {px: [0.1, 0.9], lat: 40.1, lon: 124.4}\n"
                        "      - {px: [0.9, 0.9], lat: 40.1, lon: 124.5}\n"
                        "      - {px: [0.9, 0.1], lat: 40.2, lon: 124.5}\n"),
            "cams.yaml:4: cameras[0].calibration: calibration needs at least 4 points "
            "(pixel <-> lat/lon), got 3");
  EXPECT_EQ(ErrorOf(h + "    calibration: [{px: [0.1, 0.9], lat: 40.1}]\n"),
            "cams.yaml:4: cameras[0].calibration[0]: missing required key 'lon'");
}

TEST(ConfigTest, RelativePathsResolveAgainstTheConfigFolder) {
  TempDir dir;
  const std::string file = dir.Write("conf/site.yaml",
                                     "site: {data_dir: ../var}\n"
                                     "perimeter: {geojson: geo/border.geojson}\n"
                                     "cameras:\n"
                                     "  - {id: file, source: clips/a.mp4}\n"
                                     "  - {id: seq, source: 'frames/in%06d.jpg', fps: 30}\n"
                                     "  - {id: abs, source: /data/b.mp4}\n"
                                     "  - {id: rtsp, source: 'rtsp://user:pw@cam/x'}\n"
                                     "  - {id: sim, source: 'sim://walker?seed=3'}\n");
  Result<Config> r = LoadConfig(file);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const fs::path conf = dir.path() / "conf";
  EXPECT_EQ(r->base_dir, conf.string());
  EXPECT_EQ(r->site.data_dir, (dir.path() / "var").string());
  EXPECT_EQ(r->perimeter->geojson, (conf / "geo/border.geojson").string());
  EXPECT_EQ(r->FindCamera("file")->source, (conf / "clips/a.mp4").string());
  EXPECT_EQ(r->FindCamera("seq")->source, (conf / "frames/in%06d.jpg").string());
  EXPECT_EQ(r->FindCamera("abs")->source, "/data/b.mp4");
  EXPECT_EQ(r->FindCamera("rtsp")->source, "rtsp://user:pw@cam/x");
  EXPECT_EQ(r->FindCamera("sim")->source, "sim://walker?seed=3");

  // ParseConfig resolves against the folder it is given, and leaves paths
  // alone when given none.
  Result<Config> p = ParseConfig("cameras: [{id: c, source: a.mp4}]\n", "x", "/srv/wl");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->cameras[0].source, "/srv/wl/a.mp4");
  EXPECT_EQ(p->base_dir, "/srv/wl");
  Result<Config> q = ParseConfig("cameras: [{id: c, source: a.mp4}]\n", "x", "");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->cameras[0].source, "a.mp4");
}

TEST(ConfigTest, MissingFileIsNotFoundNamingThePath) {
  TempDir dir;
  const std::string missing = (dir.path() / "nope.yaml").string();
  Result<Config> r = LoadConfig(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsNotFound());
  EXPECT_NE(r.status().message().find(missing), std::string::npos) << r.status().message();
}

TEST(ConfigTest, LoadConfigMessagesNameTheFileAsGiven) {
  TempDir dir;
  const std::string file =
      dir.Write("cams.yaml", "cameras:\n  - {id: c1, source: a.mp4, fsp: 5}\n");
  Result<Config> r = LoadConfig(file);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_EQ(r.status().message(), file + ":2: cameras[0].fsp: unknown key (did you mean 'fps'?)");
  EXPECT_EQ(r.status().ExitCode(), 2);
}

TEST(ConfigTest, YamlSyntaxErrorHasALine) {
  const std::string msg =
      ErrorOf("site: {name: demo}\ncameras:\n  - id: c1\n    source: [a.mp4\n    fps: 3\n");
  EXPECT_EQ(msg.rfind("cams.yaml:", 0), 0u) << msg;
  EXPECT_NE(msg.find("YAML syntax error"), std::string::npos) << msg;
  // yaml-cpp reports the unclosed list where it gives up: on line 4 or just after.
  const int line = std::atoi(msg.c_str() + std::string("cams.yaml:").size());
  EXPECT_GE(line, 4) << msg;
  EXPECT_LE(line, 6) << msg;

  const std::string indent = ErrorOf("site: {name: demo}\n  bad: indent\n");
  EXPECT_EQ(indent.rfind("cams.yaml:2: YAML syntax error: ", 0), 0u) << indent;
}

TEST(ConfigTest, EmptyFileAndNonMappingTopLevel) {
  EXPECT_EQ(ErrorOf(""),
            "cams.yaml:1: the file is empty; expected a mapping with 'site', 'perimeter' and/or "
            "'cameras'");
  EXPECT_EQ(ErrorOf("- id: c1\n"),
            "cams.yaml:1: expected a mapping with 'site', 'perimeter' and/or 'cameras' at the top "
            "level, got a list");
}

TEST(ConfigTest, MergeKeysShareDefaultsAcrossCameras) {
  const std::string text =
      "x-defaults: &cam\n"
      "  analysis: {width: 320, fps: 5}\n"
      "  ingest: {ring_size: 4}\n"
      "cameras:\n"
      "  - <<: *cam\n"
      "    id: c1\n"
      "    source: a.mp4\n"
      "  - <<: *cam\n"
      "    id: c2\n"
      "    source: b.mp4\n"
      "    analysis: {width: 640}\n";
  // Top-level "x-" keys are ignored: they are where shared blocks are anchored.
  Result<Config> t = ParseConfig(text, "cams.yaml", "/base");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->cameras.size(), 2u);
  EXPECT_EQ(t->cameras[0].analysis.width, 320);
  EXPECT_DOUBLE_EQ(t->cameras[0].analysis.fps, 5);
  EXPECT_EQ(t->cameras[0].ingest.ring_size, 4);
  EXPECT_EQ(t->cameras[1].analysis.width, 640);  // explicit wins
  EXPECT_DOUBLE_EQ(t->cameras[1].analysis.fps,
                   AnalysisConfig().fps);  // blocks replace, no deep merge
  EXPECT_EQ(t->cameras[1].ingest.ring_size, 4);
  // ...but only at the top level, and only with the prefix.
  EXPECT_EQ(ErrorOf(std::string(kCameraHead) + "    x-note: hi\n"),
            "cams.yaml:4: cameras[0].x-note: unknown key (allowed here: id, source, fps, enabled, "
            "analysis, position, calibration, masks, privacy, lines, zones, ingest, detection, "
            "health)");
  EXPECT_EQ(ErrorOf("defaults: &d {a: 1}\n"),
            "cams.yaml:1: defaults: unknown key (allowed here: site, perimeter, coverage, cameras, "
            "server, posts, patrols)");

  // An anchor on one camera, merged into the next.
  const std::string anchored =
      "cameras:\n"
      "  - &cam\n"
      "    id: c1\n"
      "    source: a.mp4\n"
      "    analysis: {width: 320, fps: 5}\n"
      "    ingest: {ring_size: 4}\n"
      "  - <<: *cam\n"
      "    id: c2\n"
      "    source: b.mp4\n"
      "    analysis: {width: 640}\n";
  Result<Config> r = ParseConfig(anchored, "cams.yaml", "/base");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->cameras.size(), 2u);
  const CameraConfig& c2 = r->cameras[1];
  EXPECT_EQ(c2.id, "c2");
  EXPECT_EQ(c2.source, "/base/b.mp4");
  EXPECT_EQ(c2.analysis.width, 640);  // explicit wins
  EXPECT_DOUBLE_EQ(c2.analysis.fps,
                   AnalysisConfig().fps);  // blocks replace, they do not deep-merge
  EXPECT_EQ(c2.ingest.ring_size, 4);       // merged
}

TEST(ConfigTest, FirstErrorInTheFileIsTheOneReported) {
  EXPECT_EQ(ErrorOf("cameras:\n"
                    "  - id: c1\n"
                    "    source: a.mp4\n"
                    "    fps: -1\n"
                    "    analysis: {width: 1}\n"
                    "  - {id: c1, source: b.mp4}\n"),
            "cams.yaml:4: cameras[0].fps: must be greater than 0 and at most 240, got -1");
}

TEST(ConfigTest, SecretsInSourcesAreNotEchoed) {
  const std::string msg =
      ErrorOf("cameras:\n  - id: c1\n    source: a.mp4\n    fps: rtsp://admin:hunter2@cam/x\n");
  EXPECT_EQ(msg.find("hunter2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("cameras[0].fps"), std::string::npos) << msg;
}

TEST(ConfigTest, CoverageOpticsAndDemParse) {
  Result<Config> r = ParseConfig(
      "perimeter: {geojson: b.geojson, dem: terrain.tif}\n"
      "coverage: {dori: observe, person_width_m: 0.6, target_height_m: 1.5, los_step_m: 5}\n"
      "cameras:\n"
      "  - id: c1\n"
      "    source: a.mp4\n"
      "    position: {lat: 1, lon: 2, resolution: [3840, 2160], vfov_deg: 20}\n"
      "  - id: c2\n"
      "    source: b.mp4\n"
      "    position: {lat: 1, lon: 2, model: thermal-640-25}\n",
      "cams.yaml", "/base");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->perimeter->dem, "/base/terrain.tif");
  EXPECT_EQ(r->coverage.dori, "observe");
  EXPECT_DOUBLE_EQ(r->coverage.person_width_m, 0.6);
  EXPECT_DOUBLE_EQ(r->coverage.target_height_m, 1.5);
  EXPECT_DOUBLE_EQ(r->coverage.los_step_m, 5);
  const PositionConfig& p1 = *r->cameras[0].position;
  ASSERT_TRUE(p1.resolution.has_value());
  EXPECT_EQ((*p1.resolution)[0], 3840);
  EXPECT_EQ((*p1.resolution)[1], 2160);
  EXPECT_DOUBLE_EQ(*p1.vfov_deg, 20);
  EXPECT_TRUE(p1.model.empty());
  EXPECT_EQ(r->cameras[1].position->model, "thermal-640-25");
  EXPECT_FALSE(r->cameras[1].position->resolution.has_value());
  EXPECT_FALSE(r->cameras[1].position->hfov_given);
}

TEST(ConfigTest, CoverageDefaults) {
  Result<Config> r = ParseConfig("perimeter: {geojson: b.geojson}\n", "cams.yaml", "/base");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->perimeter->dem, "");
  EXPECT_EQ(r->coverage.dori, "detect");
  EXPECT_DOUBLE_EQ(r->coverage.person_width_m, 0.5);
}

TEST(ConfigTest, CoverageAndOpticsErrorsNameLineAndKey) {
  EXPECT_EQ(ErrorOf("coverage: {dori: spot}\n"),
            "cams.yaml:1: coverage.dori: must be one of 'detect', 'observe', 'recognise', "
            "'identify', got 'spot'");
  EXPECT_EQ(ErrorOf("coverage:\n  person_width_m: 0\n"),
            "cams.yaml:2: coverage.person_width_m: must be between 0.1 and 5, got 0");
  EXPECT_EQ(ErrorOf(std::string(kCameraHead) +
                    "    position: {lat: 1, lon: 2, resolution: [1920]}\n"),
            "cams.yaml:4: cameras[0].position.resolution: expected [width, height] in pixels, "
            "got a list of 1 values");
  EXPECT_EQ(ErrorOf(std::string(kCameraHead) +
                    "    position: {lat: 1, lon: 2, resolution: [1920, 8]}\n"),
            "cams.yaml:4: cameras[0].position.resolution[1]: must be between 16 and 16384, got 8");
  EXPECT_EQ(ErrorOf(std::string(kCameraHead) +
                    "    position:\n      lat: 1\n      lon: 2\n      model: x\n"
                    "      resolution: [640, 480]\n"),
            "cams.yaml:4: cameras[0].position: give either 'model' or 'resolution', not both "
            "(the model sets the resolution)");
  EXPECT_EQ(ErrorOf(std::string(kCameraHead) + "    position: {lat: 1, lon: 2, vfov_deg: 180}\n"),
            "cams.yaml:4: cameras[0].position.vfov_deg: must be between 1 and 179, got 180");
  EXPECT_EQ(ErrorOf("perimeter: {geojson: b.geojson, dme: x.tif}\n"),
            "cams.yaml:1: perimeter.dme: unknown key (did you mean 'dem'?)");
}

}  // namespace
}  // namespace watchline::config

namespace watchline::config {
namespace {

TEST(ConfigTest, HealthBlockParsesWithBoundsAndDefaults) {
  Result<Config> d = ParseConfig(std::string(kCameraHead), "cams.yaml", "/base");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_DOUBLE_EQ(d->cameras[0].health.brief_occlusion_s, HealthConfig().brief_occlusion_s);
  EXPECT_FALSE(d->cameras[0].ingest.keyframes_only);
  Result<Config> r = ParseConfig(
      std::string(kCameraHead) +
          "    health: {min_duration_s: 2, clear_after_s: 3, brief_occlusion_s: 5, frozen_after_s: 3,\n"
          "             learn_s: 1, update_s: 300, occluded_fraction: 0.4, defocus_ratio: 0.5}\n"
          "    ingest: {keyframes_only: true}\n",
      "cams.yaml", "/base");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const HealthConfig& h = r->cameras[0].health;
  EXPECT_DOUBLE_EQ(h.min_duration_s, 2);
  EXPECT_DOUBLE_EQ(h.clear_after_s, 3);
  EXPECT_DOUBLE_EQ(h.brief_occlusion_s, 5);
  EXPECT_DOUBLE_EQ(h.frozen_after_s, 3);
  EXPECT_DOUBLE_EQ(h.learn_s, 1);
  EXPECT_DOUBLE_EQ(h.update_s, 300);
  EXPECT_DOUBLE_EQ(h.occluded_fraction, 0.4);
  EXPECT_DOUBLE_EQ(h.defocus_ratio, 0.5);
  EXPECT_TRUE(r->cameras[0].ingest.keyframes_only);
  const std::string err =
      ErrorOf(std::string(kCameraHead) + "    health: {occluded_fraction: 1.5}\n");
  EXPECT_NE(err.find("cams.yaml:4: cameras[0].health.occluded_fraction"), std::string::npos) << err;
  EXPECT_NE(ErrorOf(std::string(kCameraHead) + "    health: {frozen_after: 3}\n").find("did you mean 'frozen_after_s'"),
            std::string::npos);
}

}  // namespace
}  // namespace watchline::config

namespace watchline::config {
namespace {

// ---- Guard duty: posts and patrols. ----

constexpr const char* kDutyCameras =
    "cameras:\n"
    "  - {id: c1, source: rtsp://10.0.0.1/a}\n"
    "  - {id: c2, source: rtsp://10.0.0.1/b}\n";

TEST(ConfigTest, PostsAndPatrolsParse) {
  const std::string text = std::string(kDutyCameras) +
                           "posts:\n"
                           "  - id: gate\n"
                           "    camera: c1\n"
                           "    zone: [[0.1, 0.1], [0.4, 0.1], [0.4, 0.6]]\n"
                           "    schedule:\n"
                           "      tz: Europe/Berlin\n"
                           "      shifts:\n"
                           "        - {days: mon-fri, start: \"08:00\", end: \"16:00\"}\n"
                           "        - {days: [fri-mon], start: \"22:00\", end: \"06:00\"}\n"
                           "    vacant_s: 60\n"
                           "    still_s: 300\n"
                           "    intrusion_off_duty: true\n"
                           "patrols:\n"
                           "  - id: round\n"
                           "    tz: UTC\n"
                           "    days: weekdays\n"
                           "    starts: [\"22:00\", \"02:30\"]\n"
                           "    checkpoints:\n"
                           "      - {id: cp1, camera: c1, zone: [[0, 0], [1, 0], [1, 1]], within_s: 600}\n"
                           "      - {id: cp2, camera: c2, line: [[0.5, 0], [0.5, 1]], after_s: 300, within_s: 1200}\n"
                           "      - {id: cp3, camera: c2, zone: [[0, 0], [1, 0], [1, 1]], at: \"23:30\", tolerance_s: 120}\n";
  Result<Config> r = ParseConfig(text, "duty.yaml", "/base");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->posts.size(), 1u);
  const PostConfig& p = r->posts[0];
  EXPECT_EQ(p.camera, "c1");
  EXPECT_EQ(p.schedule.tz, "Europe/Berlin");
  ASSERT_EQ(p.schedule.shifts.size(), 2u);
  EXPECT_EQ(p.schedule.shifts[0].days, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(p.schedule.shifts[0].start_min, 8 * 60);
  EXPECT_EQ(p.schedule.shifts[1].days, (std::vector<int>{0, 1, 5, 6}));  // fri-mon wraps
  EXPECT_EQ(p.schedule.shifts[1].end_min, 6 * 60);
  EXPECT_DOUBLE_EQ(p.vacant_s, 60);
  EXPECT_TRUE(p.intrusion_off_duty);
  EXPECT_EQ(p.classes, (std::vector<std::string>{"person"}));
  ASSERT_EQ(r->patrols.size(), 1u);
  const PatrolConfig& q = r->patrols[0];
  EXPECT_EQ(q.starts, (std::vector<int>{22 * 60, 2 * 60 + 30}));
  EXPECT_EQ(q.days, (std::vector<int>{1, 2, 3, 4, 5}));
  ASSERT_EQ(q.checkpoints.size(), 3u);
  EXPECT_EQ(q.checkpoints[1].line.size(), 2u);
  EXPECT_DOUBLE_EQ(q.checkpoints[1].after_s, 300);
  EXPECT_EQ(q.checkpoints[2].at_min, 23 * 60 + 30);
  EXPECT_DOUBLE_EQ(q.checkpoints[2].tolerance_s, 120);
}

TEST(ConfigTest, DutyErrorsNameTheKeyAndLine) {
  const std::string head = std::string(kDutyCameras) + "posts:\n  - id: gate\n    camera: c1\n"
                           "    zone: [[0.1, 0.1], [0.4, 0.1], [0.4, 0.6]]\n";
  EXPECT_EQ(ErrorOf(head + "    schedule: {tz: Mars/Olympus, shifts: [{start: \"08:00\", end: \"16:00\"}]}\n"),
            "cams.yaml:8: posts[0].schedule.tz: unknown time zone 'Mars/Olympus' (use an IANA "
            "name such as \"UTC\" or \"Europe/Berlin\"; the system's tz database is "
            "/usr/share/zoneinfo)");
  EXPECT_NE(ErrorOf(head + "    schedule: {shifts: [{start: \"8h\", end: \"16:00\"}]}\n")
                .find("posts[0].schedule.shifts[0].start: expected a time of day"),
            std::string::npos);
  EXPECT_NE(ErrorOf(head + "    schedule: {shifts: [{start: \"25:00\", end: \"16:00\"}]}\n")
                .find("from 00:00 to 24:00"),
            std::string::npos);
  EXPECT_NE(ErrorOf(head + "    schedule: {shifts: [{days: funday, start: \"08:00\", end: \"16:00\"}]}\n")
                .find("expected day names"),
            std::string::npos);
  EXPECT_NE(ErrorOf(head + "    schedule: {shifts: []}\n").find("at least one shift"),
            std::string::npos);
  // A camera that does not exist, with a suggestion.
  EXPECT_EQ(ErrorOf(std::string(kDutyCameras) +
                    "posts:\n  - id: gate\n    camera: c3\n    zone: [[0.1, 0.1], [0.4, 0.1], [0.4, 0.6]]\n"
                    "    schedule: {shifts: [{start: \"08:00\", end: \"16:00\"}]}\n"),
            "cams.yaml:5: posts[0].camera: unknown camera 'c3' (did you mean 'c1'?)");
  // Checkpoints: one shape, one kind of window, ids unique across the duty namespace.
  const std::string patrol = std::string(kDutyCameras) +
                             "patrols:\n  - id: round\n    starts: [\"22:00\"]\n    checkpoints:\n";
  EXPECT_NE(ErrorOf(patrol + "      - {id: a, camera: c1, within_s: 60}\n").find("exactly one of 'zone' or 'line'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(patrol + "      - {id: a, camera: c1, line: [[0, 0], [1, 1]]}\n").find("needs a window"),
            std::string::npos);
  EXPECT_NE(ErrorOf(patrol + "      - {id: a, camera: c1, line: [[0, 0], [1, 1]], within_s: 60, at: \"22:10\"}\n")
                .find("not both"),
            std::string::npos);
  EXPECT_NE(ErrorOf(patrol + "      - {id: a, camera: c1, line: [[0, 0], [1, 1]], after_s: 90, within_s: 60}\n")
                .find("must be later than after_s"),
            std::string::npos);
  EXPECT_NE(ErrorOf(patrol + "      - {id: round, camera: c1, line: [[0, 0], [1, 1]], within_s: 60}\n")
                .find("duplicate checkpoint id 'round'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(patrol + "      - {id: a, camera: c9, line: [[0, 0], [1, 1]], within_s: 60}\n")
                .find("patrols[0].checkpoints[0].camera: unknown camera 'c9'"),
            std::string::npos);
}

// detection.verify: the optional learned check (docs/detectors.md).
TEST(ConfigTest, VerifyHogOnOffAndDefaults) {
  Result<Config> r = ParseConfig(std::string(kCameraHead) + "    detection: {verify: {hog: true}}\n",
                                 "cams.yaml", "/base");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::optional<VerifyConfig>& v = r->cameras[0].detection.verify;
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->hog);
  EXPECT_TRUE(v->model.empty());
  EXPECT_DOUBLE_EQ(v->hog_margin, 0);
  EXPECT_DOUBLE_EQ(v->recheck_s, 3);

  // Not written, or hog: false alone: no check.
  r = ParseConfig(kCameraHead, "cams.yaml", "/base");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->cameras[0].detection.verify.has_value());
  r = ParseConfig(std::string(kCameraHead) + "    detection: {verify: {hog: false}}\n", "cams.yaml",
                  "/base");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->cameras[0].detection.verify.has_value());

  r = ParseConfig(std::string(kCameraHead) +
                      "    detection: {verify: {hog: true, hog_margin: 0.5, recheck_s: 10}}\n",
                  "cams.yaml", "/base");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_DOUBLE_EQ(r->cameras[0].detection.verify->hog_margin, 0.5);
  EXPECT_DOUBLE_EQ(r->cameras[0].detection.verify->recheck_s, 10);
}

TEST(ConfigTest, VerifyModelResolvesAgainstTheConfigFolder) {
  TempDir dir;
  dir.Write("models/yolov8n.onnx", "not checked here: the analyzer loads it");
  const std::string file = dir.Write("site.yaml", std::string(kCameraHead) +
                                                      "    detection:\n"
                                                      "      verify:\n"
                                                      "        model: models/yolov8n.onnx\n"
                                                      "        classes: [person, '', vehicle]\n"
                                                      "        confidence: 0.5\n"
                                                      "        input: 320\n"
                                                      "        nms_iou: 0.5\n"
                                                      "        layout: yolov8\n"
                                                      "        match_iou: 0.2\n"
                                                      "        context: 1\n");
  Result<Config> r = LoadConfig(file);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::optional<VerifyConfig>& v = r->cameras[0].detection.verify;
  ASSERT_TRUE(v.has_value());
  EXPECT_FALSE(v->hog);
  EXPECT_EQ(v->model, (dir.path() / "models/yolov8n.onnx").string());
  EXPECT_EQ(v->classes, (std::vector<std::string>{"person", "", "vehicle"}));
  EXPECT_DOUBLE_EQ(v->confidence, 0.5);
  EXPECT_EQ(v->input, 320);
  EXPECT_DOUBLE_EQ(v->nms_iou, 0.5);
  EXPECT_EQ(v->layout, "yolov8");
  EXPECT_DOUBLE_EQ(v->match_iou, 0.2);
  EXPECT_DOUBLE_EQ(v->context, 1);
}

TEST(ConfigTest, VerifyBadModelPathIsAConfigError) {
  TempDir dir;
  const std::string file =
      dir.Write("site.yaml", std::string(kCameraHead) +
                                 "    detection:\n"
                                 "      verify: {model: /nonexistent/yolov8n.onnx}\n");
  Result<Config> r = LoadConfig(file);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_EQ(r.status().ExitCode(), 2);
  EXPECT_EQ(r.status().message(),
            file +
                ":5: cameras[0].detection.verify.model: model file not found: "
                "/nonexistent/yolov8n.onnx");
  // A folder is not a model either.
  fs::create_directories(dir.path() / "models");
  const std::string file2 = dir.Write(
      "b.yaml", std::string(kCameraHead) + "    detection: {verify: {model: models}}\n");
  r = LoadConfig(file2);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("(it is a folder)"), std::string::npos)
      << r.status().message();
}

TEST(ConfigTest, VerifyErrorsNameTheKeyAndLine) {
  TempDir dir;
  dir.Write("m.onnx", "x");
  auto error_of = [&](const std::string& verify) {
    Result<Config> r = ParseConfig(std::string(kCameraHead) + "    detection:\n      verify: " +
                                       verify + "\n",
                                   "cams.yaml", dir.path().string());
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_EQ(error_of("{}"), "cams.yaml:5: cameras[0].detection.verify: needs 'hog: true' or "
                            "'model: <file.onnx>'");
  EXPECT_EQ(error_of("{hog: true, model: m.onnx}"),
            "cams.yaml:5: cameras[0].detection.verify: give either 'hog: true' or a 'model', not "
            "both (with a model, the model decides)");
  EXPECT_EQ(error_of("{hog: true, confidence: 0.5}"),
            "cams.yaml:5: cameras[0].detection.verify.confidence: applies to a 'model' only, not "
            "to the HOG check");
  EXPECT_EQ(error_of("{model: m.onnx, hog_margin: 1}"),
            "cams.yaml:5: cameras[0].detection.verify.hog_margin: applies to 'hog: true' only, "
            "not to a model");
  EXPECT_EQ(error_of("{model: m.onnx, confidence: 0}"),
            "cams.yaml:5: cameras[0].detection.verify.confidence: must be greater than 0 and at "
            "most 1, got 0");
  EXPECT_EQ(error_of("{model: m.onnx, layout: yolov11}"),
            "cams.yaml:5: cameras[0].detection.verify.layout: must be one of 'auto', 'yolov5', "
            "'yolov8', got 'yolov11'");
  EXPECT_EQ(error_of("{model: m.onnx, classes: [person, cat]}"),
            "cams.yaml:5: cameras[0].detection.verify.classes[1]: must be one of '', 'person', "
            "'vehicle', 'boat', 'animal', 'unknown', got 'cat'");
  EXPECT_EQ(error_of("{model: m.onnx, classes: ['', '']}"),
            "cams.yaml:5: cameras[0].detection.verify.classes: lists one watchline class per "
            "model class id ('' drops one); name at least one class");
  EXPECT_EQ(error_of("{hog: true, recheck_s: 0.1}"),
            "cams.yaml:5: cameras[0].detection.verify.recheck_s: must be between 0.5 and 3600, "
            "got 0.1");
  EXPECT_EQ(error_of("{hog: yes please}"),
            "cams.yaml:5: cameras[0].detection.verify.hog: expected true or false, got 'yes "
            "please'");
  EXPECT_EQ(error_of("{hgo: true}"),
            "cams.yaml:5: cameras[0].detection.verify.hgo: unknown key (did you mean 'hog'?)");
  // A verify key one level too high points at the block.
  Result<Config> r = ParseConfig(std::string(kCameraHead) + "    detection: {model: m.onnx}\n",
                                 "cams.yaml", dir.path().string());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("verify.model"), std::string::npos) << r.status().message();
}

TEST(ConfigTest, VerifyIsSharedThroughMergeKeys) {
  Result<Config> r = ParseConfig(
      "x-detection: &det {verify: {hog: true, recheck_s: 5}}\n"
      "cameras:\n"
      "  - {id: c1, source: a.mp4, detection: *det}\n"
      "  - id: c2\n"
      "    source: b.mp4\n"
      "    detection: {<<: *det, debounce_s: 4}\n",
      "cams.yaml", "/base");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const CameraConfig& c : r->cameras) {
    ASSERT_TRUE(c.detection.verify.has_value()) << c.id;
    EXPECT_TRUE(c.detection.verify->hog);
    EXPECT_DOUBLE_EQ(c.detection.verify->recheck_s, 5);
  }
  EXPECT_DOUBLE_EQ(r->cameras[1].detection.debounce_s, 4);
}

}  // namespace
}  // namespace watchline::config
