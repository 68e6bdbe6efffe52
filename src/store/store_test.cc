// The behavioural suite every Store backend must pass (see store_test.h).
#include "store/store_test.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

namespace watchline::store {

// ---------------------------------------------------------------- helpers

ScopedTempDir::ScopedTempDir() {
  std::string tmpl = (std::filesystem::path(::testing::TempDir()) / "wl_store_XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  if (made == nullptr) {
    ADD_FAILURE() << "mkdtemp " << tmpl << ": " << std::strerror(errno);
  } else {
    path_ = made;
  }
}

ScopedTempDir::~ScopedTempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

events::Event MakeEvent(int64_t i) {
  static const char* const kTypes[] = {"line_crossing", "zone_intrusion", "camera_occluded",
                                       "loitering"};
  events::Event e;
  e.type = kTypes[i % 4];
  e.camera = "c" + std::to_string(i % 7);
  e.t = 0.1 * static_cast<double>(i) + 1.0 / 3.0;
  if (i % 5 == 0) e.end = e.t + 2.5;
  const bool health = e.IsHealth();
  e.track = health ? -1 : i * 3 + 1;
  e.cls = health ? "" : (i % 2 ? "person" : "vehicle");
  e.direction = e.type == "line_crossing" ? (i % 2 ? "in" : "out") : "";
  e.rule = health ? "" : "border";
  e.confidence = static_cast<double>(i % 100) / 100.0 + 1e-3;
  if (i % 3 != 0)
    e.box = events::Box{0.1 + static_cast<double>(i % 1000) * 1e-4, 0.2, 0.05, 1.0 / 7};
  if (i % 2 == 0) {
    e.position =
        events::LatLon{40.1 + static_cast<double>(i) * 1e-7, 124.4 - static_cast<double>(i) * 1e-7};
  }
  e.wall = 1.7e9 + static_cast<double>(i) * 0.25;
  if (health) e.detail = "lens covered: edge energy 0.12 (was 0.80), operator's \"note\"";
  return e;
}

::testing::AssertionResult SameEvent(const events::Event& want, const events::Event& got) {
  std::ostringstream diff;
  auto field = [&](const char* name, const auto& a, const auto& b) {
    if (!(a == b)) diff << " " << name;
  };
  field("id", want.id, got.id);
  field("type", want.type, got.type);
  field("camera", want.camera, got.camera);
  field("t", want.t, got.t);
  field("end", want.end, got.end);
  field("track", want.track, got.track);
  field("class", want.cls, got.cls);
  field("direction", want.direction, got.direction);
  field("rule", want.rule, got.rule);
  field("confidence", want.confidence, got.confidence);
  field("box.present", want.box.has_value(), got.box.has_value());
  if (want.box && got.box) {
    field("box.x", want.box->x, got.box->x);
    field("box.y", want.box->y, got.box->y);
    field("box.w", want.box->w, got.box->w);
    field("box.h", want.box->h, got.box->h);
  }
  field("position.present", want.position.has_value(), got.position.has_value());
  if (want.position && got.position) {
    field("position.lat", want.position->lat, got.position->lat);
    field("position.lon", want.position->lon, got.position->lon);
  }
  field("wall", want.wall, got.wall);
  field("detail", want.detail, got.detail);
  if (diff.str().empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "fields differ:" << diff.str() << "\n  want " << events::ToJsonLine(want) << "\n  got  "
         << events::ToJsonLine(got);
}

namespace {

std::vector<int64_t> Ids(const std::vector<events::Event>& evs) {
  std::vector<int64_t> ids;
  for (const auto& e : evs) ids.push_back(e.id);
  return ids;
}

// Appends MakeEvent(0..n-1) and returns them with their ids.
std::vector<events::Event> AppendN(Store* store, int n) {
  std::vector<events::Event> out;
  for (int i = 0; i < n; ++i) {
    events::Event e = MakeEvent(i);
    Status s = store->Append(&e);
    EXPECT_TRUE(s.ok()) << s.ToString();
    out.push_back(e);
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------- StoreTest

TEST_P(StoreTest, AppendAssignsIncreasingIdsAndGetReturnsEveryField) {
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::vector<events::Event> stored = AppendN(store->get(), 40);
  for (size_t i = 0; i < stored.size(); ++i) {
    ASSERT_GT(stored[i].id, 0);
    if (i > 0) {
      EXPECT_GT(stored[i].id, stored[i - 1].id);
    }
    auto got = (*store)->Get(stored[i].id);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(SameEvent(stored[i], *got));
  }
  auto n = (*store)->Count();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 40);
}

TEST_P(StoreTest, EventWithoutOptionalFieldsRoundTrips) {
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  events::Event e;
  e.type = "camera_offline";
  e.camera = "c-1";
  e.t = -0.0;  // a clip may start before its first keyframe
  ASSERT_TRUE((*store)->Append(&e).ok());
  auto got = (*store)->Get(e.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(SameEvent(e, *got));
  EXPECT_FALSE(got->end.has_value());
  EXPECT_FALSE(got->box.has_value());
  EXPECT_FALSE(got->position.has_value());
  EXPECT_EQ(got->track, -1);
}

TEST_P(StoreTest, TextNeedingQuotesAndUnicodeRoundTrips) {
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  events::Event e = MakeEvent(2);
  e.camera = "cam'; DROP TABLE events; --";
  e.rule = "берег-1";
  e.detail = std::string("nul\0inside", 10);
  ASSERT_TRUE((*store)->Append(&e).ok());
  auto got = (*store)->Get(e.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(SameEvent(e, *got));
  EventFilter f;
  f.camera = e.camera;
  auto q = (*store)->Query(f);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(Ids(*q), std::vector<int64_t>{e.id});
}

TEST_P(StoreTest, AppendRejectsInvalidEventsAndStoresNothing) {
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::vector<events::Event> bad(6, MakeEvent(1));
  bad[0].id = 7;
  bad[1].type = "";
  bad[2].camera = "";
  bad[3].t = std::nan("");
  bad[4].end = INFINITY;
  bad[5].box = events::Box{0.1, std::nan(""), 0.1, 0.1};
  for (size_t i = 0; i < bad.size(); ++i) {
    const int64_t id_before = bad[i].id;
    Status s = (*store)->Append(&bad[i]);
    EXPECT_TRUE(s.IsInvalidArgument()) << "case " << i << ": " << s.ToString();
    EXPECT_EQ(bad[i].id, id_before) << "case " << i;
  }
  EXPECT_NE((*store)->Append(&bad[2]).message().find("camera"), std::string::npos);
  auto n = (*store)->Count();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
}

TEST_P(StoreTest, GetOfAbsentIdIsNotFoundNamingTheId) {
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  AppendN(store->get(), 3);
  auto got = (*store)->Get(424242);
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.status().IsNotFound()) << got.status().ToString();
  EXPECT_NE(got.status().message().find("424242"), std::string::npos);
}

TEST_P(StoreTest, QueryFiltersByCameraTypeWallAndOpenState) {
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::vector<events::Event> all = AppendN(store->get(), 100);
  std::map<int64_t, events::Event> by_id;
  for (const auto& e : all) by_id[e.id] = e;
  // The expected answer of each filter, computed from the events themselves.
  auto expect = [&](const EventFilter& f, auto pred, const char* what) {
    std::vector<int64_t> want;
    for (const auto& e : all) {
      if (e.id > f.after_id && pred(e)) want.push_back(e.id);
    }
    if (static_cast<int>(want.size()) > f.limit) want.resize(f.limit);
    auto got = (*store)->Query(f);
    ASSERT_TRUE(got.ok()) << what << ": " << got.status().ToString();
    EXPECT_EQ(Ids(*got), want) << what;
    EXPECT_FALSE(want.empty()) << what << ": the filter should match something";
    for (const auto& g : *got) EXPECT_TRUE(SameEvent(by_id.at(g.id), g)) << what;
  };
  EventFilter f;
  f.limit = 1000;
  f.camera = "c3";
  expect(
      f, [](const events::Event& e) { return e.camera == "c3"; }, "camera");
  f = EventFilter{};
  f.limit = 1000;
  f.type = "camera_occluded";
  expect(
      f, [](const events::Event& e) { return e.type == "camera_occluded"; }, "type");
  f = EventFilter{};
  f.limit = 1000;
  f.from_wall = 1.7e9 + 10 * 0.25;  // event 10 exactly: inclusive
  f.to_wall = 1.7e9 + 20 * 0.25;    // event 20 exactly: exclusive
  expect(
      f, [&](const events::Event& e) { return e.wall >= *f.from_wall && e.wall < *f.to_wall; },
      "wall range");
  f = EventFilter{};
  f.limit = 1000;
  f.open_only = true;
  expect(
      f, [](const events::Event& e) { return !e.end.has_value(); }, "open");
  f.open_only = false;
  expect(
      f, [](const events::Event& e) { return e.end.has_value(); }, "closed");
  f = EventFilter{};
  f.limit = 3;
  f.camera = "c1";
  f.type = "zone_intrusion";
  f.open_only = true;
  f.from_wall = 1.7e9;
  expect(
      f,
      [](const events::Event& e) {
        return e.camera == "c1" && e.type == "zone_intrusion" && !e.end;
      },
      "combined with limit");
}

TEST_P(StoreTest, QueryReturnsFullEventsInIdOrder) {
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::vector<events::Event> all = AppendN(store->get(), 30);
  EventFilter f;
  f.camera = "c2";
  auto got = (*store)->Query(f);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  size_t j = 0;
  for (const auto& e : all) {
    if (e.camera != "c2") continue;
    ASSERT_LT(j, got->size());
    EXPECT_TRUE(SameEvent(e, (*got)[j]));
    ++j;
  }
  EXPECT_EQ(j, got->size());
}

TEST_P(StoreTest, QueryPagesWithAfterIdWithoutGapsOrRepeats) {
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::vector<events::Event> all = AppendN(store->get(), 250);
  EventFilter f;
  f.limit = 100;
  std::vector<int64_t> seen;
  std::vector<size_t> page_sizes;
  for (int page = 0; page < 10; ++page) {
    auto got = (*store)->Query(f);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    page_sizes.push_back(got->size());
    if (got->empty()) break;
    for (const auto& e : *got) seen.push_back(e.id);
    f.after_id = got->back().id;
  }
  EXPECT_EQ(page_sizes, (std::vector<size_t>{100, 100, 50, 0}));
  EXPECT_EQ(seen, Ids(all));
}

TEST_P(StoreTest, QueryRejectsBadLimitsAndRanges) {
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  for (int limit : {0, -1, kMaxQueryLimit + 1}) {
    EventFilter f;
    f.limit = limit;
    auto got = (*store)->Query(f);
    ASSERT_FALSE(got.ok()) << "limit " << limit;
    EXPECT_TRUE(got.status().IsInvalidArgument()) << got.status().ToString();
  }
  EventFilter f;
  f.from_wall = std::nan("");
  EXPECT_TRUE((*store)->Query(f).status().IsInvalidArgument());
  f = EventFilter{};
  f.limit = kMaxQueryLimit;
  EXPECT_TRUE((*store)->Query(f).ok());
}

TEST_P(StoreTest, SetEndClosesConditionDurably) {
  int64_t id = 0;
  {
    auto store = Open();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    events::Event e = MakeEvent(2);  // camera_occluded
    e.end.reset();
    ASSERT_TRUE((*store)->Append(&e).ok());
    id = e.id;
    EventFilter open;
    open.open_only = true;
    EXPECT_EQ(Ids(*(*store)->Query(open)), std::vector<int64_t>{id});
    Status s = (*store)->SetEnd(id, e.t + 12.5);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE((*store)->Query(open)->empty());
  }
  auto store = Open();  // reopened: the end was committed
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto got = (*store)->Get(id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->end.has_value());
  EXPECT_EQ(*got->end, MakeEvent(2).t + 12.5);
  // Moving the end again is allowed (a condition that flickered back).
  ASSERT_TRUE((*store)->SetEnd(id, got->t + 20).ok());
  EXPECT_EQ(*(*store)->Get(id)->end, got->t + 20);
}

TEST_P(StoreTest, SetEndRejectsAbsentIdAndImpossibleEnds) {
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  events::Event e = MakeEvent(2);
  e.end.reset();
  ASSERT_TRUE((*store)->Append(&e).ok());
  Status s = (*store)->SetEnd(e.id + 1000, e.t + 1);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.message().find(std::to_string(e.id + 1000)), std::string::npos) << s.message();
  s = (*store)->SetEnd(e.id, e.t - 1);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  s = (*store)->SetEnd(e.id, std::nan(""));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_FALSE((*store)->Get(e.id)->end.has_value());
  EXPECT_TRUE((*store)->SetEnd(e.id, e.t).ok());  // zero-length is legal
}

TEST_P(StoreTest, EverythingSurvivesCloseAndReopenAndIdsKeepIncreasing) {
  std::vector<events::Event> first;
  {
    auto store = Open();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    first = AppendN(store->get(), 20);
  }
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(*(*store)->Count(), 20);
  for (const auto& e : first) EXPECT_TRUE(SameEvent(e, *(*store)->Get(e.id)));
  events::Event next = MakeEvent(99);
  ASSERT_TRUE((*store)->Append(&next).ok());
  EXPECT_GT(next.id, first.back().id);
}

TEST_P(StoreTest, CameraStateUpsertReplacesAndListIsOrderedByCamera) {
  {
    auto store = Open();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto empty = (*store)->ListCameraStates();
    ASSERT_TRUE(empty.ok()) << empty.status().ToString();
    EXPECT_TRUE(empty->empty());
    ASSERT_TRUE((*store)->UpsertCameraState({"c2", "ok", "", 1.7e9, 1.7e9}).ok());
    ASSERT_TRUE((*store)
                    ->UpsertCameraState({"c10", "frozen", "same frame 8.0 s", 1.7e9 + 1, 1.7e9 + 1})
                    .ok());
    ASSERT_TRUE(
        (*store)
            ->UpsertCameraState({"c2", "occluded", "edge energy 0.1", 1.7e9 + 5.5, 1.7e9 + 6.25})
            .ok());
  }
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto list = (*store)->ListCameraStates();
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  std::vector<CameraState> want = {
      {"c10", "frozen", "same frame 8.0 s", 1.7e9 + 1, 1.7e9 + 1},
      {"c2", "occluded", "edge energy 0.1", 1.7e9 + 5.5, 1.7e9 + 6.25},
  };
  EXPECT_EQ(*list, want);
  EXPECT_TRUE((*store)->UpsertCameraState({"", "ok", "", 0, 0}).IsInvalidArgument());
  EXPECT_TRUE((*store)->UpsertCameraState({"c3", "", "", 0, 0}).IsInvalidArgument());
  EXPECT_TRUE((*store)->UpsertCameraState({"c3", "ok", "", NAN, 0}).IsInvalidArgument());
}

TEST_P(StoreTest, FourThreadsAppending500EachAllStoredWithUniqueIds) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Store* st = store->get();
  std::vector<std::vector<events::Event>> appended(kThreads);
  std::vector<std::string> errors(kThreads + 1);
  std::atomic<bool> writers_done{false};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          events::Event e = MakeEvent(t * kPerThread + i);
          e.camera = "thread" + std::to_string(t);
          Status s = st->Append(&e);
          if (!s.ok()) {
            errors[t] = s.ToString();
            return;
          }
          appended[t].push_back(e);
        }
      });
    }
    // A reader at the same time: queries must neither fail nor see torn rows.
    threads.emplace_back([&] {
      EventFilter f;
      f.limit = 50;
      while (!writers_done.load()) {
        auto q = st->Query(f);
        if (!q.ok()) {
          errors[kThreads] = q.status().ToString();
          return;
        }
        for (const auto& e : *q) {
          if (e.camera.rfind("thread", 0) != 0)
            errors[kThreads] = "torn row " + std::to_string(e.id);
        }
        if (!q->empty()) f.after_id = q->back().id;
      }
    });
    for (int t = 0; t < kThreads; ++t) threads[t].join();
    writers_done = true;
  }
  for (const auto& err : errors) EXPECT_EQ(err, "");
  std::set<int64_t> ids;
  for (const auto& per : appended) {
    ASSERT_EQ(per.size(), static_cast<size_t>(kPerThread));
    for (const auto& e : per) ids.insert(e.id);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread)) << "ids are not unique";
  EXPECT_EQ(*st->Count(), kThreads * kPerThread);
  for (const auto& per : appended) {
    for (const auto& e : per) {
      auto got = st->Get(e.id);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_TRUE(SameEvent(e, *got));
    }
  }
}

