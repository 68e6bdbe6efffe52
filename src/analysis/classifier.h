// Object classification from what a track looks like and how it moves:
// person, vehicle, boat, animal or unknown.
//
// Sizes come at one of three scales, the best a camera offers:
//  - metric: the camera has a valid calibration (config calibration points ->
//    geometry::Homography), so a box has a real width and height in metres at
//    its foot point and a real ground speed in m/s;
//  - perspective: no calibration, but the camera has learned how tall an
//    upright person looks at each image row (PerspectiveModel, from its own
//    confirmed person tracks); sizes and speed are then expressed in person
//    heights and scaled by kPersonHeightM into estimated metres;
//  - image: neither yet; only image-relative size, box aspect and image speed.
// HeuristicClassifier holds the rules for all three; CameraClassifier is the
// per-camera object that measures an observation at the best scale, learns the
// perspective model and classifies.
//
// Water: the config has no water layer, so a zone whose `classes` list is
// exactly [boat] is taken as water (it is where boats, and only boats, are
// reported). With water configured, only an object whose foot point is on it
// can be a boat, and any low object on it is one. Without water, a boat must
// look like one from the side: low, long, moving steadily across the view.
//
// The tracker keeps one vote per observation and reports the majority class.
// Thread safety: HeuristicClassifier::Classify is const and pure; a
// CameraClassifier is per camera and driven by that camera's analysis thread
// (Measure and Classify are const; Learn is not).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <opencv2/core/types.hpp>

#include "config/config.h"

namespace watchline::geometry {
class Homography;
}

namespace watchline::analysis {

enum class ObjectClass { kUnknown = 0, kPerson, kVehicle, kBoat, kAnimal };
inline constexpr int kNumObjectClasses = 5;

// "unknown", "person", "vehicle", "boat", "animal": the event contract names.
std::string_view ClassName(ObjectClass c);

// The height of the typical upright person the perspective model learns,
// metres: it turns person heights into estimated metres.
inline constexpr double kPersonHeightM = 1.7;

// How the metric fields of ObjectFeatures were obtained.
enum class SizeScale { kImage = 0, kPerspective, kMetric };

// What one observation of a track looks like.
struct ObjectFeatures {
  // Image-relative, always set. Fractions are of the analysis frame; speed is
  // in frame diagonals per second.
  double width_frac = 0;   // box width / frame width
  double height_frac = 0;  // box height / frame height
  double aspect = 0;       // box height / box width, in pixels
  double area_frac = 0;    // box area / frame area
  double speed = 0;        // |velocity| / frame diagonal, 1/s
  // Shape and motion, scale-free.
  double fill = 0;          // foreground pixels / box area, 0..1; 0 = not known
  double horizontal = 0;    // |vx| / |v| in pixels, 0..1 (1 = across the view)
  double steadiness = 1;    // net / path length of the recent foot motion, 0..1
  // Real (kMetric) or estimated (kPerspective) size and speed; 0 for kImage.
  SizeScale scale = SizeScale::kImage;
  double width_m = 0;    // box width on the ground at the foot point, metres
  double height_m = 0;   // box height at the foot point's depth, metres
  double speed_mps = 0;  // ground speed (kMetric) or speed across the view (kPerspective)
  // Whether the foot point is on water; none when no water is configured.
  std::optional<bool> on_water;
};

// One matched observation of a track, as the analyzer hands it over.
struct Observation {
  int64_t track = 0;
  double t = 0;            // seconds of stream time
  cv::Size frame;          // analysis size
  cv::Rect2d box;          // analysis pixels
  cv::Point2d velocity;    // analysis pixels per second
  double fg_area = 0;      // foreground pixels of the matched blob; 0 = not known
  double steadiness = 1;   // net / path length of the recent foot motion, 0..1
};

class Classifier {
 public:
  virtual ~Classifier() = default;
  virtual ObjectClass Classify(const ObjectFeatures& f) const = 0;
  // Features of one observation. The default gives the image scale only.
  virtual ObjectFeatures Measure(const Observation& o) const;
  // Called after each observation was classified, with the class its track
  // now holds (the majority of its votes) and whether the track is confirmed,
  // so a per-camera classifier can learn its view. The default learns nothing.
  virtual void Learn(const Observation& o, ObjectClass track_class, bool confirmed);
};

// The rules (see classifier.cc for every threshold and its unit).
class HeuristicClassifier : public Classifier {
 public:
  ObjectClass Classify(const ObjectFeatures& f) const override;
};

// How tall an upright person of kPersonHeightM looks with the foot at each
// image row, learned from samples (foot row, box height) of confirmed person
// tracks: h = a * (y - y_horizon), refitted now and then over the most recent
// samples. People differ in height, so the horizon comes from how each
// track's own height changes with its row (the horizon that makes every
// track's h / (y - y_horizon) most nearly constant), and the scale a from the
// median track; when no track spans enough rows the horizon is assumed well
// above the samples. Rows and heights are normalised (fractions of the frame
// height). Until kMinSamples samples from kMinTracks tracks exist it is not
// ready.
class PerspectiveModel {
 public:
  static constexpr int kMinSamples = 20;
  static constexpr int kMinTracks = 2;
  static constexpr int kMaxSamples = 256;
  // One track gives at most one sample per this many seconds, so a person who
  // lingers does not outweigh the others.
  static constexpr double kSampleIntervalS = 0.25;

  // Adds a sample of `track` at stream time t (ignored when the same track
  // gave one less than kSampleIntervalS ago).
  void Add(int64_t track, double t, double foot_y, double height);
  bool ready() const { return ready_; }
  // Expected person height (fraction of the frame height) with the foot at
  // row foot_y; none when not ready or at/above the learned horizon.
  std::optional<double> PersonHeightAt(double foot_y) const;
  double slope() const { return a_; }          // height per unit of row
  double horizon_y() const { return y0_; }     // row where the height would be 0
  int samples() const { return static_cast<int>(ys_.size()); }

 private:
  void Fit();

  std::vector<double> ys_, hs_;  // ring of samples
  std::vector<int64_t> owners_;  // track of each sample
  size_t next_ = 0;              // ring position once full
  int since_fit_ = 0;
  std::vector<std::pair<int64_t, double>> last_sample_;  // track -> time of its last sample
  bool ready_ = false;
  double a_ = 0, y0_ = 0;
};

// The per-camera classifier: measures at the best scale this camera has,
// learns its perspective from its own person tracks, classifies with
// HeuristicClassifier.
class CameraClassifier : public Classifier {
 public:
  // frame: analysis size. A calibration that cannot be fitted is logged (naming
  // the camera) and ignored: the camera is then classified as uncalibrated.
  CameraClassifier(const config::CameraConfig& cam, cv::Size frame);
  ~CameraClassifier() override;

  ObjectClass Classify(const ObjectFeatures& f) const override;
  ObjectFeatures Measure(const Observation& o) const override;
  void Learn(const Observation& o, ObjectClass track_class, bool confirmed) override;

  bool calibrated() const { return homography_ != nullptr; }
  const PerspectiveModel& perspective() const { return perspective_; }

 private:
  cv::Size frame_;
  std::unique_ptr<geometry::Homography> homography_;
  std::vector<std::vector<cv::Point2d>> water_;  // normalised polygons
  PerspectiveModel perspective_;
  HeuristicClassifier rules_;
};

}  // namespace watchline::analysis
