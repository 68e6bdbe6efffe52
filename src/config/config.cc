// Strict YAML -> Config loader. See config.h for the contract and
// docs/config.md for every key.
//
// The parser walks each mapping in document order and hands every key to the
// reader registered for it, so the first error reported is the first one in
// the file. Checks that relate several keys (unique ids, min <= max) run where
// the second key is read or when its mapping is complete.
#include "config/config.h"

#include <date/tz.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <system_error>
#include <utility>

#include "base/log.h"

namespace watchline::config {
namespace {

namespace fs = std::filesystem;

// ---- Bounds. docs/config.md lists the same numbers; keep them in step. ----

// An inclusive range [lo, hi], or (lo, hi] when lo_open.
struct Range {
  double lo;
  double hi;
  bool lo_open = false;
};

constexpr Range kNormalised{0, 1};
constexpr Range kAnalysisWidth{16, 7680};
constexpr Range kAnalysisFps{0, 120};
constexpr Range kCameraFps{0, 240, true};
constexpr Range kLatitude{-90, 90};
constexpr Range kLongitude{-180, 180};
constexpr Range kHeightM{0, 1000};
constexpr Range kHeadingDeg{0, 360};
constexpr Range kHfovDeg{1, 360};
constexpr Range kTiltDeg{-90, 90};
constexpr Range kRangeM{0, 100000, true};       // 100 km: beyond any camera
constexpr Range kResolutionPx{16, 16384};       // sensor width / height in pixels
constexpr Range kVfovDeg{1, 179};               // a pinhole lens: under 180 degrees
constexpr Range kPersonWidthM{0.1, 5};          // a child to a vehicle
constexpr Range kTargetHeightM{0, 100};         // above the ground
constexpr Range kLosStepM{0.1, 1000};           // terrain checks along the line
constexpr Range kLoiterS{0, 86400, true};       // up to a day
constexpr Range kStreamTimeoutS{0, 300, true};  // open / read: 5 minutes at most
constexpr Range kOfflineAfterS{0, 3600, true};
constexpr Range kBackoffS{0, 3600, true};
constexpr Range kRingSize{1, 1024};
constexpr Range kAreaFrac{0, 1, true};
constexpr Range kDetectionS{0, 3600};  // detection tunables in seconds; 0 disables
constexpr Range kDisplacement{0, 1};   // normalised image distance
constexpr Range kVerifyFraction{0, 1, true};  // detector confidence and overlaps (IoU)
constexpr Range kVerifyInputPx{16, 4096};     // network input side, pixels
constexpr Range kVerifyContext{0, 4};         // crop growth per side, fraction of the box
constexpr Range kHogMargin{-10, 10};          // HOG SVM margin
constexpr Range kRecheckS{0.5, 3600};         // re-verification: never per frame
constexpr Range kHealthS{0, 3600};        // health durations, seconds; 0 = at once
constexpr Range kHealthLearnS{0, 600, true};
constexpr Range kHealthUpdateS{1, 864000};  // slow reference update: 1 s to 10 days
constexpr Range kHealthFraction{0, 1, true};

constexpr Range kDutyS{0, 86400, true};          // post and patrol times: up to a day
constexpr Range kPatrolWindowS{0, 7 * 86400};      // checkpoint windows after a run starts
constexpr Range kStillRadius{0, 1, true};

constexpr Range kPort{1, 65535};
constexpr Range kSessionTtlS{60, 30 * 86400};      // a minute to a month
constexpr Range kMaxBodyBytes{1024, 64 << 20};     // 1 KiB to 64 MiB
constexpr Range kLoginFailures{1, 1000};
constexpr Range kLoginWindowS{1, 86400};
constexpr Range kServerThreads{8, 4096};
constexpr Range kSseClients{1, 4000};

constexpr size_t kMinLinePoints = 2;
constexpr size_t kMinPolygonPoints = 3;
constexpr size_t kMinCalibrationPoints = 4;
constexpr size_t kMaxIdLength = 64;
// Polygons with less area than this (in normalised units, 1 = whole frame)
// and lines shorter than this are degenerate: all their points coincide or
// lie on one line.
constexpr double kMinPolygonArea = 1e-9;
constexpr double kMinLineLength = 1e-6;

// Top-level keys with this prefix are ignored, so shared blocks can be
// anchored there ("x-camera-defaults: &cam {...}") and merged with "<<: *cam".
constexpr std::string_view kExtensionPrefix = "x-";

constexpr std::array<std::string_view, 5> kClasses = {"person", "vehicle", "boat", "animal",
                                                      "unknown"};

// ---- Small text helpers. ----

std::string FormatNumber(double v) {
  // Whole numbers print plainly ("100000", not "1e+05"): they are what an
  // operator typed and what docs/config.md shows.
  constexpr double kMaxPlain = 1e15;
  if (std::isfinite(v) && v == std::trunc(v) && std::abs(v) < kMaxPlain)
    return std::to_string(static_cast<long long>(v));
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  if (ec != std::errc()) return std::to_string(v);
  return std::string(buf, end);
}

std::string RangeText(const Range& r) {
  if (r.lo_open)
    return "must be greater than " + FormatNumber(r.lo) + " and at most " + FormatNumber(r.hi);
  return "must be between " + FormatNumber(r.lo) + " and " + FormatNumber(r.hi);
}

bool InRange(double v, const Range& r) {
  // Written so that NaN fails every range.
  bool above_lo = r.lo_open ? v > r.lo : v >= r.lo;
  return above_lo && v <= r.hi;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// Optimal string alignment distance: Levenshtein plus adjacent swaps, so
// "posiiton" is one edit from "position".
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

// The allowed key an operator most likely meant, or "" when none is close:
// a small typo, a different case, or a missing/extra unit suffix
// ("heading" for "heading_deg").
std::string ClosestKey(std::string_view key, const std::vector<std::string_view>& allowed) {
  const std::string k = Lower(key);
  const size_t max_edits = std::max<size_t>(1, std::min<size_t>(2, k.size() / 3));
  std::string best;
  size_t best_d = max_edits + 1;
  for (std::string_view cand : allowed) {
    const std::string c = Lower(cand);
    size_t d = EditDistance(k, c);
    if (d < best_d) {
      best_d = d;
      best = std::string(cand);
    }
  }
  if (!best.empty()) return best;
  for (std::string_view cand : allowed) {
    const std::string c = Lower(cand);
    const std::string& shorter = c.size() < k.size() ? c : k;
    const std::string& longer = c.size() < k.size() ? k : c;
    if (shorter.size() >= 3 && longer.compare(0, shorter.size(), shorter) == 0)
      return std::string(cand);
  }
  return "";
}

std::string JoinPath(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

// What a node is, for "expected X, got Y". Scalars are quoted, shortened and
// passed through RedactUrl: a mistyped key may hold a camera URL with a password.
std::string Describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "an empty value";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar: {
      constexpr size_t kMaxShown = 40;
      std::string s = RedactUrl(n.Scalar());
      if (s.size() > kMaxShown) s = s.substr(0, kMaxShown) + "...";
      return "'" + s + "'";
    }
  }
  return "an unknown value";
}

int LineOf(const YAML::Node& n, int fallback) {
  const YAML::Mark m = n.Mark();
  if (m.is_null() || m.line < 0) return fallback;
  return m.line + 1;
}

bool ValidId(const std::string& s) {
  if (s.empty() || s.size() > kMaxIdLength) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '-';
  });
}

// ---- The parser. ----