// ---------------------------------------------------------------- crash test

namespace {

// What the child reports after each Append (and SetEnd) has returned.
struct CommitRecord {
  int64_t id;
  int64_t seq;  // MakeEvent(seq) was appended; end set to t + kEndAfterS if seq % 3 == 0
};
static_assert(sizeof(CommitRecord) <= PIPE_BUF, "pipe writes must be atomic");
constexpr double kEndAfterS = 7.25;
// Reports to read before each kill. Odd sizes, so that a store that batched
// commits in round numbers would be caught with uncommitted reported events.
constexpr size_t kReportsBeforeKill[] = {293, 311, 157};
constexpr int kRounds = 3;
// Generous: only a broken child takes this long; never a pass/fail speed bound.
constexpr int kChildStallTimeoutMs = 60000;

events::Event ExpectedEvent(const CommitRecord& r) {
  events::Event e = MakeEvent(r.seq);
  e.id = r.id;
  if (r.seq % 3 == 0) e.end = e.t + kEndAfterS;
  return e;
}

// The child: appends forever, reporting each commit once it is durable.
// Never returns, and never touches gtest (it is a copy of the test process).
[[noreturn]] void RunCrashChild(const StoreBackend& backend, const std::string& dir,
                                int64_t first_seq, int fd) {
  signal(SIGPIPE, SIG_IGN);
  auto store = backend.open(dir);
  if (!store.ok()) _exit(10);
  for (int64_t seq = first_seq;; ++seq) {
    events::Event e = MakeEvent(seq);
    if (!(*store)->Append(&e).ok()) _exit(11);
    if (seq % 3 == 0 && !(*store)->SetEnd(e.id, e.t + kEndAfterS).ok()) _exit(12);
    CommitRecord r{e.id, seq};
    if (write(fd, &r, sizeof r) != static_cast<ssize_t>(sizeof r)) _exit(13);
  }
}

}  // namespace

