// Regression guard: scenes built only from the keys that existed before the
// opt-in realism keys (runners, crawlers, boats, far, snow, trees, script...)
// must render byte for byte as they did, because other modules' tests and
// benchmarks depend on those stories and pixels. The hashes below were taken
// from the simulator before those keys were added.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "events/event.h"
#include "sim/effects.h"
#include "sim/scene.h"
#include "sim/sim_source.h"

namespace watchline::sim {
namespace {

uint64_t Fnv(uint64_t h, const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001B3ULL;
  return h;
}

uint64_t SceneHash(const std::string& url) {
  Result<SimOptions> o = ParseSimUrl(url);
  EXPECT_TRUE(o.ok()) << url;
  if (!o.ok()) return 0;
  Scene s = Scene::Generate(*o);
  uint64_t h = 0xCBF29CE484222325ULL;
  cv::Mat img;
  for (int k = 0; k < 12; ++k) {
    const double t = k * o->duration_s / 12 + 0.37;
    RenderWithEffects(s, t, &img);
    h = Fnv(h, img.data, img.total() * img.elemSize());
  }
  for (const auto& e : s.GroundTruthEvents()) {
    const std::string line = events::ToJsonLine(e);
    h = Fnv(h, line.data(), line.size());
  }
  return h;
}

struct Golden {
  const char* url;
  uint64_t hash;
};

TEST(GoldenScenes, DefaultKeysRenderAsBefore) {
  static const Golden kGolden[] = {
      {"sim://a?seed=1", 0xf0f0c4bf6f57e18cULL},
      {"sim://a?seed=7&people=8&duration=40", 0x50f17a76aadcf88cULL},
      {"sim://a?seed=3&night=1&vehicles=2&duration=30", 0x2a58f3dc411a7ca1ULL},
      {"sim://a?seed=5&rain=1&clouds=1&water=1&headlights=1&ir_switch=10&duration=30&width=320&height=180",
       0x26b1400a4fe32ec2ULL},
      {"sim://a?seed=9&tamper=spray&tamper_at=5&passers=4&ae_step=3", 0xe7fd1edd9427f94fULL},
  };
  for (const auto& g : kGolden) {
    const uint64_t h = SceneHash(g.url);
    if (g.hash == 0) {
      std::printf("GOLDEN {\"%s\", 0x%016llxULL},\n", g.url, static_cast<unsigned long long>(h));
      continue;
    }
    EXPECT_EQ(h, g.hash) << g.url;
  }
}

}  // namespace
}  // namespace watchline::sim
