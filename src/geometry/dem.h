// Terrain for line of sight: a digital elevation model read from a GeoTIFF
// (or any raster GDAL reads) in any CRS PROJ knows; a raster without a CRS is
// taken as WGS84 lon/lat. Band 1 is read whole into memory (a 30 m DEM of a
// 1,400 km x 20 km corridor is about 130 MB).
//
// Thread safety: immutable after Open; const methods may be called from
// several threads at once.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "geometry/local_frame.h"

struct PJconsts;
struct pj_ctx;

namespace watchline::geometry {

// Effective Earth radius for the sight line: 6371 km with standard
// atmospheric refraction (k = 0.13), metres.
constexpr double kEffectiveEarthRadiusM = 6371000.0 / (1 - 0.13);
// Terrain is sampled along a sight line at this share of a DEM cell.
constexpr double kLosSampleCells = 0.5;

class Dem {
 public:
  // Opens `path` for points in `frame` (which must outlive the Dem). Errors:
  // NotFound / InvalidArgument naming the file.
  static Result<std::unique_ptr<Dem>> Open(const std::string& path, const LocalFrame& frame);
  ~Dem();
  Dem(const Dem&) = delete;
  Dem& operator=(const Dem&) = delete;

  // Ground elevation (bilinear), metres; none outside the raster or on no-data.
  std::optional<double> ElevationAt(Vec2 p) const;
  // Whether the point `to_height_m` above the ground at `to` can be seen from
  // `from_height_m` above the ground at `from`. Where the DEM has no data the
  // terrain is taken as not blocking.
  bool LineOfSight(Vec2 from, double from_height_m, Vec2 to, double to_height_m) const;

  int width() const { return width_; }
  int height() const { return height_; }

 private:
  Dem() = default;
  // Continuous pixel coordinates (0,0 = centre of the top-left cell).
  std::optional<std::pair<double, double>> ToPixel(Vec2 p) const;
  std::optional<double> Sample(double u, double v) const;

  const LocalFrame* frame_ = nullptr;
  int width_ = 0, height_ = 0;
  std::vector<float> z_;
  std::optional<double> nodata_;
  double gt_[6] = {0, 1, 0, 0, 0, 1};   // GDAL geotransform
  double inv_gt_[6] = {0, 1, 0, 0, 0, 1};
  mutable std::unique_ptr<std::mutex> mu_;
  pj_ctx* ctx_ = nullptr;     // GUARDED_BY(*mu_)
  PJconsts* to_dem_ = nullptr;  // lon/lat -> DEM CRS; null when the DEM is lon/lat. GUARDED_BY(*mu_)
};

}  // namespace watchline::geometry