// Kills a writing process with SIGKILL at an arbitrary point, several times
// over the same store, and checks that every event it reported as committed
// is there, whole, after each reopen.
// ---- migration 2: journal, acknowledgements, users, credentials, audit ----

TEST_P(StoreTest, JournalRecordsAppendSetEndAndAckInOrder) {
  auto st = Open();
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  Store& s = **st;
  EXPECT_EQ(*s.LastChangeSeq(), 0);
  events::Event a = MakeEvent(1), b = MakeEvent(2);
  a.end.reset();
  ASSERT_TRUE(s.Append(&a).ok());
  ASSERT_TRUE(s.Append(&b).ok());
  ASSERT_TRUE(s.SetEnd(a.id, a.t + 5).ok());
  ASSERT_TRUE(s.SetAck({b.id, "acknowledged", "false_alarm", "a heron", "op", 1.7e9}).ok());
  auto ch = s.ListChanges(0, 100);
  ASSERT_TRUE(ch.ok()) << ch.status().ToString();
  ASSERT_EQ(ch->size(), 4u);
  const char* kinds[] = {"event", "event", "update", "ack"};
  const int64_t ids[] = {a.id, b.id, a.id, b.id};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ((*ch)[i].seq, static_cast<int64_t>(i + 1));
    EXPECT_EQ((*ch)[i].kind, kinds[i]) << i;
    EXPECT_EQ((*ch)[i].event_id, ids[i]) << i;
  }
  EXPECT_EQ(*s.LastChangeSeq(), 4);
  auto tail = s.ListChanges(2, 1);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 1u);
  EXPECT_EQ(tail->front().seq, 3);
  EXPECT_FALSE(s.ListChanges(0, 0).ok());
  // A failed SetEnd journals nothing.
  EXPECT_FALSE(s.SetEnd(999999, 1).ok());
  EXPECT_EQ(*s.LastChangeSeq(), 4);
}