// One value in the document: the node, its key path ("cameras[1].analysis.fps")
// and the 1-based line that messages about it should name.
struct Value {
  YAML::Node node;
  std::string path;
  int line = 1;
};

template <typename T>
Status Set(T& dst, Result<T> r) {
  if (!r.ok()) return r.status();
  dst = std::move(r).value();
  return Status::Ok();
}

template <typename T>
Status Set(std::optional<T>& dst, Result<T> r) {
  if (!r.ok()) return r.status();
  dst = std::move(r).value();
  return Status::Ok();
}

class Parser {
 public:
  Parser(std::string name, std::string base_dir)
      : name_(std::move(name)), base_dir_(std::move(base_dir)) {}

  Result<Config> Parse(const YAML::Node& root);

 private:
  using Reader = std::function<Status(const Value&)>;
  struct Field {
    std::string_view key;
    Reader read;
    bool required = false;
  };
  // A nested block whose keys are worth suggesting when they are given one
  // level too high ("width" on a camera -> "analysis.width").
  struct Section {
    std::string_view name;
    std::vector<std::string_view> keys;
  };

  Status Fail(int line, const std::string& path, const std::string& msg) const {
    std::string s = name_ + ":" + std::to_string(line) + ": ";
    if (!path.empty()) s += path + ": ";
    return Status::InvalidArgument(s + msg);
  }
  Status Fail(const Value& v, const std::string& msg) const { return Fail(v.line, v.path, msg); }

  // Reads a mapping in document order, calling each key's reader. Keys that
  // start with "x-" are skipped when `allow_extensions` (a place for anchors).
  Status ReadMap(const Value& v, const std::vector<Field>& fields,
                 const std::vector<Section>& sections = {}, bool allow_extensions = false) const;
  Status ForEachItem(const Value& v, const std::function<Status(const Value&)>& fn) const;

  Result<double> Number(const Value& v, const Range& r) const;
  Result<int> Integer(const Value& v, const Range& r) const;
  Result<bool> Bool(const Value& v) const;
  Result<std::string> String(const Value& v) const;
  Result<std::string> OneOf(const Value& v, std::initializer_list<std::string_view> choices) const;
  // An id ("camera" or "rule") that is well formed and not yet in `seen`
  // (id -> line); adds it. Rule ids are scoped to one camera.
  Result<std::string> UniqueId(const Value& v, std::string_view kind,
                               std::map<std::string, int>& seen) const;
  Result<std::string> Path(const Value& v) const;
  Result<std::string> Source(const Value& v) const;
  Result<Point> ReadPoint(const Value& v) const;
  Result<std::vector<Point>> ReadLinePoints(const Value& v) const;
  Result<Polygon> ReadPolygon(const Value& v) const;
  Result<std::vector<Polygon>> ReadPolygons(const Value& v) const;
  Result<std::vector<std::string>> ReadClasses(const Value& v) const;

  Result<SiteConfig> ParseSite(const Value& v) const;
  Result<PerimeterConfig> ParsePerimeter(const Value& v) const;
  Result<std::vector<CameraConfig>> ParseCameras(const Value& v) const;
  Result<CameraConfig> ParseCamera(const Value& v, std::map<std::string, int>& camera_ids) const;
  Result<AnalysisConfig> ParseAnalysis(const Value& v) const;
  Result<PositionConfig> ParsePosition(const Value& v) const;
  Result<std::array<int, 2>> ReadResolution(const Value& v) const;
  Result<CoverageConfig> ParseCoverage(const Value& v) const;
  Result<std::vector<CalibrationPoint>> ParseCalibration(const Value& v) const;
  Result<LineRule> ParseLineRule(const Value& v, std::map<std::string, int>& rule_ids) const;
  Result<ZoneRule> ParseZoneRule(const Value& v, std::map<std::string, int>& rule_ids) const;
  Result<IngestConfig> ParseIngest(const Value& v) const;
  Result<DetectionConfig> ParseDetection(const Value& v) const;
  Result<std::optional<VerifyConfig>> ParseVerify(const Value& v) const;
  Result<HealthConfig> ParseHealth(const Value& v) const;
  Result<ServerConfig> ParseServer(const Value& v) const;
  // Guard duty.
  Result<int> TimeOfDay(const Value& v) const;
  Result<std::vector<int>> ReadDays(const Value& v) const;
  Result<std::string> TimeZone(const Value& v) const;
  Result<ShiftConfig> ParseShift(const Value& v) const;
  Result<ScheduleConfig> ParseSchedule(const Value& v) const;
  Result<PostConfig> ParsePost(const Value& v, std::map<std::string, int>& ids) const;
  Result<CheckpointConfig> ParseCheckpoint(const Value& v, std::map<std::string, int>& ids) const;
  Result<PatrolConfig> ParsePatrol(const Value& v, std::map<std::string, int>& ids) const;
  Status CheckDutyCameras(const Config& cfg) const;

  std::string Resolve(const std::string& p) const;

  std::string name_;
  std::string base_dir_;
};

Status Parser::ReadMap(const Value& v, const std::vector<Field>& fields,
                       const std::vector<Section>& sections, bool allow_extensions) const {
  if (!v.node.IsMap())
    return Fail(v, "expected a mapping ({key: value, ...}), got " + Describe(v.node));

  struct Entry {
    std::string key;
    int key_line;
    YAML::Node value;
  };
  // Pass 1: the keys written here, with duplicates rejected.
  std::map<std::string, int> explicit_keys;
  for (auto it = v.node.begin(); it != v.node.end(); ++it) {
    const int key_line = LineOf(it->first, v.line);
    if (!it->first.IsScalar())
      return Fail(key_line, v.path, "a key must be a plain name, got " + Describe(it->first));
    const std::string key = it->first.Scalar();
    if (key == "<<") continue;
    auto [pos, inserted] = explicit_keys.emplace(key, key_line);
    if (!inserted)
      return Fail(key_line, JoinPath(v.path, key),
                  "duplicate key (first given at line " + std::to_string(pos->second) + ")");
  }
  // Pass 2: entries in document order. A YAML merge key ("<<: *defaults")
  // contributes the keys not written explicitly; yaml-cpp 0.7 leaves merging
  // to us. Merged values keep the line where the anchor defined them.
  std::vector<Entry> entries;
  std::set<std::string> merged;
  for (auto it = v.node.begin(); it != v.node.end(); ++it) {
    const int key_line = LineOf(it->first, v.line);
    const std::string key = it->first.Scalar();
    if (key != "<<") {
      entries.push_back({key, key_line, it->second});
      continue;
    }
    if (!it->second.IsMap() && !it->second.IsSequence())
      return Fail(key_line, JoinPath(v.path, "<<"),
                  "a merge key needs a mapping or a list of mappings (e.g. '<<: *defaults'), got " +
                      Describe(it->second));
    std::vector<YAML::Node> sources;
    if (it->second.IsMap()) {
      sources.push_back(it->second);
    } else {
      for (const YAML::Node& s : it->second) sources.push_back(s);
    }
    for (const YAML::Node& s : sources) {
      if (!s.IsMap())
        return Fail(LineOf(s, key_line), JoinPath(v.path, "<<"),
                    "a merge key needs a mapping or a list of mappings, got " + Describe(s));
      for (auto m = s.begin(); m != s.end(); ++m) {
        if (!m->first.IsScalar()) continue;  // reported when the anchor's own map is read
        const std::string mkey = m->first.Scalar();
        if (explicit_keys.count(mkey) || !merged.insert(mkey).second) continue;
        entries.push_back({mkey, LineOf(m->first, key_line), m->second});
      }
    }
  }

  std::set<std::string_view> seen;
  for (const Entry& e : entries) {
    auto field =
        std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.key == e.key; });
    const std::string path = JoinPath(v.path, e.key);
    if (field == fields.end() && allow_extensions && e.key.rfind(kExtensionPrefix, 0) == 0)
      continue;
    if (field == fields.end()) {
      std::vector<std::string_view> allowed;
      for (const Field& f : fields) allowed.push_back(f.key);
      std::string hint = ClosestKey(e.key, allowed);
      if (!hint.empty())
        return Fail(e.key_line, path, "unknown key (did you mean '" + hint + "'?)");
      for (const Section& s : sections) {
        for (std::string_view k : s.keys) {
          if (Lower(k) == Lower(e.key))
            return Fail(e.key_line, path,
                        "unknown key here (did you mean '" + std::string(s.name) + "." +
                            std::string(k) + "'? it belongs in the '" + std::string(s.name) +
                            "' block)");
        }
      }
      std::string list;
      for (std::string_view k : allowed) list += (list.empty() ? "" : ", ") + std::string(k);
      return Fail(e.key_line, path, "unknown key (allowed here: " + list + ")");
    }
    seen.insert(field->key);
    // Scalars name their own line; for a block or an empty value, the key's
    // line is where the operator looks.
    const int line = e.value.IsScalar() ? LineOf(e.value, e.key_line) : e.key_line;
    WL_RETURN_IF_ERROR(field->read(Value{e.value, path, line}));
  }
  for (const Field& f : fields) {
    if (f.required && !seen.count(f.key))
      return Fail(v, "missing required key '" + std::string(f.key) + "'");
  }
  return Status::Ok();
}

