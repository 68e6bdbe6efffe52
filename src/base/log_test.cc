#include "base/log.h"

#include <gtest/gtest.h>

namespace watchline {
namespace {

TEST(LogTest, RedactUrlHidesCredentials) {
  EXPECT_EQ(RedactUrl("rtsp://admin:secret@10.0.0.5:554/stream1"), "rtsp://***@10.0.0.5:554/stream1");
  EXPECT_EQ(RedactUrl("rtsp://10.0.0.5/stream1"), "rtsp://10.0.0.5/stream1");
  EXPECT_EQ(RedactUrl("/data/clip.mp4"), "/data/clip.mp4");
  EXPECT_EQ(RedactUrl("http://u@h/x@y"), "http://***@h/x@y");
  EXPECT_EQ(RedactUrl("cannot open rtsp://a:b@h/1 (after rtsp://c:d@h/2)"),
            "cannot open rtsp://***@h/1 (after rtsp://***@h/2)");
}

}  // namespace
}  // namespace watchline