TEST_P(StoreTest, AcksReplaceAndFilterQueriesByState) {
  auto st = Open();
  ASSERT_TRUE(st.ok());
  Store& s = **st;
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    events::Event e = MakeEvent(i);
    ASSERT_TRUE(s.Append(&e).ok());
    ids.push_back(e.id);
  }
  EXPECT_TRUE(s.SetAck({ids[0], "acknowledged", "", "", "op", 1}).ok());
  EXPECT_TRUE(s.SetAck({ids[1], "acknowledged", "", "", "op", 1}).ok());
  EventAck later{ids[1], "resolved", "true_alarm", "caught", "boss", 2};
  EXPECT_TRUE(s.SetAck(later).ok());
  EXPECT_TRUE(s.SetAck({999999, "acknowledged", "", "", "op", 1}).IsNotFound());
  EXPECT_TRUE(s.SetAck({ids[2], "maybe", "", "", "op", 1}).IsInvalidArgument());
  EXPECT_TRUE(s.SetAck({ids[2], "resolved", "ufo", "", "op", 1}).IsInvalidArgument());
  auto acks = s.GetAcks(ids);
  ASSERT_TRUE(acks.ok());
  ASSERT_EQ(acks->size(), 2u);
  EXPECT_EQ((*acks)[1], later);
  auto ids_of = [&](const std::string& state) {
    EventFilter f;
    f.ack_state = state;
    std::vector<int64_t> out;
    auto got = s.Query(f);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (got.ok())
      for (const auto& e : *got) out.push_back(e.id);
    return out;
  };
  EXPECT_EQ(ids_of("new"), std::vector<int64_t>{ids[2]});
  EXPECT_EQ(ids_of("acknowledged"), std::vector<int64_t>{ids[0]});
  EXPECT_EQ(ids_of("resolved"), std::vector<int64_t>{ids[1]});
  EventFilter newest;
  newest.newest_first = true;
  newest.limit = 2;
  auto page = s.Query(newest);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, ids[2]);
  EXPECT_EQ((*page)[1].id, ids[1]);
  newest.before_id = ids[1];
  page = s.Query(newest);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, ids[0]);
  EventFilter bad;
  bad.ack_state = "pending";
  EXPECT_TRUE(s.Query(bad).status().IsInvalidArgument());
}

