#include "analysis/classifier.h"

namespace watchline::analysis {
namespace {

// An upright person's box is clearly taller than wide (walking side-on about
// 2.5:1, with a shadow or seen at an angle still above this).
constexpr double kPersonMinAspect = 1.2;
// Faster than this (frame diagonals per second) is not a walking or running
// person at any distance where a person is resolvable.
constexpr double kPersonMaxSpeed = 0.6;
// Vehicles are wider than tall.
constexpr double kVehicleMaxAspect = 0.9;
// A wide box at least this big (fraction of the frame area) is a vehicle even
// when slow (parked, turning)...
constexpr double kVehicleMinAreaFrac = 0.003;
// ...and a wide box moving at least this fast is one even when small.
constexpr double kVehicleMinSpeed = 0.25;

}  // namespace

std::string_view ClassName(ObjectClass c) {
  switch (c) {
    case ObjectClass::kPerson: return "person";
    case ObjectClass::kVehicle: return "vehicle";
    case ObjectClass::kBoat: return "boat";
    case ObjectClass::kAnimal: return "animal";
    case ObjectClass::kUnknown: break;
  }
  return "unknown";
}

ObjectClass HeuristicClassifier::Classify(const ObjectFeatures& f) const {
  if (f.aspect >= kPersonMinAspect && f.speed <= kPersonMaxSpeed) return ObjectClass::kPerson;
  if (f.aspect <= kVehicleMaxAspect &&
      (f.area_frac >= kVehicleMinAreaFrac || f.speed >= kVehicleMinSpeed))
    return ObjectClass::kVehicle;
  return ObjectClass::kUnknown;
}

}  // namespace watchline::analysis