// Lists: an empty value ("masks:") is an empty list.
Status Parser::ForEachItem(const Value& v, const std::function<Status(const Value&)>& fn) const {
  if (v.node.IsNull()) return Status::Ok();
  if (!v.node.IsSequence())
    return Fail(v, "expected a list ([...] or '- ' items), got " + Describe(v.node));
  for (size_t i = 0; i < v.node.size(); ++i) {
    const YAML::Node item = v.node[i];
    WL_RETURN_IF_ERROR(
        fn(Value{item, v.path + "[" + std::to_string(i) + "]", LineOf(item, v.line)}));
  }
  return Status::Ok();
}

Result<double> Parser::Number(const Value& v, const Range& r) const {
  if (!v.node.IsScalar()) return Fail(v, "expected a number, got " + Describe(v.node));
  double d = 0;
  const bool decoded = YAML::convert<double>::decode(v.node, d);
  // A quoted "25" is a string in YAML; say so rather than guessing.
  if (v.node.Tag() == "!")
    return Fail(v, "expected a number, got the quoted string " + Describe(v.node) +
                       (decoded ? " (remove the quotes)" : ""));
  if (!decoded) return Fail(v, "expected a number, got " + Describe(v.node));
  if (!InRange(d, r)) return Fail(v, RangeText(r) + ", got " + FormatNumber(d));
  return d;
}

Result<int> Parser::Integer(const Value& v, const Range& r) const {
  if (!v.node.IsScalar()) return Fail(v, "expected a whole number, got " + Describe(v.node));
  int i = 0;
  const bool decoded = YAML::convert<int>::decode(v.node, i);
  if (v.node.Tag() == "!")
    return Fail(v, "expected a whole number, got the quoted string " + Describe(v.node) +
                       (decoded ? " (remove the quotes)" : ""));
  if (!decoded) return Fail(v, "expected a whole number, got " + Describe(v.node));
  if (!InRange(i, r)) return Fail(v, RangeText(r) + ", got " + std::to_string(i));
  return i;
}

Result<bool> Parser::Bool(const Value& v) const {
  bool b = false;
  if (!v.node.IsScalar() || v.node.Tag() == "!" || !YAML::convert<bool>::decode(v.node, b))
    return Fail(v, "expected true or false, got " + Describe(v.node));
  return b;
}

Result<std::string> Parser::String(const Value& v) const {
  if (!v.node.IsScalar()) return Fail(v, "expected a text value, got " + Describe(v.node));
  if (v.node.Scalar().empty()) return Fail(v, "must not be empty");
  return v.node.Scalar();
}

Result<std::string> Parser::OneOf(const Value& v,
                                  std::initializer_list<std::string_view> choices) const {
  WL_ASSIGN_OR_RETURN(std::string s, String(v));
  std::string list;
  for (std::string_view c : choices) {
    if (c == s) return s;
    list += (list.empty() ? "'" : ", '") + std::string(c) + "'";
  }
  return Fail(v, "must be one of " + list + ", got " + Describe(v.node));
}

Result<std::string> Parser::UniqueId(const Value& v, std::string_view kind,
                                     std::map<std::string, int>& seen) const {
  WL_ASSIGN_OR_RETURN(std::string s, String(v));
  if (!ValidId(s))
    return Fail(v, std::string(kind) + " id " + Describe(v.node) +
                       " must be 1 to 64 characters from A-Z a-z 0-9 _ . -");
  auto [pos, inserted] = seen.emplace(s, v.line);
  if (!inserted)
    return Fail(v, "duplicate " + std::string(kind) + " id '" + s + "'" +
                       (kind == "rule" ? " in this camera" : "") + " (first used at line " +
                       std::to_string(pos->second) + ")");
  return s;
}

std::string Parser::Resolve(const std::string& p) const {
  if (base_dir_.empty() || fs::path(p).is_absolute()) return p;
  return (fs::path(base_dir_) / p).lexically_normal().string();
}

Result<std::string> Parser::Path(const Value& v) const {
  WL_ASSIGN_OR_RETURN(std::string s, String(v));
  return Resolve(s);
}

// rtsp://, sim://, http:// ... stay as written; files and image-sequence
// patterns ("in%06d.jpg") are paths.
Result<std::string> Parser::Source(const Value& v) const {
  WL_ASSIGN_OR_RETURN(std::string s, String(v));
  if (s.find("://") != std::string::npos) return s;
  return Resolve(s);
}

Result<Point> Parser::ReadPoint(const Value& v) const {
  if (!v.node.IsSequence() || v.node.size() != 2)
    return Fail(v,
                "expected a point [x, y], got " +
                    (v.node.IsSequence() ? "a list of " + std::to_string(v.node.size()) + " values"
                                         : Describe(v.node)));
  Point p;
  for (size_t i = 0; i < 2; ++i) {
    const YAML::Node c = v.node[i];
    const Value cv{c, v.path + "[" + std::to_string(i) + "]", LineOf(c, v.line)};
    // Name the coordinate and the convention: a pixel position is the usual mistake.
    double d = 0;
    if (c.IsScalar() && c.Tag() != "!" && YAML::convert<double>::decode(c, d) &&
        !InRange(d, kNormalised))
      return Fail(cv, std::string(i == 0 ? "x" : "y") +
                          " must be between 0 and 1 (image coordinates are normalised), got " +
                          FormatNumber(d));
    WL_ASSIGN_OR_RETURN((i == 0 ? p.x : p.y), Number(cv, kNormalised));
  }
  return p;
}

