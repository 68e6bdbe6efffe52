// Maps a detector's class ids to watchline's object classes.
//
// watchline reports five classes: person, vehicle, boat, animal, unknown (the
// event contract's "class" names, as in analysis::ClassName). A class map is
// a vector indexed by the model's class id; an empty entry means "not an
// object watchline reports" and the detector drops it.
// Thread safety: pure functions over value types.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace watchline::detect {

inline constexpr std::string_view kClassPerson = "person";
inline constexpr std::string_view kClassVehicle = "vehicle";
inline constexpr std::string_view kClassBoat = "boat";
inline constexpr std::string_view kClassAnimal = "animal";
inline constexpr std::string_view kClassUnknown = "unknown";

// True for the five names above.
bool IsWatchlineClass(std::string_view name);

// The 80 COCO classes of the usual YOLO exports: person 0 -> person;
// bicycle 1, car 2, motorcycle 3, bus 5, truck 7 -> vehicle; boat 8 -> boat;
// bird 14 .. giraffe 23 -> animal; all others (airplane, train, furniture...)
// dropped.
std::vector<std::string> CocoClassMap();

// kInvalidArgument naming the first entry that is neither empty nor a
// watchline class, or an empty map.
Status ValidateClassMap(const std::vector<std::string>& class_map);

}  // namespace watchline::detect