TEST_P(StoreTest, HealthFilterSplitsCameraEventsFromDetections) {
  auto st = Open();
  ASSERT_TRUE(st.ok());
  Store& s = **st;
  events::Event h = MakeEvent(0), d = MakeEvent(1);
  h.type = "camera_offline";
  d.type = "line_crossing";
  ASSERT_TRUE(s.Append(&h).ok());
  ASSERT_TRUE(s.Append(&d).ok());
  EventFilter f;
  f.health = true;
  auto got = s.Query(f);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().id, h.id);
  f.health = false;
  got = s.Query(f);
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().id, d.id);
}

TEST_P(StoreTest, UsersAndCredentialsLifecycle) {
  auto st = Open();
  ASSERT_TRUE(st.ok());
  Store& s = **st;
  User u{"alice", "operator", "$argon2id$x", 5};
  ASSERT_TRUE(s.CreateUser(u).ok());
  EXPECT_TRUE(s.CreateUser(u).IsInvalidArgument()) << "duplicate name";
  EXPECT_TRUE(s.CreateUser({"bad name", "viewer", "h", 1}).IsInvalidArgument());
  EXPECT_TRUE(s.CreateUser({"bob", "root", "h", 1}).IsInvalidArgument());
  EXPECT_EQ(*s.GetUser("alice"), u);
  EXPECT_TRUE(s.GetUser("nobody").status().IsNotFound());
  u.role = "admin";
  ASSERT_TRUE(s.UpdateUser(u).ok());
  EXPECT_EQ(s.GetUser("alice")->role, "admin");
  EXPECT_TRUE(s.UpdateUser({"nobody", "viewer", "h", 1}).IsNotFound());

  Credential c{"abc123", "alice", "session", "", 10, 20, false};
  ASSERT_TRUE(s.CreateCredential(c).ok());
  EXPECT_EQ(*s.GetCredential("abc123"), c);
  ASSERT_TRUE(s.RevokeCredential("abc123").ok());
  EXPECT_TRUE(s.GetCredential("abc123")->revoked);
  EXPECT_TRUE(s.RevokeCredential("nope").IsNotFound());
  ASSERT_TRUE(s.CreateCredential({"def456", "alice", "token", "ci", 11, 0, false}).ok());
  ASSERT_EQ(s.ListCredentials("alice")->size(), 2u);
  EXPECT_EQ(s.ListCredentials("alice")->front().token_hash, "def456") << "newest first";
  ASSERT_TRUE(s.DeleteUser("alice").ok());
  EXPECT_TRUE(s.GetCredential("def456")->revoked) << "deleting a user revokes its tokens";
  EXPECT_TRUE(s.DeleteUser("alice").IsNotFound());
  EXPECT_TRUE(s.ListUsers()->empty());
}