Result<std::vector<Point>> Parser::ReadLinePoints(const Value& v) const {
  std::vector<Point> pts;
  WL_RETURN_IF_ERROR(
      ForEachItem(v, [&](const Value& item) { return Set(pts.emplace_back(), ReadPoint(item)); }));
  if (pts.size() < kMinLinePoints)
    return Fail(v, "a line needs at least 2 points, got " + std::to_string(pts.size()));
  double length = 0;
  for (size_t i = 1; i < pts.size(); ++i)
    length += std::hypot(pts[i].x - pts[i - 1].x, pts[i].y - pts[i - 1].y);
  if (length < kMinLineLength)
    return Fail(v, "the line has zero length (all its points are the same)");
  return pts;
}

Result<Polygon> Parser::ReadPolygon(const Value& v) const {
  Polygon poly;
  WL_RETURN_IF_ERROR(
      ForEachItem(v, [&](const Value& item) { return Set(poly.emplace_back(), ReadPoint(item)); }));
  if (poly.size() < kMinPolygonPoints)
    return Fail(v, "a polygon needs at least 3 points, got " + std::to_string(poly.size()));
  double twice_area = 0;
  for (size_t i = 0; i < poly.size(); ++i) {
    const Point& a = poly[i];
    const Point& b = poly[(i + 1) % poly.size()];
    twice_area += a.x * b.y - b.x * a.y;
  }
  if (std::abs(twice_area) / 2 < kMinPolygonArea)
    return Fail(v, "the polygon has zero area (its points lie on one line)");
  return poly;
}

Result<std::vector<Polygon>> Parser::ReadPolygons(const Value& v) const {
  std::vector<Polygon> polys;
  WL_RETURN_IF_ERROR(ForEachItem(
      v, [&](const Value& item) { return Set(polys.emplace_back(), ReadPolygon(item)); }));
  return polys;
}

Result<std::vector<std::string>> Parser::ReadClasses(const Value& v) const {
  std::vector<std::string> classes;
  WL_RETURN_IF_ERROR(ForEachItem(v, [&](const Value& item) -> Status {
    WL_ASSIGN_OR_RETURN(std::string c, OneOf(item, {kClasses[0], kClasses[1], kClasses[2],
                                                    kClasses[3], kClasses[4]}));
    if (std::find(classes.begin(), classes.end(), c) != classes.end())
      return Fail(item, "class '" + c + "' is listed twice");
    classes.push_back(std::move(c));
    return Status::Ok();
  }));
  return classes;
}

// ---- Sections. ----

Result<SiteConfig> Parser::ParseSite(const Value& v) const {
  SiteConfig s;
  bool data_dir_given = false;
  WL_RETURN_IF_ERROR(
      ReadMap(v, {
                     {"name", [&](const Value& f) { return Set(s.name, String(f)); }},
                     {"data_dir",
                      [&](const Value& f) {
                        data_dir_given = true;
                        return Set(s.data_dir, Path(f));
                      }},
                 }));
  // The default is relative too, so it resolves like a written one.
  if (!data_dir_given) s.data_dir = Resolve(s.data_dir);
  return s;
}

Result<PerimeterConfig> Parser::ParsePerimeter(const Value& v) const {
  PerimeterConfig p;
  WL_RETURN_IF_ERROR(
      ReadMap(v, {
                     {"geojson", [&](const Value& f) { return Set(p.geojson, Path(f)); }, true},
                     {"inside",
                      [&](const Value& f) {
                        return Set(p.inside, OneOf(f, {"left", "right"}));
                      }},
                     {"dem", [&](const Value& f) { return Set(p.dem, Path(f)); }},
                 }));
  return p;
}

Result<AnalysisConfig> Parser::ParseAnalysis(const Value& v) const {
  AnalysisConfig a;
  WL_RETURN_IF_ERROR(ReadMap(
      v, {
             {"width", [&](const Value& f) { return Set(a.width, Integer(f, kAnalysisWidth)); }},
             {"fps", [&](const Value& f) { return Set(a.fps, Number(f, kAnalysisFps)); }},
         }));
  return a;
}

Result<PositionConfig> Parser::ParsePosition(const Value& v) const {
  PositionConfig p;
  WL_RETURN_IF_ERROR(ReadMap(
      v, {
             {"lat", [&](const Value& f) { return Set(p.lat, Number(f, kLatitude)); }, true},
             {"lon", [&](const Value& f) { return Set(p.lon, Number(f, kLongitude)); }, true},
             {"height_m", [&](const Value& f) { return Set(p.height_m, Number(f, kHeightM)); }},
             {"heading_deg",
              [&](const Value& f) { return Set(p.heading_deg, Number(f, kHeadingDeg)); }},
             {"hfov_deg",
              [&](const Value& f) {
                p.hfov_given = true;
                return Set(p.hfov_deg, Number(f, kHfovDeg));
              }},
             {"tilt_deg", [&](const Value& f) { return Set(p.tilt_deg, Number(f, kTiltDeg)); }},
             {"range_m", [&](const Value& f) { return Set(p.range_m, Number(f, kRangeM)); }},
             {"model", [&](const Value& f) { return Set(p.model, String(f)); }},
             {"resolution",
              [&](const Value& f) { return Set(p.resolution, ReadResolution(f)); }},
             {"vfov_deg", [&](const Value& f) { return Set(p.vfov_deg, Number(f, kVfovDeg)); }},
         }));
  if (!p.model.empty() && p.resolution)
    return Fail(v, "give either 'model' or 'resolution', not both (the model sets the resolution)");
  return p;
}

Result<std::array<int, 2>> Parser::ReadResolution(const Value& v) const {
  if (!v.node.IsSequence() || v.node.size() != 2)
    return Fail(v, "expected [width, height] in pixels, got " +
                       (v.node.IsSequence() ? "a list of " + std::to_string(v.node.size()) +
                                                  " values"
                                            : Describe(v.node)));
  std::array<int, 2> wh{};
  for (size_t i = 0; i < 2; ++i) {
    const YAML::Node c = v.node[i];
    WL_ASSIGN_OR_RETURN(
        wh[i], Integer(Value{c, v.path + "[" + std::to_string(i) + "]", LineOf(c, v.line)},
                       kResolutionPx));
  }
  return wh;
}

Result<CoverageConfig> Parser::ParseCoverage(const Value& v) const {
  CoverageConfig c;
  WL_RETURN_IF_ERROR(ReadMap(
      v, {
             {"dori",
              [&](const Value& f) {
                return Set(c.dori, OneOf(f, {"detect", "observe", "recognise", "identify"}));
              }},
             {"person_width_m",
              [&](const Value& f) { return Set(c.person_width_m, Number(f, kPersonWidthM)); }},
             {"target_height_m",
              [&](const Value& f) { return Set(c.target_height_m, Number(f, kTargetHeightM)); }},
             {"los_step_m", [&](const Value& f) { return Set(c.los_step_m, Number(f, kLosStepM)); }},
         }));
  return c;
}

Result<std::vector<CalibrationPoint>> Parser::ParseCalibration(const Value& v) const {
  std::vector<CalibrationPoint> points;
  WL_RETURN_IF_ERROR(ForEachItem(v, [&](const Value& item) {
    CalibrationPoint& c = points.emplace_back();
    return ReadMap(
        item, {
                  {"px", [&](const Value& f) { return Set(c.px, ReadPoint(f)); }, true},
                  {"lat", [&](const Value& f) { return Set(c.lat, Number(f, kLatitude)); }, true},
                  {"lon", [&](const Value& f) { return Set(c.lon, Number(f, kLongitude)); }, true},
              });
  }));
  if (!points.empty() && points.size() < kMinCalibrationPoints)
    return Fail(v, "calibration needs at least 4 points (pixel <-> lat/lon), got " +
                       std::to_string(points.size()));
  return points;
}

