// Terrain line of sight on a small DEM the test writes with GDAL: flat ground
// with a 50 m wall, in a transverse Mercator CRS.
#include "geometry/dem.h"

#include <gdal.h>
#include <gtest/gtest.h>
#include <cpl_conv.h>
#include <ogr_srs_api.h>
#include <unistd.h>

#include <filesystem>

namespace watchline::geometry {
namespace {

// Writes a 600 x 600 m DEM with 1 m cells centred on the frame origin
// (0 N, 3 E): zero everywhere but a wall 50 m high over x in [-20, 20],
// y in [-52, -48].
std::string WriteWallDem(const std::string& path) {
  GDALAllRegister();
  GDALDriverH drv = GDALGetDriverByName("GTiff");
  GDALDatasetH ds = GDALCreate(drv, path.c_str(), 600, 600, 1, GDT_Float32, nullptr);
  double gt[6] = {-300, 1, 0, 300, 0, -1};
  GDALSetGeoTransform(ds, gt);
  OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
  OSRSetFromUserInput(srs, "+proj=tmerc +lat_0=0 +lon_0=3 +k=1 +x_0=0 +y_0=0 +ellps=WGS84");
  char* wkt = nullptr;
  OSRExportToWkt(srs, &wkt);
  GDALSetProjection(ds, wkt);
  CPLFree(wkt);
  OSRDestroySpatialReference(srs);
  std::vector<float> z(600 * 600, 0);
  for (int row = 0; row < 600; ++row) {
    for (int col = 0; col < 600; ++col) {
      const double x = -300 + col + 0.5, y = 300 - row - 0.5;
      if (x > -20 && x < 20 && y > -52 && y < -48) z[row * 600 + col] = 50;
    }
  }
  EXPECT_EQ(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, 0, 600, 600, z.data(), 600, 600,
                         GDT_Float32, 0, 0),
            CE_None);
  GDALClose(ds);
  return path;
}

class DemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("wl_dem_test_" + std::to_string(getpid()) + ".tif"))
                .string();
    WriteWallDem(path_);
    auto f = LocalFrame::Create({0, 3});
    ASSERT_TRUE(f.ok());
    frame_ = std::move(f).value();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string path_;
  std::unique_ptr<LocalFrame> frame_;
};

TEST_F(DemTest, ElevationAndLineOfSightOverAWall) {
  auto dem = Dem::Open(path_, *frame_);
  ASSERT_TRUE(dem.ok()) << dem.status().ToString();
  EXPECT_NEAR(*(*dem)->ElevationAt({0, -50}), 50, 1e-3);
  EXPECT_NEAR(*(*dem)->ElevationAt({100, 100}), 0, 1e-6);
  EXPECT_FALSE((*dem)->ElevationAt({1000, 0}).has_value());
  const Vec2 cam{0, -100};
  EXPECT_FALSE((*dem)->LineOfSight(cam, 5, {0, 0}, 1));     // behind the wall
  EXPECT_FALSE((*dem)->LineOfSight(cam, 5, {35, 0}, 1));    // still in its shadow
  EXPECT_TRUE((*dem)->LineOfSight(cam, 5, {50, 0}, 1));     // past its end
  EXPECT_TRUE((*dem)->LineOfSight(cam, 5, {-100, 0}, 1));
  EXPECT_TRUE((*dem)->LineOfSight(cam, 120, {0, 0}, 1));    // a mast well above the wall
}

TEST_F(DemTest, MissingOrBadFilesNameThePath) {
  auto missing = Dem::Open("/nonexistent/dem.tif", *frame_);
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_NE(missing.status().message().find("/nonexistent/dem.tif"), std::string::npos);
  const std::string bad = path_ + ".txt";
  std::FILE* f = std::fopen(bad.c_str(), "w");
  std::fputs("not a raster", f);
  std::fclose(f);
  auto r = Dem::Open(bad, *frame_);
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find(bad), std::string::npos);
  std::filesystem::remove(bad);
}

}  // namespace
}  // namespace watchline::geometry
