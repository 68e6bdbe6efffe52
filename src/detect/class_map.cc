#include "detect/class_map.h"

namespace watchline::detect {

namespace {
constexpr int kCocoClasses = 80;
constexpr int kCocoPerson = 0;
constexpr int kCocoVehicles[] = {1, 2, 3, 5, 7};  // bicycle, car, motorcycle, bus, truck
constexpr int kCocoBoat = 8;
constexpr int kCocoFirstAnimal = 14;  // bird
constexpr int kCocoLastAnimal = 23;   // giraffe
}  // namespace

bool IsWatchlineClass(std::string_view name) {
  return name == kClassPerson || name == kClassVehicle || name == kClassBoat ||
         name == kClassAnimal || name == kClassUnknown;
}

std::vector<std::string> CocoClassMap() {
  std::vector<std::string> map(kCocoClasses);
  map[kCocoPerson] = kClassPerson;
  for (int id : kCocoVehicles) map[id] = kClassVehicle;
  map[kCocoBoat] = kClassBoat;
  for (int id = kCocoFirstAnimal; id <= kCocoLastAnimal; ++id) map[id] = kClassAnimal;
  return map;
}

Status ValidateClassMap(const std::vector<std::string>& class_map) {
  if (class_map.empty()) return Status::InvalidArgument("class map is empty");
  for (size_t i = 0; i < class_map.size(); ++i) {
    if (!class_map[i].empty() && !IsWatchlineClass(class_map[i])) {
      return Status::InvalidArgument("class map entry " + std::to_string(i) + " is '" +
                                     class_map[i] +
                                     "'; expected person, vehicle, boat, animal, unknown or empty");
    }
  }
  return Status::Ok();
}

}  // namespace watchline::detect