Result<LineRule> Parser::ParseLineRule(const Value& v, std::map<std::string, int>& rule_ids) const {
  LineRule r;
  WL_RETURN_IF_ERROR(ReadMap(
      v, {
             {"id", [&](const Value& f) { return Set(r.id, UniqueId(f, "rule", rule_ids)); }, true},
             {"points", [&](const Value& f) { return Set(r.points, ReadLinePoints(f)); }, true},
             {"classes", [&](const Value& f) { return Set(r.classes, ReadClasses(f)); }},
         }));
  return r;
}

Result<ZoneRule> Parser::ParseZoneRule(const Value& v, std::map<std::string, int>& rule_ids) const {
  ZoneRule z;
  WL_RETURN_IF_ERROR(ReadMap(
      v, {
             {"id", [&](const Value& f) { return Set(z.id, UniqueId(f, "rule", rule_ids)); }, true},
             {"polygon", [&](const Value& f) { return Set(z.polygon, ReadPolygon(f)); }, true},
             {"classes", [&](const Value& f) { return Set(z.classes, ReadClasses(f)); }},
             {"loiter_s", [&](const Value& f) { return Set(z.loiter_s, Number(f, kLoiterS)); }},
         }));
  return z;
}

Result<IngestConfig> Parser::ParseIngest(const Value& v) const {
  IngestConfig in;
  WL_RETURN_IF_ERROR(ReadMap(
      v,
      {
          {"open_timeout_s",
           [&](const Value& f) { return Set(in.open_timeout_s, Number(f, kStreamTimeoutS)); }},
          {"read_timeout_s",
           [&](const Value& f) { return Set(in.read_timeout_s, Number(f, kStreamTimeoutS)); }},
          {"offline_after_s",
           [&](const Value& f) { return Set(in.offline_after_s, Number(f, kOfflineAfterS)); }},
          {"backoff_min_s",
           [&](const Value& f) { return Set(in.backoff_min_s, Number(f, kBackoffS)); }},
          {"backoff_max_s",
           [&](const Value& f) { return Set(in.backoff_max_s, Number(f, kBackoffS)); }},
          {"ring_size", [&](const Value& f) { return Set(in.ring_size, Integer(f, kRingSize)); }},
          {"rtsp_transport",
           [&](const Value& f) {
             return Set(in.rtsp_transport, OneOf(f, {"tcp", "udp"}));
           }},
          {"realtime", [&](const Value& f) { return Set(in.realtime, Bool(f)); }},
          {"loop", [&](const Value& f) { return Set(in.loop, Bool(f)); }},
          {"keyframes_only", [&](const Value& f) { return Set(in.keyframes_only, Bool(f)); }},
      }));
  if (in.backoff_min_s > in.backoff_max_s)
    return Fail(v, "backoff_min_s (" + FormatNumber(in.backoff_min_s) +
                       ") must not be greater than backoff_max_s (" +
                       FormatNumber(in.backoff_max_s) + ")");
  return in;
}

Result<ServerConfig> Parser::ParseServer(const Value& v) const {
  ServerConfig sv;
  WL_RETURN_IF_ERROR(ReadMap(
      v,
      {
          {"bind", [&](const Value& f) { return Set(sv.bind, String(f)); }},
          {"port", [&](const Value& f) { return Set(sv.port, Integer(f, kPort)); }},
          {"tls_cert", [&](const Value& f) { return Set(sv.tls_cert, Path(f)); }},
          {"tls_key", [&](const Value& f) { return Set(sv.tls_key, Path(f)); }},
          {"session_ttl_s",
           [&](const Value& f) { return Set(sv.session_ttl_s, Number(f, kSessionTtlS)); }},
          {"max_body_bytes",
           [&](const Value& f) { return Set(sv.max_body_bytes, Integer(f, kMaxBodyBytes)); }},
          {"login_max_failures",
           [&](const Value& f) {
             return Set(sv.login_max_failures, Integer(f, kLoginFailures));
           }},
          {"login_window_s",
           [&](const Value& f) { return Set(sv.login_window_s, Number(f, kLoginWindowS)); }},
          {"threads", [&](const Value& f) { return Set(sv.threads, Integer(f, kServerThreads)); }},
          {"max_sse_clients",
           [&](const Value& f) { return Set(sv.max_sse_clients, Integer(f, kSseClients)); }},
          {"tiles_dir", [&](const Value& f) { return Set(sv.tiles_dir, Path(f)); }},
      }));
  if (sv.tls_cert.empty() != sv.tls_key.empty())
    return Fail(v, "tls_cert and tls_key must be given together");
  if (sv.bind.empty()) return Fail(v, "bind must not be empty");
  return sv;
}

Result<DetectionConfig> Parser::ParseDetection(const Value& v) const {
  DetectionConfig d;
  WL_RETURN_IF_ERROR(ReadMap(
      v,
      {
          {"min_area_frac",
           [&](const Value& f) { return Set(d.min_area_frac, Number(f, kAreaFrac)); }},
          {"max_area_frac",
           [&](const Value& f) { return Set(d.max_area_frac, Number(f, kAreaFrac)); }},
          {"learn_s", [&](const Value& f) { return Set(d.learn_s, Number(f, kDetectionS)); }},
          {"track_max_gap_s",
           [&](const Value& f) { return Set(d.track_max_gap_s, Number(f, kDetectionS)); }},
          {"confirm_s", [&](const Value& f) { return Set(d.confirm_s, Number(f, kDetectionS)); }},
          {"min_displacement",
           [&](const Value& f) { return Set(d.min_displacement, Number(f, kDisplacement)); }},
          {"debounce_s", [&](const Value& f) { return Set(d.debounce_s, Number(f, kDetectionS)); }},
          {"shadows", [&](const Value& f) { return Set(d.shadows, Bool(f)); }},
          {"ghosts", [&](const Value& f) { return Set(d.ghosts, Bool(f)); }},
          {"verify", [&](const Value& f) { return Set(d.verify, ParseVerify(f)); }},
      },
      {{"verify",
        {"hog", "model", "classes", "confidence", "input", "nms_iou", "layout", "match_iou",
         "context", "hog_margin", "recheck_s"}}}));
  if (d.min_area_frac > d.max_area_frac)
    return Fail(v, "min_area_frac (" + FormatNumber(d.min_area_frac) +
                       ") must not be greater than max_area_frac (" +
                       FormatNumber(d.max_area_frac) + ")");
  return d;
}

