#include "base/status.h"

#include <gtest/gtest.h>

namespace watchline {
namespace {

Result<int> Half(int v) {
  if (v % 2) return Status::InvalidArgument("odd value " + std::to_string(v));
  return v / 2;
}

Status Quarter(int v, int* out) {
  WL_ASSIGN_OR_RETURN(int h, Half(v));
  WL_ASSIGN_OR_RETURN(int q, Half(h));
  *out = q;
  return Status::Ok();
}

TEST(StatusTest, ExitCodesSeparateBadInputFromFailures) {
  EXPECT_EQ(Status::Ok().ExitCode(), 0);
  EXPECT_EQ(Status::InvalidArgument("x").ExitCode(), 2);
  EXPECT_EQ(Status::NotFound("x").ExitCode(), 2);
  EXPECT_EQ(Status::Corruption("x").ExitCode(), 2);
  EXPECT_EQ(Status::IOError("x").ExitCode(), 1);
  EXPECT_EQ(Status::Unavailable("x").ExitCode(), 1);
  EXPECT_EQ(Status::Internal("x").ExitCode(), 1);
}

TEST(StatusTest, ResultPropagatesTheFirstError) {
  int out = 0;
  EXPECT_TRUE(Quarter(12, &out).ok());
  EXPECT_EQ(out, 3);
  Status s = Quarter(6, &out);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "odd value 3");
  EXPECT_EQ(s.WithContext("cam c1").ToString(), "invalid argument: cam c1: odd value 3");
}

}  // namespace
}  // namespace watchline