TEST_P(StoreTest, AuditRowsChainAndVerifySurvivesReopen) {
  {
    auto st = Open();
    ASSERT_TRUE(st.ok());
    for (int i = 0; i < 5; ++i) {
      AuditEntry a;
      a.wall = 1.7e9 + i;
      a.actor = "alice";
      a.action = "ack";
      a.target = std::to_string(i);
      a.detail = "{\"comment\":\"it's \\\"quoted\\\"\"}";
      ASSERT_TRUE((*st)->AppendAudit(&a).ok());
      EXPECT_EQ(a.id, i + 1);
      EXPECT_EQ(a.hash, AuditHash(a.prev_hash, a));
    }
    AuditEntry bad;
    EXPECT_TRUE((*st)->AppendAudit(&bad).IsInvalidArgument()) << "no action";
  }
  auto st = Open();
  ASSERT_TRUE(st.ok());
  auto rows = (*st)->ListAudit(0, 100);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 5u);
  EXPECT_EQ((*rows)[0].prev_hash, "");
  for (size_t i = 1; i < rows->size(); ++i) EXPECT_EQ((*rows)[i].prev_hash, (*rows)[i - 1].hash);
  EXPECT_EQ(*(*st)->LastAuditId(), 5);
  auto problems = VerifyAuditChain(st->get());
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty());
}