// detection.verify: `hog: true`, or `model: file.onnx` with its options. Keys
// of the other checker are rejected rather than ignored; `hog: false` alone
// turns the check off.
Result<std::optional<VerifyConfig>> Parser::ParseVerify(const Value& v) const {
  VerifyConfig vc;
  std::vector<std::pair<std::string_view, int>> model_keys;  // given model-only keys, with lines
  std::optional<int> margin_line;
  bool hog_given = false;
  auto model_only = [&](std::string_view key, const Value& f, Status st) {
    model_keys.emplace_back(key, f.line);
    return st;
  };
  WL_RETURN_IF_ERROR(ReadMap(
      v,
      {
          {"hog",
           [&](const Value& f) {
             hog_given = true;
             return Set(vc.hog, Bool(f));
           }},
          {"model",
           [&](const Value& f) -> Status {
             WL_ASSIGN_OR_RETURN(vc.model, Path(f));
             std::error_code ec;
             if (!fs::is_regular_file(vc.model, ec))
               return Fail(f, "model file not found: " + vc.model +
                                  (fs::is_directory(vc.model, ec) ? " (it is a folder)" : ""));
             return Status::Ok();
           }},
          {"classes",
           [&](const Value& f) -> Status {
             model_keys.emplace_back("classes", f.line);
             bool any = false;
             WL_RETURN_IF_ERROR(ForEachItem(f, [&](const Value& item) -> Status {
               // "" (or null): the model's class at this index is dropped.
               if (item.node.IsNull() || (item.node.IsScalar() && item.node.Scalar().empty())) {
                 vc.classes.emplace_back();
                 return Status::Ok();
               }
               WL_ASSIGN_OR_RETURN(std::string c, OneOf(item, {"", kClasses[0], kClasses[1],
                                                               kClasses[2], kClasses[3],
                                                               kClasses[4]}));
               any = true;
               vc.classes.push_back(std::move(c));
               return Status::Ok();
             }));
             if (!any)
               return Fail(f,
                           "lists one watchline class per model class id ('' drops one); "
                           "name at least one class");
             return Status::Ok();
           }},
          {"confidence",
           [&](const Value& f) {
             return model_only("confidence", f, Set(vc.confidence, Number(f, kVerifyFraction)));
           }},
          {"input",
           [&](const Value& f) {
             return model_only("input", f, Set(vc.input, Integer(f, kVerifyInputPx)));
           }},
          {"nms_iou",
           [&](const Value& f) {
             return model_only("nms_iou", f, Set(vc.nms_iou, Number(f, kVerifyFraction)));
           }},
          {"layout",
           [&](const Value& f) {
             return model_only("layout", f, Set(vc.layout, OneOf(f, {"auto", "yolov5", "yolov8"})));
           }},
          {"match_iou",
           [&](const Value& f) {
             return model_only("match_iou", f, Set(vc.match_iou, Number(f, kVerifyFraction)));
           }},
          {"context",
           [&](const Value& f) {
             return model_only("context", f, Set(vc.context, Number(f, kVerifyContext)));
           }},
          {"hog_margin",
           [&](const Value& f) {
             margin_line = f.line;
             return Set(vc.hog_margin, Number(f, kHogMargin));
           }},
          {"recheck_s", [&](const Value& f) { return Set(vc.recheck_s, Number(f, kRecheckS)); }},
      }));
  if (vc.hog && !vc.model.empty())
    return Fail(v, "give either 'hog: true' or a 'model', not both (with a model, the model decides)");
  if (!vc.hog && vc.model.empty()) {
    if (hog_given && v.node.size() == 1) return std::optional<VerifyConfig>();  // hog: false: off
    return Fail(v, "needs 'hog: true' or 'model: <file.onnx>'");
  }
  if (vc.hog && !model_keys.empty())
    return Fail(model_keys.front().second, JoinPath(v.path, model_keys.front().first),
                "applies to a 'model' only, not to the HOG check");
  if (!vc.hog && margin_line)
    return Fail(*margin_line, JoinPath(v.path, "hog_margin"),
                "applies to 'hog: true' only, not to a model");
  return std::optional<VerifyConfig>(std::move(vc));
}

Result<HealthConfig> Parser::ParseHealth(const Value& v) const {
  HealthConfig h;
  WL_RETURN_IF_ERROR(ReadMap(
      v,
      {
          {"min_duration_s",
           [&](const Value& f) { return Set(h.min_duration_s, Number(f, kHealthS)); }},
          {"clear_after_s",
           [&](const Value& f) { return Set(h.clear_after_s, Number(f, kHealthS)); }},
          {"brief_occlusion_s",
           [&](const Value& f) { return Set(h.brief_occlusion_s, Number(f, kHealthS)); }},
          {"frozen_after_s",
           [&](const Value& f) { return Set(h.frozen_after_s, Number(f, kHealthS)); }},
          {"learn_s", [&](const Value& f) { return Set(h.learn_s, Number(f, kHealthLearnS)); }},
          {"update_s", [&](const Value& f) { return Set(h.update_s, Number(f, kHealthUpdateS)); }},
          {"occluded_fraction",
           [&](const Value& f) { return Set(h.occluded_fraction, Number(f, kHealthFraction)); }},
          {"defocus_ratio",
           [&](const Value& f) { return Set(h.defocus_ratio, Number(f, kHealthFraction)); }},
      }));
  return h;
}

// ---- Guard duty. ----

constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};

// "HH:MM" (24-hour local time) -> minutes after midnight. "24:00" is allowed
// as the end of a day.
Result<int> Parser::TimeOfDay(const Value& v) const {
  if (!v.node.IsScalar())
    return Fail(v, "expected a time of day \"HH:MM\", got " + Describe(v.node));
  const std::string& s = v.node.Scalar();
  int h = -1, m = -1;
  char colon = 0;
  std::istringstream in(s);
  in >> h >> colon >> m;
  const bool ok = !in.fail() && in.peek() == EOF && colon == ':' && s.size() >= 4 &&
                  s.size() <= 5 && h >= 0 && m >= 0 && m < 60 && (h < 24 || (h == 24 && m == 0));
  if (!ok) return Fail(v, "expected a time of day \"HH:MM\" from 00:00 to 24:00, got " + Describe(v.node));
  return h * 60 + m;
}

// "daily", "weekdays", "weekends", "mon", "mon-fri", "fri-mon", or a list of
// those. Returns sorted day numbers, 0 = Sunday.
Result<std::vector<int>> Parser::ReadDays(const Value& v) const {
  std::vector<bool> on(7, false);
  auto day = [&](std::string_view name) -> int {
    for (size_t i = 0; i < kDayNames.size(); ++i)
      if (kDayNames[i] == name) return static_cast<int>(i);
    return -1;
  };
  auto one = [&](const Value& item) -> Status {
    WL_ASSIGN_OR_RETURN(std::string text, String(item));
    const std::string t = Lower(text);
    if (t == "daily") {
      on.assign(7, true);
      return Status::Ok();
    }
    if (t == "weekdays") {
      for (int d = 1; d <= 5; ++d) on[d] = true;
      return Status::Ok();
    }
    if (t == "weekends") {
      on[0] = on[6] = true;
      return Status::Ok();
    }
    const size_t dash = t.find('-');
    const int a = day(t.substr(0, dash));
    const int b = dash == std::string::npos ? a : day(t.substr(dash + 1));
    if (a < 0 || b < 0)
      return Fail(item, "expected day names (sun mon tue wed thu fri sat), a range such as "
                        "\"mon-fri\", \"daily\", \"weekdays\" or \"weekends\", got " +
                            Describe(item.node));
    for (int d = a;; d = (d + 1) % 7) {  // a range may wrap: "fri-mon"
      on[d] = true;
      if (d == b) break;
    }
    return Status::Ok();
  };
  if (v.node.IsSequence()) {
    WL_RETURN_IF_ERROR(ForEachItem(v, one));
  } else {
    WL_RETURN_IF_ERROR(one(v));
  }
  std::vector<int> days;
  for (int d = 0; d < 7; ++d)
    if (on[d]) days.push_back(d);
  if (days.empty()) return Fail(v, "names no day");
  return days;
}

Result<std::string> Parser::TimeZone(const Value& v) const {
  WL_ASSIGN_OR_RETURN(std::string tz, String(v));
  try {
    (void)date::locate_zone(tz);
  } catch (const std::exception&) {
    return Fail(v, "unknown time zone " + Describe(v.node) +
                       " (use an IANA name such as \"UTC\" or \"Europe/Berlin\"; the system's "
                       "tz database is /usr/share/zoneinfo)");
  }
  return tz;
}

