// From a config to covered intervals, with and without terrain.
#include "coverage/site_model.h"

#include <cpl_conv.h>
#include <gdal.h>
#include <gtest/gtest.h>
#include <ogr_srs_api.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "coverage/geojson_export.h"
#include "coverage/test_lines.h"

namespace watchline::coverage {
namespace {

namespace fs = std::filesystem;
using testing::EqDeg;

class SiteModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("wl_site_model_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "line.geojson") << testing::StraightLineGeoJson(1000);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<config::Config> Parse(const std::string& yaml) {
    return config::ParseConfig(yaml, (dir_ / "site.yaml").string(), dir_.string());
  }

  // A 600 m DEM in the perimeter's own frame (origin at chainage 500): flat,
  // with a 50 m wall over x in [-20, 20], y in [-52, -48].
  void WriteWallDem() {
    GDALAllRegister();
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), (dir_ / "dem.tif").c_str(), 600,
                                 600, 1, GDT_Float32, nullptr);
    double gt[6] = {-300, 1, 0, 300, 0, -1};
    GDALSetGeoTransform(ds, gt);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
    const std::string def = "+proj=tmerc +lat_0=0 +lon_0=" + std::to_string(EqDeg(500)) +
                            " +k=1 +x_0=0 +y_0=0 +ellps=WGS84";
    OSRSetFromUserInput(srs, def.c_str());
    char* wkt = nullptr;
    OSRExportToWkt(srs, &wkt);
    GDALSetProjection(ds, wkt);
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    std::vector<float> z(600 * 600, 0);
    for (int row = 0; row < 600; ++row)
      for (int col = 0; col < 600; ++col) {
        const double x = -300 + col + 0.5, y = 300 - row - 0.5;
        if (x > -20 && x < 20 && y > -52 && y < -48) z[row * 600 + col] = 50;
      }
    EXPECT_EQ(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, 0, 600, 600, z.data(), 600,
                           600, GDT_Float32, 0, 0),
              CE_None);
    GDALClose(ds);
  }

  fs::path dir_;
};

// Latitude of a point `m` metres north of the equator (close enough here).
double NorthDeg(double m) { return m / 110574.0; }

TEST_F(SiteModelTest, ConfigCamerasBecomeIntervals) {
  char yaml[1024];
  std::snprintf(yaml, sizeof yaml,
                "perimeter: {geojson: line.geojson, inside: left}\n"
                "cameras:\n"
                "  - {id: c1, source: a.mp4, position: {lat: 0, lon: %.12f, heading_deg: 90, "
                "hfov_deg: 60, range_m: 300}}\n"
                "  - {id: c2, source: b.mp4, enabled: false, position: {lat: 0, lon: %.12f, "
                "heading_deg: 90, hfov_deg: 60, range_m: 300}}\n"
                "  - {id: c3, source: c.mp4}\n",
                EqDeg(100), EqDeg(350));
  auto cfg = Parse(yaml);
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  auto m = BuildSiteModel(*cfg);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ((*m)->intervals.size(), 2u);
  ASSERT_EQ((*m)->intervals[0].intervals.size(), 1u);
  EXPECT_NEAR((*m)->intervals[0].intervals[0].from_m, 100, 1e-3);
  EXPECT_NEAR((*m)->intervals[0].intervals[0].to_m, 400, 1e-3);
  EXPECT_NEAR((*m)->intervals[1].intervals[0].from_m, 350, 1e-3);
  EXPECT_NEAR((*m)->intervals[1].intervals[0].to_m, 650, 1e-3);
  EXPECT_FALSE((*m)->enabled[1]);
  ASSERT_EQ((*m)->skipped.size(), 1u);
  EXPECT_EQ((*m)->skipped[0], "c3: no position");

  const CoverageReport r = ComputeCoverage((*m)->perimeter->length_m(), (*m)->intervals);
  const nlohmann::json gj = CoverageGeoJson(**m, r);
  EXPECT_EQ(gj["type"], "FeatureCollection");
  int footprints = 0, covered = 0, gaps = 0, single = 0;
  for (const auto& f : gj["features"]) {
    const std::string kind = f["properties"]["kind"];
    footprints += kind == "footprint";
    covered += kind == "covered";
    gaps += kind == "gap";
    single += kind == "single_camera";
  }
  EXPECT_EQ(footprints, 2);
  EXPECT_EQ(covered, 3);  // k = 1, 2, 1
  EXPECT_EQ(gaps, 2);
  EXPECT_EQ(single, 2);
}

TEST_F(SiteModelTest, TerrainHidesTheStretchBehindAWall) {
  WriteWallDem();
  char yaml[1024];
  std::snprintf(yaml, sizeof yaml,
                "perimeter: {geojson: line.geojson, inside: left, dem: dem.tif}\n"
                "coverage: {target_height_m: 1, los_step_m: 2}\n"
                "cameras:\n"
                "  - {id: c1, source: a.mp4, position: {lat: %.12f, lon: %.12f, height_m: 5, "
                "heading_deg: 0, hfov_deg: 120, range_m: 300}}\n",
                -NorthDeg(100), EqDeg(500));
  auto cfg = Parse(yaml);
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  auto m = BuildSiteModel(*cfg);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const auto& iv = (*m)->intervals[0].intervals;
  ASSERT_EQ(iv.size(), 2u);
  // The sector's edges reach the line at +- 100 tan(60); the wall's shadow,
  // cast from 5 m onto 1 m targets, is about +- 20 / 0.48 (+ a cell of
  // interpolation) around the camera's foot.
  const double edge = 100 * std::tan(60 * testing::kPi / 180);
  EXPECT_NEAR(iv[0].from_m, 500 - edge, 0.2);
  EXPECT_NEAR(iv[0].to_m, 500 - 42.5, 1.5);
  EXPECT_NEAR(iv[1].from_m, 500 + 42.5, 1.5);
  EXPECT_NEAR(iv[1].to_m, 500 + edge, 0.2);
}

TEST_F(SiteModelTest, BadInputNamesTheFileOrCamera) {
  auto cfg = Parse("perimeter: {geojson: missing.geojson}\n");
  ASSERT_TRUE(cfg.ok());
  auto m = BuildSiteModel(*cfg);
  EXPECT_TRUE(m.status().IsNotFound());
  EXPECT_NE(m.status().message().find("missing.geojson"), std::string::npos);

  cfg = Parse(
      "perimeter: {geojson: line.geojson}\n"
      "cameras:\n"
      "  - {id: c7, source: a.mp4, position: {lat: 0, lon: 0, model: no-such-camera}}\n");
  ASSERT_TRUE(cfg.ok());
  m = BuildSiteModel(*cfg);
  EXPECT_TRUE(m.status().IsInvalidArgument());
  EXPECT_NE(m.status().message().find("camera 'c7'"), std::string::npos) << m.status().message();
  EXPECT_NE(m.status().message().find("no-such-camera"), std::string::npos);

  cfg = Parse("cameras: []\n");
  ASSERT_TRUE(cfg.ok());
  EXPECT_TRUE(BuildSiteModel(*cfg).status().IsInvalidArgument());
}

}  // namespace
}  // namespace watchline::coverage
