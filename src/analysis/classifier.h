// Object classification from what a track looks like and how it moves.
//
// HeuristicClassifier is the first version: with no calibration it only has
// image-relative size, the box aspect and image speed, so it answers person,
// vehicle or unknown (boat and animal need calibrated size or a model check,
// which later classifiers behind the same interface add). The tracker keeps
// one vote per observation and reports the majority class.
// Thread safety: Classify is const and pure; safe from any thread.
#pragma once

#include <array>
#include <string_view>

namespace watchline::analysis {

enum class ObjectClass { kUnknown = 0, kPerson, kVehicle, kBoat, kAnimal };
inline constexpr int kNumObjectClasses = 5;

// "unknown", "person", "vehicle", "boat", "animal": the event contract names.
std::string_view ClassName(ObjectClass c);

// What one observation of a track looks like. Fractions are of the analysis
// frame; speed is in frame diagonals per second.
struct ObjectFeatures {
  double width_frac = 0;   // box width / frame width
  double height_frac = 0;  // box height / frame height
  double aspect = 0;       // box height / box width, in pixels
  double area_frac = 0;    // box area / frame area
  double speed = 0;        // |velocity| / frame diagonal, 1/s
};

class Classifier {
 public:
  virtual ~Classifier() = default;
  virtual ObjectClass Classify(const ObjectFeatures& f) const = 0;
};

class HeuristicClassifier : public Classifier {
 public:
  ObjectClass Classify(const ObjectFeatures& f) const override;
};

}  // namespace watchline::analysis