Result<ShiftConfig> Parser::ParseShift(const Value& v) const {
  ShiftConfig sh;
  sh.days = {0, 1, 2, 3, 4, 5, 6};
  WL_RETURN_IF_ERROR(ReadMap(
      v, {
             {"days", [&](const Value& f) { return Set(sh.days, ReadDays(f)); }},
             {"start", [&](const Value& f) { return Set(sh.start_min, TimeOfDay(f)); }, true},
             {"end", [&](const Value& f) { return Set(sh.end_min, TimeOfDay(f)); }, true},
         }));
  return sh;
}

Result<ScheduleConfig> Parser::ParseSchedule(const Value& v) const {
  ScheduleConfig sc;
  WL_RETURN_IF_ERROR(ReadMap(
      v, {
             {"tz", [&](const Value& f) { return Set(sc.tz, TimeZone(f)); }},
             {"shifts",
              [&](const Value& f) {
                return ForEachItem(f, [&](const Value& item) {
                  return Set(sc.shifts.emplace_back(), ParseShift(item));
                });
              },
              true},
         }));
  if (sc.shifts.empty()) return Fail(v, "shifts: at least one shift is needed");
  return sc;
}

Result<PostConfig> Parser::ParsePost(const Value& v, std::map<std::string, int>& ids) const {
  PostConfig p;
  p.line = v.line;
  WL_RETURN_IF_ERROR(ReadMap(
      v, {
             {"id", [&](const Value& f) { return Set(p.id, UniqueId(f, "post/patrol", ids)); }, true},
             {"camera", [&](const Value& f) { return Set(p.camera, String(f)); }, true},
             {"zone", [&](const Value& f) { return Set(p.zone, ReadPolygon(f)); }, true},
             {"schedule", [&](const Value& f) { return Set(p.schedule, ParseSchedule(f)); }, true},
             {"vacant_s", [&](const Value& f) { return Set(p.vacant_s, Number(f, kDutyS)); }},
             {"still_s", [&](const Value& f) { return Set(p.still_s, Number(f, kDutyS)); }},
             {"still_radius", [&](const Value& f) { return Set(p.still_radius, Number(f, kStillRadius)); }},
             {"classes", [&](const Value& f) { return Set(p.classes, ReadClasses(f)); }},
             {"intrusion_off_duty", [&](const Value& f) { return Set(p.intrusion_off_duty, Bool(f)); }},
         }));
  return p;
}

Result<CheckpointConfig> Parser::ParseCheckpoint(const Value& v,
                                                 std::map<std::string, int>& ids) const {
  CheckpointConfig c;
  c.line_no = v.line;
  bool after_given = false;
  WL_RETURN_IF_ERROR(ReadMap(
      v, {
             {"id", [&](const Value& f) { return Set(c.id, UniqueId(f, "checkpoint", ids)); }, true},
             {"camera", [&](const Value& f) { return Set(c.camera, String(f)); }, true},
             {"zone", [&](const Value& f) { return Set(c.zone, ReadPolygon(f)); }},
             {"line", [&](const Value& f) { return Set(c.line, ReadLinePoints(f)); }},
             {"after_s",
              [&](const Value& f) {
                after_given = true;
                return Set(c.after_s, Number(f, kPatrolWindowS));
              }},
             {"within_s", [&](const Value& f) { return Set(c.within_s, Number(f, kPatrolWindowS)); }},
             {"at", [&](const Value& f) { return Set(c.at_min, TimeOfDay(f)); }},
             {"tolerance_s", [&](const Value& f) { return Set(c.tolerance_s, Number(f, kDutyS)); }},
         }));
  if (c.zone.empty() == c.line.empty())
    return Fail(v, "a checkpoint needs exactly one of 'zone' or 'line'");
  if (c.at_min && (c.within_s || after_given))
    return Fail(v, "give either a fixed time ('at', 'tolerance_s') or a window after the run "
                   "starts ('after_s', 'within_s'), not both");
  if (!c.at_min && !c.within_s)
    return Fail(v, "a checkpoint needs a window: 'within_s' (seconds after the run starts, "
                   "optionally from 'after_s') or a fixed time 'at: \"HH:MM\"'");
  if (c.within_s && *c.within_s <= c.after_s)
    return Fail(v, "within_s (" + FormatNumber(*c.within_s) + ") must be later than after_s (" +
                       FormatNumber(c.after_s) + ")");
  return c;
}

Result<PatrolConfig> Parser::ParsePatrol(const Value& v, std::map<std::string, int>& ids) const {
  PatrolConfig p;
  p.line = v.line;
  WL_RETURN_IF_ERROR(ReadMap(
      v, {
             {"id", [&](const Value& f) { return Set(p.id, UniqueId(f, "post/patrol", ids)); }, true},
             {"tz", [&](const Value& f) { return Set(p.tz, TimeZone(f)); }},
             {"days", [&](const Value& f) { return Set(p.days, ReadDays(f)); }},
             {"starts",
              [&](const Value& f) {
                return ForEachItem(f, [&](const Value& item) {
                  return Set(p.starts.emplace_back(), TimeOfDay(item));
                });
              },
              true},
             {"late_limit_s", [&](const Value& f) { return Set(p.late_limit_s, Number(f, kDutyS)); }},
             {"checkpoints",
              [&](const Value& f) {
                return ForEachItem(f, [&](const Value& item) {
                  return Set(p.checkpoints.emplace_back(), ParseCheckpoint(item, ids));
                });
              },
              true},
         }));
  if (p.starts.empty()) return Fail(v, "starts: at least one run start time is needed");
  if (p.checkpoints.empty()) return Fail(v, "checkpoints: at least one checkpoint is needed");
  return p;
}

