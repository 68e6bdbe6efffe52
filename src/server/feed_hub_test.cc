#include "server/feed_hub.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "store/sqlite_store.h"

namespace watchline::server {
namespace {

events::Event Ev(int i) {
  events::Event e;
  e.type = "line_crossing";
  e.camera = "c1";
  e.t = i;
  e.wall = 1.7e9 + i;
  return e;
}

class FeedHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("feed_hub_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto s = store::OpenSqliteStore((dir_ / "w.db").string());
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(FeedHubTest, WaitReturnsChangesAfterTheGivenSeqInOrder) {
  for (int i = 0; i < 3; ++i) {
    auto e = Ev(i);
    ASSERT_TRUE(store_->Append(&e).ok());
  }
  FeedHub hub(store_.get());
  ASSERT_TRUE(hub.Start().ok());
  EXPECT_EQ(hub.last_seq(), 3);
  auto e = Ev(9);
  ASSERT_TRUE(store_->Append(&e).ok());
  ASSERT_TRUE(store_->SetEnd(e.id, 12).ok());
  hub.Notify();
  for (int i = 0; i < 500 && hub.last_seq() < 5; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(hub.last_seq(), 5);
  // From before the hub started: served from the store.
  auto all = hub.Wait(0, 5);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 5u);
  for (size_t i = 0; i < all->size(); ++i) EXPECT_EQ((*all)[i].seq, static_cast<int64_t>(i + 1));
  EXPECT_EQ((*all)[3].kind, "event");
  EXPECT_EQ((*all)[4].kind, "update");
  EXPECT_EQ((*all)[4].event_id, e.id);
  // From memory.
  auto tail = hub.Wait(4, 5);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 1u);
  EXPECT_EQ(tail->front().seq, 5);
}

TEST_F(FeedHubTest, WaiterWakesOnNotifyAndStopReleasesIt) {
  FeedHub hub(store_.get());
  ASSERT_TRUE(hub.Start().ok());
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto e = Ev(1);
    ASSERT_TRUE(store_->Append(&e).ok());
    hub.Notify();
  });
  auto got = hub.Wait(0, 30);
  writer.join();
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    hub.Stop();
  });
  auto none = hub.Wait(1, 30);
  stopper.join();
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_TRUE(hub.stopped());
}

}  // namespace
}  // namespace watchline::server
