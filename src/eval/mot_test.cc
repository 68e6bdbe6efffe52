#include "eval/mot.h"

#include <gtest/gtest.h>

namespace watchline::eval {
namespace {

MotBox B(int frame, int id, double x, double y = 0, double w = 10, double h = 10) {
  return {frame, id, x, y, w, h};
}

TEST(BoxIoUTest, HalfShiftedBox) {
  EXPECT_NEAR(BoxIoU(B(1, 1, 0), B(1, 2, 5)), 50.0 / 150.0, 1e-12);
  EXPECT_EQ(BoxIoU(B(1, 1, 0), B(1, 2, 20)), 0.0);
}

TEST(EvaluateMotTest, PerfectTrackingWithOtherIds) {
  std::vector<MotBox> gt = {B(1, 1, 0), B(2, 1, 5), B(3, 1, 10), B(1, 2, 100), B(2, 2, 100)};
  std::vector<MotBox> hyp = {B(1, 7, 0), B(2, 7, 5), B(3, 7, 10), B(1, 3, 100), B(2, 3, 100)};
  const MotMetrics m = EvaluateMot(gt, hyp);
  EXPECT_EQ(m.tp, 5);
  EXPECT_EQ(m.fp + m.fn + m.idsw, 0);
  EXPECT_DOUBLE_EQ(m.mota, 1.0);
  EXPECT_DOUBLE_EQ(m.idf1, 1.0);
  EXPECT_DOUBLE_EQ(m.motp, 1.0);
  EXPECT_EQ(m.mostly_tracked, 2);
}

TEST(EvaluateMotTest, IdSwitch) {
  // One person over 4 frames; the tracker gives id 1 then id 2.
  std::vector<MotBox> gt = {B(1, 1, 0), B(2, 1, 0), B(3, 1, 0), B(4, 1, 0)};
  std::vector<MotBox> hyp = {B(1, 1, 0), B(2, 1, 0), B(3, 2, 0), B(4, 2, 0)};
  const MotMetrics m = EvaluateMot(gt, hyp);
  EXPECT_EQ(m.tp, 4);
  EXPECT_EQ(m.idsw, 1);
  EXPECT_DOUBLE_EQ(m.mota, 0.75);  // 1 - 1/4
  // One gt id maps to one hypothesis id: 2 frames IDTP, 2 IDFN, 2 IDFP.
  EXPECT_EQ(m.idtp, 2);
  EXPECT_EQ(m.idfn, 2);
  EXPECT_EQ(m.idfp, 2);
  EXPECT_DOUBLE_EQ(m.idf1, 0.5);  // 4 / (4 + 2 + 2)
}

TEST(EvaluateMotTest, MissedFrame) {
  std::vector<MotBox> gt = {B(1, 1, 0), B(2, 1, 0), B(3, 1, 0), B(4, 1, 0)};
  std::vector<MotBox> hyp = {B(1, 5, 0), B(2, 5, 0), B(4, 5, 0)};
  const MotMetrics m = EvaluateMot(gt, hyp);
  EXPECT_EQ(m.fn, 1);
  EXPECT_EQ(m.idsw, 0);  // same id after the gap
  EXPECT_DOUBLE_EQ(m.mota, 0.75);
  EXPECT_DOUBLE_EQ(m.recall, 0.75);
  EXPECT_DOUBLE_EQ(m.precision, 1.0);
  EXPECT_NEAR(m.idf1, 6.0 / 7.0, 1e-12);  // IDTP 3, IDFN 1, IDFP 0
}

TEST(EvaluateMotTest, FalsePositive) {
  std::vector<MotBox> gt = {B(1, 1, 0), B(2, 1, 0)};
  std::vector<MotBox> hyp = {B(1, 1, 0), B(2, 1, 0), B(2, 9, 200)};
  const MotMetrics m = EvaluateMot(gt, hyp);
  EXPECT_EQ(m.fp, 1);
  EXPECT_DOUBLE_EQ(m.mota, 0.5);  // 1 - 1/2
  EXPECT_NEAR(m.precision, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(m.idf1, 0.8, 1e-12);  // IDTP 2, IDFP 1: 4 / 5
}

TEST(EvaluateMotTest, LowOverlapIsAMissAndAFalsePositive) {
  // IoU 1/3 < 0.5: not a match.
  const MotMetrics m = EvaluateMot({B(1, 1, 0)}, {B(1, 1, 5)});
  EXPECT_EQ(m.tp, 0);
  EXPECT_EQ(m.fn, 1);
  EXPECT_EQ(m.fp, 1);
  EXPECT_DOUBLE_EQ(m.mota, -1.0);
  EXPECT_EQ(m.idf1, 0.0);
}

TEST(EvaluateMotTest, KeepsAValidEarlierMatchOverABetterNewOne) {
  // Hypothesis 1 (IoU 90/110 with the person) was matched on frame 1; on
  // frame 2 hypothesis 2 fits exactly, but the earlier match still passes,
  // so it is kept: no ID switch, and hypothesis 2 is a false positive.
  std::vector<MotBox> gt = {B(1, 1, 0), B(2, 1, 0)};
  std::vector<MotBox> hyp = {B(1, 1, 1), B(2, 1, 1), B(2, 2, 0)};
  const MotMetrics m = EvaluateMot(gt, hyp);
  EXPECT_EQ(m.tp, 2);
  EXPECT_EQ(m.idsw, 0);
  EXPECT_EQ(m.fp, 1);
}

TEST(EvaluateMotTest, CrossingPeopleSwapIds) {
  // Two people pass; the tracker swaps their ids on frame 3.
  std::vector<MotBox> gt = {B(1, 1, 0), B(2, 1, 20), B(3, 1, 40),
                            B(1, 2, 100), B(2, 2, 80), B(3, 2, 60)};
  std::vector<MotBox> hyp = {B(1, 10, 0), B(2, 10, 20), B(3, 11, 40),
                             B(1, 11, 100), B(2, 11, 80), B(3, 10, 60)};
  const MotMetrics m = EvaluateMot(gt, hyp);
  EXPECT_EQ(m.tp, 6);
  EXPECT_EQ(m.idsw, 2);
  EXPECT_NEAR(m.mota, 1.0 - 2.0 / 6.0, 1e-12);
  EXPECT_EQ(m.idtp, 4);
  EXPECT_NEAR(m.idf1, 8.0 / 12.0, 1e-12);
}

}  // namespace
}  // namespace watchline::eval