// Posts and checkpoints name cameras; those must exist.
Status Parser::CheckDutyCameras(const Config& cfg) const {
  auto check = [&](const std::string& camera, int line, const std::string& path) -> Status {
    if (cfg.FindCamera(camera)) return Status::Ok();
    std::vector<std::string_view> ids;
    for (const auto& c : cfg.cameras) ids.push_back(c.id);
    std::string hint = ClosestKey(camera, ids);
    return Fail(line, path, "unknown camera '" + camera + "'" +
                                (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
  };
  for (size_t i = 0; i < cfg.posts.size(); ++i) {
    const PostConfig& p = cfg.posts[i];
    WL_RETURN_IF_ERROR(check(p.camera, p.line, "posts[" + std::to_string(i) + "].camera"));
    // Off duty the post is a zone rule of its camera, named by the post id.
    const CameraConfig* cam = cfg.FindCamera(p.camera);
    bool clash = false;
    for (const auto& l : cam->lines) clash |= l.id == p.id;
    for (const auto& z : cam->zones) clash |= z.id == p.id;
    if (p.intrusion_off_duty && clash)
      return Fail(p.line, "posts[" + std::to_string(i) + "].id",
                  "post '" + p.id + "' acts as a zone of camera " + p.camera +
                      " off duty, but that camera already has a rule with this id");
  }
  for (size_t i = 0; i < cfg.patrols.size(); ++i)
    for (size_t j = 0; j < cfg.patrols[i].checkpoints.size(); ++j)
      WL_RETURN_IF_ERROR(check(cfg.patrols[i].checkpoints[j].camera,
                               cfg.patrols[i].checkpoints[j].line_no,
                               "patrols[" + std::to_string(i) + "].checkpoints[" +
                                   std::to_string(j) + "].camera"));
  return Status::Ok();
}

Result<CameraConfig> Parser::ParseCamera(const Value& v,
                                         std::map<std::string, int>& camera_ids) const {
  CameraConfig c;
  c.line = v.line;
  std::map<std::string, int> rule_ids;  // lines and zones share one namespace: events name the rule
  static const std::vector<Section> kSections = {
      {"analysis", {"width"}},
      {"position",
       {"lat", "lon", "height_m", "heading_deg", "hfov_deg", "tilt_deg", "range_m", "model",
        "resolution", "vfov_deg"}},
      {"ingest",
       {"open_timeout_s", "read_timeout_s", "offline_after_s", "backoff_min_s", "backoff_max_s",
        "ring_size", "rtsp_transport", "realtime", "loop", "keyframes_only"}},
      {"detection",
       {"min_area_frac", "max_area_frac", "learn_s", "track_max_gap_s", "confirm_s",
        "min_displacement", "debounce_s", "shadows", "ghosts", "verify"}},
      {"health",
       {"min_duration_s", "clear_after_s", "brief_occlusion_s", "frozen_after_s", "update_s",
        "occluded_fraction", "defocus_ratio"}},
  };
  WL_RETURN_IF_ERROR(ReadMap(
      v,
      {
          {"id", [&](const Value& f) { return Set(c.id, UniqueId(f, "camera", camera_ids)); },
           true},
          {"source", [&](const Value& f) { return Set(c.source, Source(f)); }, true},
          {"fps", [&](const Value& f) { return Set(c.fps, Number(f, kCameraFps)); }},
          {"enabled", [&](const Value& f) { return Set(c.enabled, Bool(f)); }},
          {"analysis", [&](const Value& f) { return Set(c.analysis, ParseAnalysis(f)); }},
          {"position", [&](const Value& f) { return Set(c.position, ParsePosition(f)); }},
          {"calibration", [&](const Value& f) { return Set(c.calibration, ParseCalibration(f)); }},
          {"masks", [&](const Value& f) { return Set(c.masks, ReadPolygons(f)); }},
          {"privacy", [&](const Value& f) { return Set(c.privacy, ReadPolygons(f)); }},
          {"lines",
           [&](const Value& f) {
             return ForEachItem(f, [&](const Value& item) {
               return Set(c.lines.emplace_back(), ParseLineRule(item, rule_ids));
             });
           }},
          {"zones",
           [&](const Value& f) {
             return ForEachItem(f, [&](const Value& item) {
               return Set(c.zones.emplace_back(), ParseZoneRule(item, rule_ids));
             });
           }},
          {"ingest", [&](const Value& f) { return Set(c.ingest, ParseIngest(f)); }},
          {"detection", [&](const Value& f) { return Set(c.detection, ParseDetection(f)); }},
          {"health", [&](const Value& f) { return Set(c.health, ParseHealth(f)); }},
      },
      kSections));
  return c;
}

Result<std::vector<CameraConfig>> Parser::ParseCameras(const Value& v) const {
  std::vector<CameraConfig> cameras;
  std::map<std::string, int> camera_ids;
  WL_RETURN_IF_ERROR(ForEachItem(v, [&](const Value& item) {
    return Set(cameras.emplace_back(), ParseCamera(item, camera_ids));
  }));
  return cameras;
}

Result<Config> Parser::Parse(const YAML::Node& root) {
  Config cfg;
  cfg.base_dir = base_dir_;
  if (root.IsNull() || !root.IsDefined())
    return Fail(1, "",
                "the file is empty; expected a mapping with 'site', 'perimeter' and/or 'cameras'");
  static const std::vector<Section> kSections = {
      {"site", {"name", "data_dir"}},
      {"perimeter", {"geojson", "inside", "dem"}},
      {"coverage", {"dori", "person_width_m", "target_height_m", "los_step_m"}},
      {"server",
       {"bind", "port", "tls_cert", "tls_key", "session_ttl_s", "max_body_bytes",
        "login_max_failures", "login_window_s", "threads", "max_sse_clients", "tiles_dir"}},
  };
  Value top{root, "", LineOf(root, 1)};
  if (!root.IsMap())
    return Fail(
        top, "expected a mapping with 'site', 'perimeter' and/or 'cameras' at the top level, got " +
                 Describe(root));
  bool site_given = false;
  std::map<std::string, int> duty_ids;  // posts, patrols and checkpoints: scans and events name them
  WL_RETURN_IF_ERROR(ReadMap(
      top,
      {
          {"site",
           [&](const Value& f) {
             site_given = true;
             return Set(cfg.site, ParseSite(f));
           }},
          {"perimeter", [&](const Value& f) { return Set(cfg.perimeter, ParsePerimeter(f)); }},
          {"coverage", [&](const Value& f) { return Set(cfg.coverage, ParseCoverage(f)); }},
          {"cameras", [&](const Value& f) { return Set(cfg.cameras, ParseCameras(f)); }},
          {"server", [&](const Value& f) { return Set(cfg.server, ParseServer(f)); }},
          {"posts",
           [&](const Value& f) {
             return ForEachItem(f, [&](const Value& item) {
               return Set(cfg.posts.emplace_back(), ParsePost(item, duty_ids));
             });
           }},
          {"patrols",
           [&](const Value& f) {
             return ForEachItem(f, [&](const Value& item) {
               return Set(cfg.patrols.emplace_back(), ParsePatrol(item, duty_ids));
             });
           }},
      },
      kSections, /*allow_extensions=*/true));
  WL_RETURN_IF_ERROR(CheckDutyCameras(cfg));
  if (!site_given) cfg.site.data_dir = Resolve(cfg.site.data_dir);
  return cfg;
}

}  // namespace

Result<Config> ParseConfig(const std::string& yaml_text, const std::string& name,
                           const std::string& base_dir) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    const int line = e.mark.is_null() || e.mark.line < 0 ? 1 : e.mark.line + 1;
    // yaml-cpp's structural messages ("end of map not found", "illegal map
    // value") are nearly always a mis-indented line or an unclosed bracket.
    const bool structural = e.msg.find("not found") != std::string::npos ||
                            e.msg.find("illegal map value") != std::string::npos;
    return Status::InvalidArgument(name + ":" + std::to_string(line) +
                                   ": YAML syntax error: " + e.msg +
                                   (structural ? " (check the indentation and brackets)" : ""));
  } catch (const std::exception& e) {
    return Status::InvalidArgument(name + ": cannot read YAML: " + e.what());
  }
  try {
    return Parser(name, base_dir).Parse(root);
  } catch (const std::exception& e) {
    // The readers use yaml-cpp's non-throwing decode; this is a safety net so
    // no library exception crosses the module boundary.
    return Status::Internal(name + ": unexpected error while reading the config: " + e.what());
  }
}

Result<Config> LoadConfig(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return Status::NotFound("config file not found: " + path);
  if (fs::is_directory(st))
    return Status::InvalidArgument("config path is a directory, not a file: " + path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open config file " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read config file " + path);

  fs::path abs = fs::absolute(path, ec);
  if (ec) return Status::IOError("cannot resolve the folder of " + path + ": " + ec.message());
  const std::string base_dir = abs.lexically_normal().parent_path().string();
  WL_ASSIGN_OR_RETURN(Config cfg, ParseConfig(text.str(), path, base_dir));
  cfg.path = path;
  return cfg;
}

}  // namespace watchline::config
