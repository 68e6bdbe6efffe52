#include "events/event.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace watchline::events {
namespace {

TEST(EventTest, JsonFollowsTheContractAndRoundTrips) {
  Event e;
  e.type = "line_crossing";
  e.camera = "c1";
  e.t = 12.4;
  e.track = 17;
  e.cls = "person";
  e.direction = "in";
  e.rule = "border";
  e.confidence = 0.91;
  e.box = Box{0.1, 0.2, 0.05, 0.15};
  nlohmann::json j = ToJson(e);
  EXPECT_EQ(j["type"], "line_crossing");
  EXPECT_TRUE(j["end"].is_null());
  EXPECT_TRUE(j["position"].is_null());
  EXPECT_EQ(j["class"], "person");
  EXPECT_EQ(j["box"].size(), 4u);
  EXPECT_FALSE(j.contains("id"));
  auto back = FromJson(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->type, e.type);
  EXPECT_DOUBLE_EQ(back->t, 12.4);
  EXPECT_EQ(back->track, 17);
  EXPECT_EQ(back->direction, "in");
  ASSERT_TRUE(back->box.has_value());
  EXPECT_DOUBLE_EQ(back->box->h, 0.15);
}

TEST(EventTest, FromJsonRejectsMissingType) {
  auto r = FromJson(nlohmann::json{{"t", 1.0}});
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
}

}  // namespace
}  // namespace watchline::events
