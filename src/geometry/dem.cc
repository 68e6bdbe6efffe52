#include "geometry/dem.h"

#include <gdal.h>
#include <proj.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <mutex>

namespace watchline::geometry {
namespace {

std::once_flag gdal_once;

}  // namespace

Result<std::unique_ptr<Dem>> Dem::Open(const std::string& path, const LocalFrame& frame) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::NotFound("DEM not found: " + path);
  std::call_once(gdal_once, [] { GDALAllRegister(); });
  GDALDatasetH ds = GDALOpen(path.c_str(), GA_ReadOnly);
  if (!ds) return Status::InvalidArgument("DEM " + path + ": GDAL cannot read it as a raster");
  std::unique_ptr<Dem> dem(new Dem());
  dem->frame_ = &frame;
  dem->mu_ = std::make_unique<std::mutex>();
  auto fail = [&](const std::string& msg) {
    GDALClose(ds);
    return Status::InvalidArgument("DEM " + path + ": " + msg);
  };
  if (GDALGetRasterCount(ds) < 1) return fail("has no raster band");
  if (GDALGetGeoTransform(ds, dem->gt_) != CE_None) return fail("has no geotransform");
  if (!GDALInvGeoTransform(dem->gt_, dem->inv_gt_)) return fail("has a singular geotransform");
  dem->width_ = GDALGetRasterXSize(ds);
  dem->height_ = GDALGetRasterYSize(ds);
  GDALRasterBandH band = GDALGetRasterBand(ds, 1);
  int has_nodata = 0;
  const double nd = GDALGetRasterNoDataValue(band, &has_nodata);
  if (has_nodata) dem->nodata_ = nd;
  dem->z_.resize(static_cast<size_t>(dem->width_) * dem->height_);
  if (GDALRasterIO(band, GF_Read, 0, 0, dem->width_, dem->height_, dem->z_.data(), dem->width_,
                   dem->height_, GDT_Float32, 0, 0) != CE_None)
    return fail("cannot read band 1");
  const char* wkt = GDALGetProjectionRef(ds);
  const std::string crs = wkt ? wkt : "";
  GDALClose(ds);

  dem->ctx_ = proj_context_create();
  proj_log_level(dem->ctx_, PJ_LOG_NONE);
  if (!crs.empty()) {
    PJ* raw = proj_create_crs_to_crs(dem->ctx_, "EPSG:4326", crs.c_str(), nullptr);
    if (!raw)
      return Status::InvalidArgument("DEM " + path + ": PROJ cannot transform WGS84 to its CRS");
    PJ* norm = proj_normalize_for_visualization(dem->ctx_, raw);  // lon, lat order in and out
    proj_destroy(raw);
    if (!norm) return Status::InvalidArgument("DEM " + path + ": PROJ cannot normalise its CRS");
    dem->to_dem_ = norm;
  }
  return dem;
}

Dem::~Dem() {
  if (to_dem_) proj_destroy(to_dem_);
  if (ctx_) proj_context_destroy(ctx_);
}

std::optional<std::pair<double, double>> Dem::ToPixel(Vec2 p) const {
  const LatLon ll = frame_->ToLatLon(p);
  double x = ll.lon, y = ll.lat;
  if (to_dem_) {
    std::lock_guard<std::mutex> lock(*mu_);
    PJ_COORD c = proj_trans(to_dem_, PJ_FWD, proj_coord(ll.lon, ll.lat, 0, 0));
    if (!std::isfinite(c.xy.x) || !std::isfinite(c.xy.y)) return std::nullopt;
    x = c.xy.x;
    y = c.xy.y;
  }
  const double col = inv_gt_[0] + inv_gt_[1] * x + inv_gt_[2] * y;
  const double row = inv_gt_[3] + inv_gt_[4] * x + inv_gt_[5] * y;
  return std::make_pair(col - 0.5, row - 0.5);
}

std::optional<double> Dem::Sample(double u, double v) const {
  if (!(u >= -0.5 && v >= -0.5 && u <= width_ - 0.5 && v <= height_ - 0.5)) return std::nullopt;
  const int x0 = std::clamp(static_cast<int>(std::floor(u)), 0, width_ - 1);
  const int y0 = std::clamp(static_cast<int>(std::floor(v)), 0, height_ - 1);
  const int x1 = std::min(x0 + 1, width_ - 1), y1 = std::min(y0 + 1, height_ - 1);
  const double fx = std::clamp(u - x0, 0.0, 1.0), fy = std::clamp(v - y0, 0.0, 1.0);
  auto at = [&](int x, int y) -> std::optional<double> {
    const double z = z_[static_cast<size_t>(y) * width_ + x];
    if (!std::isfinite(z) || (nodata_ && z == *nodata_)) return std::nullopt;
    return z;
  };
  auto a = at(x0, y0), b = at(x1, y0), c = at(x0, y1), d = at(x1, y1);
  if (!a || !b || !c || !d) return std::nullopt;
  return (*a * (1 - fx) + *b * fx) * (1 - fy) + (*c * (1 - fx) + *d * fx) * fy;
}

std::optional<double> Dem::ElevationAt(Vec2 p) const {
  auto px = ToPixel(p);
  if (!px) return std::nullopt;
  return Sample(px->first, px->second);
}

bool Dem::LineOfSight(Vec2 from, double from_height_m, Vec2 to, double to_height_m) const {
  auto pf = ToPixel(from), pt = ToPixel(to);
  if (!pf || !pt) return true;
  const auto zf = Sample(pf->first, pf->second), zt = Sample(pt->first, pt->second);
  const double hf = zf.value_or(0) + from_height_m, ht = zt.value_or(0) + to_height_m;
  const double du = pt->first - pf->first, dv = pt->second - pf->second;
  const double cells = std::hypot(du, dv);
  const int n = static_cast<int>(std::ceil(cells / kLosSampleCells));
  const double dist = Norm(to - from);
  for (int i = 1; i < n; ++i) {
    const double t = static_cast<double>(i) / n;
    const auto z = Sample(pf->first + t * du, pf->second + t * dv);
    if (!z) continue;
    const double bulge = t * (1 - t) * dist * dist / (2 * kEffectiveEarthRadiusM);
    if (*z + bulge > hf + t * (ht - hf)) return false;
  }
  return true;
}

}  // namespace watchline::geometry