TEST_P(StoreCrashTest, SigkillLosesNothingCommitted) {
  std::vector<CommitRecord> committed;
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0) << std::strerror(errno);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0) << std::strerror(errno);
    if (pid == 0) {
      close(fds[0]);
      RunCrashChild(GetParam(), dir_.path(), int64_t{round} * 1000000, fds[1]);
    }
    close(fds[1]);

    // Read reports until enough arrived, then kill; then drain what the child
    // wrote before dying: those were committed too.
    std::string buf;
    size_t reports = 0;
    bool killed = false;
    for (;;) {
      if (!killed && reports >= kReportsBeforeKill[round]) {
        ASSERT_EQ(kill(pid, SIGKILL), 0);
        killed = true;
      }
      pollfd p{fds[0], POLLIN, 0};
      int pr = poll(&p, 1, kChildStallTimeoutMs);
      if (pr == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        FAIL() << "round " << round << ": child stalled after " << reports << " reports";
      }
      char chunk[4096];
      ssize_t n = read(fds[0], chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      ASSERT_GE(n, 0) << std::strerror(errno);
      if (n == 0) break;  // EOF: the child is gone
      buf.append(chunk, static_cast<size_t>(n));
      reports = buf.size() / sizeof(CommitRecord);
    }
    close(fds[0]);
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
        << "round " << round << ": child ended on its own, exit code "
        << (WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1) << " after " << reports
        << " reports (10 open, 11 append, 12 set end, 13 pipe failed)";
    ASSERT_EQ(buf.size() % sizeof(CommitRecord), 0u) << "torn report";
    ASSERT_GE(reports, kReportsBeforeKill[round]);
    for (size_t i = 0; i < reports; ++i) {
      CommitRecord r;
      std::memcpy(&r, buf.data() + i * sizeof r, sizeof r);
      committed.push_back(r);
    }

    auto store = Open();
    ASSERT_TRUE(store.ok()) << "round " << round
                            << ": reopen after SIGKILL: " << store.status().ToString();
    std::set<int64_t> ids;
    for (const CommitRecord& r : committed) {
      ASSERT_TRUE(ids.insert(r.id).second) << "id " << r.id << " reported twice";
      auto got = (*store)->Get(r.id);
      ASSERT_TRUE(got.ok()) << "round " << round << ": committed event " << r.id << " (seq "
                            << r.seq << ") lost: " << got.status().ToString();
      ASSERT_TRUE(SameEvent(ExpectedEvent(r), *got)) << "event " << r.id;
    }
    // At most the one append in flight when the kill came is extra, per round.
    auto count = (*store)->Count();
    ASSERT_TRUE(count.ok()) << count.status().ToString();
    EXPECT_GE(*count, static_cast<int64_t>(committed.size()));
    EXPECT_LE(*count, static_cast<int64_t>(committed.size()) + round + 1);
  }
}

}  // namespace watchline::store
