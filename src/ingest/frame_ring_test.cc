#include "ingest/frame_ring.h"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace watchline::ingest {
namespace {

FramePtr MakeFrame(int64_t index) {
  auto f = std::make_shared<Frame>();
  f->index = index;
  f->t = index * 0.1;
  return f;
}

TEST(FrameRingTest, PopsInOrder) {
  FrameRing ring(4);
  ring.Push(MakeFrame(1));
  ring.Push(MakeFrame(2));
  EXPECT_EQ(ring.size(), 2u);
  FramePtr f;
  ASSERT_TRUE(ring.Pop(&f, 0));
  EXPECT_EQ(f->index, 1);
  ASSERT_TRUE(ring.Pop(&f, 0));
  EXPECT_EQ(f->index, 2);
  EXPECT_EQ(ring.size(), 0u);
  EXPECT_EQ(ring.dropped(), 0u);
}

TEST(FrameRingTest, FullRingDropsOldestAndCounts) {
  FrameRing ring(3);
  for (int i = 1; i <= 5; ++i) ring.Push(MakeFrame(i));
  EXPECT_EQ(ring.size(), 3u);
  EXPECT_EQ(ring.dropped(), 2u);
  FramePtr f;
  for (int expected = 3; expected <= 5; ++expected) {
    ASSERT_TRUE(ring.Pop(&f, 0));
    EXPECT_EQ(f->index, expected);
  }
  EXPECT_FALSE(ring.Pop(&f, 0));
}

TEST(FrameRingTest, ZeroCapacityHoldsOneFrame) {
  FrameRing ring(0);
  EXPECT_EQ(ring.capacity(), 1u);
  ring.Push(MakeFrame(1));
  ring.Push(MakeFrame(2));
  EXPECT_EQ(ring.dropped(), 1u);
  FramePtr f;
  ASSERT_TRUE(ring.Pop(&f, 0));
  EXPECT_EQ(f->index, 2);
}

TEST(FrameRingTest, PushWaitBlocksWhileFullAndNeverDrops) {
  FrameRing ring(2);
  std::stop_source stop;
  ASSERT_TRUE(ring.PushWait(MakeFrame(1), stop.get_token()));
  ASSERT_TRUE(ring.PushWait(MakeFrame(2), stop.get_token()));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    EXPECT_TRUE(ring.PushWait(MakeFrame(3), stop.get_token()));
    pushed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(pushed.load()) << "a full ring must make PushWait wait";
  FramePtr f;
  ASSERT_TRUE(ring.Pop(&f, 0));
  EXPECT_EQ(f->index, 1);
  producer.join();
  EXPECT_TRUE(pushed.load());
  EXPECT_EQ(ring.dropped(), 0u);
  ASSERT_TRUE(ring.Pop(&f, 0));
  EXPECT_EQ(f->index, 2);
  ASSERT_TRUE(ring.Pop(&f, 0));
  EXPECT_EQ(f->index, 3);
}

TEST(FrameRingTest, PushWaitGivesUpOnCloseAndOnStop) {
  FrameRing ring(1);
  std::stop_source stop;
  ASSERT_TRUE(ring.PushWait(MakeFrame(1), stop.get_token()));
  std::thread stopped([&] { EXPECT_FALSE(ring.PushWait(MakeFrame(2), stop.get_token())); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  stop.request_stop();
  stopped.join();
  std::stop_source other;
  std::thread closed([&] { EXPECT_FALSE(ring.PushWait(MakeFrame(3), other.get_token())); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ring.Close();
  closed.join();
  EXPECT_EQ(ring.size(), 1u);
}

TEST(FrameRingTest, PopTimesOutWhenEmpty) {
  FrameRing ring(2);
  FramePtr f;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(ring.Pop(&f, 0.05));
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(waited, 0.04);  // it did wait (a lower bound, not a speed target)
  EXPECT_EQ(f, nullptr);
}

TEST(FrameRingTest, PopWakesOnPush) {
  FrameRing ring(2);
  std::jthread producer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ring.Push(MakeFrame(7));
  });
  FramePtr f;
  ASSERT_TRUE(ring.Pop(&f, 30));
  EXPECT_EQ(f->index, 7);
}

TEST(FrameRingTest, CloseUnblocksWaitingPop) {
  FrameRing ring(2);
  bool popped = true;
  std::jthread consumer([&] {
    FramePtr f;
    popped = ring.Pop(&f, 30);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto start = std::chrono::steady_clock::now();
  ring.Close();
  consumer.join();
  EXPECT_FALSE(popped);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10.0);
  EXPECT_TRUE(ring.closed());
}

TEST(FrameRingTest, ClosedRingHandsOutWhatItHoldsAndRefusesMore) {
  FrameRing ring(4);
  ring.Push(MakeFrame(1));
  ring.Close();
  ring.Push(MakeFrame(2));
  EXPECT_EQ(ring.size(), 1u);
  EXPECT_EQ(ring.dropped(), 0u);
  FramePtr f;
  ASSERT_TRUE(ring.Pop(&f, 1));
  EXPECT_EQ(f->index, 1);
  EXPECT_FALSE(ring.Pop(&f, 1));
}

}  // namespace
}  // namespace watchline::ingest
