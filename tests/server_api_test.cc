// The operator server's API over real HTTP on loopback: a real Server on a
// real SQLite store, spoken to with cpp-httplib's client. The engine is
// replaced by a stand-in camera list (named StandIn below) so the tests are
// fast and deterministic; `watchline demo` with the real engine is covered by
// tests/ui and bench/server_load.sh.
#include <httplib.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "config/config.h"
#include "server/auth.h"
#include "server/server.h"
#include "store/sqlite_store.h"

namespace watchline::server {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kConfig = R"(
site: {name: api-test}
cameras:
  - id: c1
    source: "rtsp://admin:hunter2secret@10.0.0.1/stream1"
    position: {lat: 40.1, lon: 124.4, heading_deg: 180, hfov_deg: 60}
  - id: c2
    source: "sim://river?seed=1"
    position: {lat: 40.1, lon: 124.41, heading_deg: 180, hfov_deg: 60, range_m: 200}
posts:
  - id: gate
    camera: c2
    zone: [[0.3, 0.5], [0.7, 0.5], [0.7, 0.9]]
    schedule: {tz: UTC, shifts: [{start: "22:00", end: "06:00"}]}
    vacant_s: 60
)";

class ServerApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("server_api_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "web");
    std::ofstream(dir_ / "web" / "index.html") << "<!doctype html><title>watchline</title>";
    auto cfg = config::ParseConfig(kConfig, "<test>", dir_.string());
    ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
    cfg_ = std::move(cfg).value();
    auto st = store::OpenSqliteStore((dir_ / "watchline.db").string());
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(st).value();
    for (const char* role : {"viewer", "operator", "admin"}) {
      auto h = HashPassword(std::string(role) + "-password");
      ASSERT_TRUE(h.ok());
      ASSERT_TRUE(store_->CreateUser({role, role, *h, 1}).ok());
    }
    ServerDeps deps;
    deps.store = store_.get();
    deps.config = &cfg_;
    deps.data_dir = dir_.string();
    // StandIn for the engine's live camera status.
    deps.cameras = [] {
      engine::CameraStatus a;
      a.id = "c1";
      a.state = "occluded";
      a.cause = "lens covered";
      a.fps = 5;
      a.last_error = "rtsp://admin:hunter2secret@10.0.0.1/stream1: timeout";
      engine::CameraStatus b;
      b.id = "c2";
      b.state = "ok";
      b.fps = 4.5;
      return std::vector<engine::CameraStatus>{a, b};
    };
    deps.latest_frame = [](const std::string& id) -> ingest::FramePtr {
      if (id != "c2") return nullptr;
      auto f = std::make_shared<ingest::Frame>();
      f->gray = cv::Mat(90, 160, CV_8UC1, cv::Scalar(128));
      return f;
    };
    // StandIn for the engine's duty monitor: knows checkpoint cp1 only.
    deps.scan_checkpoint = [this](const std::string& cp, double t, const std::string& source) {
      if (cp != "cp1") return Status::NotFound("unknown checkpoint '" + cp + "'");
      scans_.push_back({cp, t, source});
      return Status::Ok();
    };
    ServerOptions opts;
    opts.http.port = 0;
    opts.http.max_body_bytes = 4096;
    opts.http.login_max_failures = 3;
    opts.http.threads = 64;
    opts.http.max_sse_clients = 16;
    opts.web_dir = (dir_ / "web").string();
    server_ = std::make_unique<Server>(deps, opts);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_) server_->Stop();
    server_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  httplib::Client Client() {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(10, 0);
    return c;
  }
  // Logs in; returns the session cookie ("wl_session=...").
  std::string Login(const std::string& user) {
    auto c = Client();
    auto r = c.Post("/api/login", json{{"user", user}, {"password", user + "-password"}}.dump(),
                    "application/json");
    EXPECT_TRUE(r) << "no response";
    if (!r) return "";
    EXPECT_EQ(r->status, 200) << r->body;
    const std::string set = r->get_header_value("Set-Cookie");
    return set.substr(0, set.find(';'));
  }
  std::string Token(const std::string& user) {
    auto c = Client();
    auto r = c.Post("/api/tokens", CookieHeaders(Login(user)), json{{"label", "t"}}.dump(),
                    "application/json");
    EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "no response");
    return json::parse(r->body)["token"];
  }
  static httplib::Headers Bearer(const std::string& t) {
    return {{"Authorization", "Bearer " + t}};
  }
  static httplib::Headers CookieHeaders(const std::string& cookie) {
    return {{"Cookie", cookie}, {"X-Requested-With", "watchline"}};
  }
  int64_t AddEvent(const std::string& type = "line_crossing", const std::string& cam = "c1") {
    events::Event e;
    e.type = type;
    e.camera = cam;
    e.t = 1;
    e.cls = type == "line_crossing" ? "person" : "";
    e.wall = 1.7e9 + (++n_);
    EXPECT_TRUE(store_->Append(&e).ok());
    server_->Notify();
    return e.id;
  }

  struct Scan {
    std::string checkpoint;
    double t;
    std::string source;
  };
  std::vector<Scan> scans_;
  fs::path dir_;
  config::Config cfg_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Server> server_;
  int n_ = 0;
};

TEST_F(ServerApiTest, EveryEndpointWithoutAuthenticationIs401) {
  const int64_t id = AddEvent();
  const std::string e = "/api/events/" + std::to_string(id);
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", "/api/me"},          {"GET", "/api/site"},
      {"GET", "/api/cameras"},     {"GET", "/api/cameras/c1"},
      {"GET", "/api/cameras/c2/snapshot.jpg"},
      {"GET", "/api/events"},      {"GET", e},
      {"GET", e + "/snapshot.jpg"}, {"POST", e + "/ack"},
      {"GET", "/api/coverage"},    {"GET", "/api/coverage/geojson"},
      {"GET", "/api/health/history"}, {"GET", "/api/stream"},
      {"GET", "/api/audit"},       {"GET", "/api/audit/verify"},
      {"GET", "/api/users"},       {"POST", "/api/users"},
      {"POST", "/api/users/viewer"}, {"DELETE", "/api/users/viewer"},
      {"GET", "/api/tokens"},      {"POST", "/api/tokens"},
      {"DELETE", "/api/tokens/" + std::string(64, 'a')},
      {"POST", "/api/logout"},     {"GET", "/metrics"},
      {"POST", "/api/checkpoints/scan"}, {"GET", "/api/report?from=2026-03-10&to=2026-03-11"},
      {"GET", "/api/no-such-route"},
  };
  auto c = Client();
  for (const auto& [method, path] : routes) {
    httplib::Result r = method == "GET"    ? c.Get(path)
                        : method == "POST" ? c.Post(path, "{}", "application/json")
                                           : c.Delete(path);
    ASSERT_TRUE(r) << method << " " << path;
    EXPECT_EQ(r->status, 401) << method << " " << path << ": " << r->body;
  }
  // A wrong or revoked credential is no better than none.
  auto r = c.Get("/api/events", Bearer("wlt_" + std::string(64, '0')));
  EXPECT_EQ(r->status, 401);
  // The probe and the UI's page are open.
  EXPECT_EQ(c.Get("/healthz")->status, 200);
  EXPECT_EQ(c.Get("/")->status, 200);
}

TEST_F(ServerApiTest, CheckpointScansNeedAnOperatorAndAreCheckedAndAudited) {
  auto c = Client();
  const std::string body = json{{"checkpoint", "cp1"}, {"t", "2026-03-10T23:08:00Z"},
                                {"source", "reader-7"}}.dump();
  auto r = c.Post("/api/checkpoints/scan", Bearer(Token("viewer")), body, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_TRUE(scans_.empty());

  const auto op = Bearer(Token("operator"));
  r = c.Post("/api/checkpoints/scan", op, body, "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  ASSERT_EQ(scans_.size(), 1u);
  EXPECT_DOUBLE_EQ(scans_[0].t, 1773184080.0);  // 2026-03-10T23:08:00Z
  EXPECT_EQ(scans_[0].source, "scan:reader-7");
  // Epoch seconds work too; an unknown checkpoint is 404 naming it; bad input is 400.
  r = c.Post("/api/checkpoints/scan", op, json{{"checkpoint", "cp1"}, {"t", 1773184100}}.dump(),
             "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = c.Post("/api/checkpoints/scan", op, json{{"checkpoint", "cp9"}}.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(r->body.find("cp9"), std::string::npos) << r->body;
  for (const json& bad : {json{{"t", 1}}, json{{"checkpoint", "cp1"}, {"t", "soon"}},
                          json{{"checkpoint", "cp1"}, {"t", true}},
                          json{{"checkpoint", "cp1"}, {"reader", "x"}}}) {
    r = c.Post("/api/checkpoints/scan", op, bad.dump(), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad.dump() << " -> " << r->body;
  }
  EXPECT_EQ(scans_.size(), 2u);
  bool audited = false;
  for (const auto& a : *store_->ListAudit(0, 100))
    audited |= a.action == "checkpoint_scan" && a.target == "cp1" && a.actor == "operator";
  EXPECT_TRUE(audited);
}

TEST_F(ServerApiTest, DutyReportComesFromStoredEventsAsJsonOrCsv) {
  // A vacancy of 30 minutes in the 22:00-06:00 shift of 2026-03-10 (UTC):
  // stored as the engine stores it (t, end in camera time; wall = epoch of t).
  events::Event e;
  e.type = "post_vacant";
  e.camera = "c2";
  e.rule = "gate";
  e.t = 100;
  e.end = 100 + 1800;
  e.wall = 1773183600;  // 23:00Z
  ASSERT_TRUE(store_->Append(&e).ok());
  auto c = Client();
  const auto v = Bearer(Token("viewer"));
  auto r = c.Get("/api/report?from=2026-03-10T22:00:00Z&to=2026-03-11T06:00:00Z", v);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json rep = json::parse(r->body);
  ASSERT_EQ(rep["posts"].size(), 1u) << rep.dump(1);
  EXPECT_DOUBLE_EQ(rep["posts"][0]["duty_s"].get<double>(), 8 * 3600);
  EXPECT_DOUBLE_EQ(rep["posts"][0]["vacant_s"].get<double>(), 1800);
  EXPECT_NEAR(rep["posts"][0]["manned_pct"].get<double>(), 93.75, 1e-9);
  r = c.Get("/api/report?from=2026-03-10T22:00:00Z&to=2026-03-11T06:00:00Z&format=csv", v);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_NE(r->get_header_value("Content-Type").find("text/csv"), std::string::npos);
  EXPECT_NE(r->body.find("gate"), std::string::npos) << r->body;
  for (const char* bad : {"/api/report?from=x&to=2026-03-11", "/api/report?to=2026-03-11",
                          "/api/report?from=2026-03-11&to=2026-03-10",
                          "/api/report?from=2026-03-10&to=2026-03-11&format=pdf"}) {
    r = c.Get(bad, v);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad << " -> " << r->body;
  }
}

TEST_F(ServerApiTest, ViewerCannotAcknowledgeOperatorCanAndItIsAudited) {
  const int64_t id = AddEvent();
  const std::string path = "/api/events/" + std::to_string(id) + "/ack";
  const std::string body =
      json{{"classification", "false_alarm"}, {"comment", "a heron"}}.dump();
  auto c = Client();
  auto r = c.Post(path, Bearer(Token("viewer")), body, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_TRUE(store_->GetAcks({id})->empty());

  r = c.Post(path, CookieHeaders(Login("operator")), body, "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto ev = json::parse(c.Get("/api/events/" + std::to_string(id), Bearer(Token("viewer")))->body);
  EXPECT_EQ(ev["state"], "acknowledged");
  EXPECT_EQ(ev["ack"]["classification"], "false_alarm");
  EXPECT_EQ(ev["ack"]["user"], "operator");

  auto audit = store_->ListAudit(0, 100);
  ASSERT_TRUE(audit.ok());
  bool found = false;
  for (const auto& a : *audit)
    if (a.action == "ack" && a.actor == "operator" && a.target == std::to_string(id)) found = true;
  EXPECT_TRUE(found) << "the acknowledgement is in the audit log";
  // Filtering by state finds it.
  auto list = json::parse(
      c.Get("/api/events?state=acknowledged", Bearer(Token("viewer")))->body)["events"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["id"], id);
}

TEST_F(ServerApiTest, MalformedJsonIs400OversizedIs413AndTheServerKeepsServing) {
  const int64_t id = AddEvent();
  const std::string tok = Token("operator");
  const std::string path = "/api/events/" + std::to_string(id) + "/ack";
  auto c = Client();
  for (const std::string bad : {"{", "not json", "[1,2]", "{\"state\": 7}",
                                "{\"state\":\"acknowledged\",\"extra\":1}",
                                "{\"classification\":\"ufo\"}"}) {
    auto r = c.Post(path, Bearer(tok), bad, "application/json");
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad << ": " << r->body;
    EXPECT_TRUE(json::parse(r->body).contains("error"));
  }
  auto r = c.Post(path, Bearer(tok), std::string(64 * 1024, ' '), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  auto r2 = c.Post("/api/login", std::string(64 * 1024, 'x'), "application/json");
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 413);
  // Bad query parameters too.
  for (const std::string q : {"limit=0", "limit=abc", "after_id=-1", "from=NaN", "bogus=1",
                              "state=pending", "order=sideways"}) {
    auto rq = c.Get("/api/events?" + q, Bearer(tok));
    ASSERT_TRUE(rq) << q;
    EXPECT_EQ(rq->status, 400) << q << ": " << rq->body;
  }
  // Still serving, on a fresh connection.
  auto ok = Client().Post(path, Bearer(tok), "{}", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(Client().Get("/healthz")->status, 200);
}

// Reads SSE messages until `want` ids are collected or the server stops
// sending; returns (id, event-name) pairs. Drops the connection after
// `drop_after` messages (0 = never).
std::vector<std::pair<int64_t, std::string>> ReadFeed(int port, const std::string& token,
                                                      const std::string& last_id, size_t want,
                                                      std::atomic<bool>* connected = nullptr) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(20, 0);
  httplib::Headers h{{"Authorization", "Bearer " + token}};
  if (!last_id.empty()) h.emplace("Last-Event-ID", last_id);
  std::vector<std::pair<int64_t, std::string>> got;
  std::string buf;
  c.Get("/api/stream", h, [&](const char* data, size_t len) {
    if (connected) connected->store(true);
    buf.append(data, len);
    size_t end;
    // Messages past `want` in the same chunk are dropped with the connection,
    // as a client that dies mid-chunk would: resumption must replay them.
    while (got.size() < want && (end = buf.find("\n\n")) != std::string::npos) {
      const std::string msg = buf.substr(0, end);
      buf.erase(0, end + 2);
      std::smatch m;
      std::regex re("id: (\\d+)\\nevent: (\\w+)\\ndata: ");
      if (std::regex_search(msg, m, re)) got.emplace_back(std::stoll(m[1]), m[2]);
    }
    return got.size() < want;  // false drops the connection
  });
  return got;
}

TEST_F(ServerApiTest, SseResumesAfterADroppedConnectionWithNoEventLost) {
  const std::string tok = Token("viewer");
  // Fixed seq baseline: every change from here on must arrive exactly once.
  const int64_t base = *store_->LastChangeSeq();
  std::atomic<bool> connected{false};
  std::vector<std::pair<int64_t, std::string>> first;
  std::thread reader([&] { first = ReadFeed(server_->port(), tok, std::to_string(base), 3, &connected); });
  for (int i = 0; i < 200 && !connected.load(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(connected.load());
  for (int i = 0; i < 5; ++i) AddEvent();
  reader.join();  // it dropped the connection after 3 messages
  ASSERT_EQ(first.size(), 3u);
  // While nobody listens: more events, an end and an acknowledgement.
  const int64_t health = AddEvent("camera_offline", "c2");
  ASSERT_TRUE(store_->SetEnd(health, 5).ok());
  server_->Notify();
  for (int i = 0; i < 3; ++i) AddEvent();
  const int64_t total = *store_->LastChangeSeq() - base;
  ASSERT_EQ(total, 10);
  auto rest = ReadFeed(server_->port(), tok, std::to_string(first.back().first),
                       static_cast<size_t>(total) - first.size());
  std::vector<int64_t> seqs;
  for (const auto& p : first) seqs.push_back(p.first);
  for (const auto& p : rest) seqs.push_back(p.first);
  ASSERT_EQ(seqs.size(), static_cast<size_t>(total));
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], base + 1 + static_cast<int64_t>(i));
  std::map<std::string, int> kinds;
  for (const auto& p : rest) kinds[p.second]++;
  EXPECT_EQ(kinds["update"], 1);
}

TEST_F(ServerApiTest, SseResumesAcrossAServerRestart) {
  const std::string tok = Token("viewer");
  const int64_t base = *store_->LastChangeSeq();
  AddEvent();
  server_->Stop();
  AddEvent();  // committed while the server is down
  ServerDeps deps;
  deps.store = store_.get();
  deps.config = &cfg_;
  ServerOptions opts;
  opts.http.port = 0;
  opts.http.threads = 32;
  opts.http.max_sse_clients = 8;
  server_ = std::make_unique<Server>(deps, opts);
  ASSERT_TRUE(server_->Start().ok());
  auto got = ReadFeed(server_->port(), tok, std::to_string(base), 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, base + 1);
  EXPECT_EQ(got[1].first, base + 2);
}

TEST_F(ServerApiTest, LoginIsRateLimitedAndFailuresAreAudited) {
  auto c = Client();
  for (int i = 0; i < 3; ++i) {
    auto r = c.Post("/api/login", json{{"user", "admin"}, {"password", "wrong-guess"}}.dump(),
                    "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
  }
  auto r = c.Post("/api/login", json{{"user", "admin"}, {"password", "admin-password"}}.dump(),
                  "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429) << "even the right password waits out the window";
  EXPECT_FALSE(r->get_header_value("Retry-After").empty());
  int failed = 0;
  const auto rows = store_->ListAudit(0, 100);
  ASSERT_TRUE(rows.ok());
  for (const auto& a : *rows) failed += a.action == "login_failed";
  EXPECT_EQ(failed, 3);
}

TEST_F(ServerApiTest, SessionCookieIsHttpOnlySameSiteAndCookieWritesNeedTheCsrfHeader) {
  auto c = Client();
  auto r = c.Post("/api/login", json{{"user", "operator"}, {"password", "operator-password"}}.dump(),
                  "application/json");
  ASSERT_TRUE(r);
  const std::string set = r->get_header_value("Set-Cookie");
  EXPECT_NE(set.find("HttpOnly"), std::string::npos) << set;
  EXPECT_NE(set.find("SameSite=Strict"), std::string::npos) << set;
  const std::string cookie = set.substr(0, set.find(';'));
  const int64_t id = AddEvent();
  auto no_header = c.Post("/api/events/" + std::to_string(id) + "/ack", {{"Cookie", cookie}}, "{}",
                          "application/json");
  EXPECT_EQ(no_header->status, 403);
  // Logout revokes the session.
  EXPECT_EQ(c.Get("/api/me", {{"Cookie", cookie}})->status, 200);
  EXPECT_EQ(c.Post("/api/logout", CookieHeaders(cookie), "{}", "application/json")->status, 200);
  EXPECT_EQ(c.Get("/api/me", {{"Cookie", cookie}})->status, 401);
}

TEST_F(ServerApiTest, RevokedTokenIsRefusedAndOnlyAdminsManageUsers) {
  auto c = Client();
  const std::string admin = Token("admin");
  const std::string op = Token("operator");
  EXPECT_EQ(c.Get("/api/users", Bearer(op))->status, 403);
  EXPECT_EQ(c.Get("/api/audit", Bearer(op))->status, 403);
  auto r = c.Post("/api/users", Bearer(admin),
                  json{{"name", "night"}, {"role", "operator"}, {"password", "night-shift-pw"}}.dump(),
                  "application/json");
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(c.Post("/api/users", Bearer(admin),
                   json{{"name", "bad name!"}, {"role", "operator"}, {"password", "xxxxxxxxxx"}}.dump(),
                   "application/json")->status, 400);
  auto users = json::parse(c.Get("/api/users", Bearer(admin))->body)["users"];
  EXPECT_EQ(users.size(), 4u);
  EXPECT_EQ(users.dump().find("argon2"), std::string::npos) << "hashes never leave the server";
  // Revoke the operator's token through the API.
  const std::string id = store::Sha256Hex(op);
  EXPECT_EQ(c.Delete("/api/tokens/" + id, Bearer(admin))->status, 200);
  EXPECT_EQ(c.Get("/api/cameras", Bearer(op))->status, 401);
  EXPECT_EQ(c.Delete("/api/users/night", Bearer(admin))->status, 200);
  auto verify = json::parse(c.Get("/api/audit/verify", Bearer(admin))->body);
  EXPECT_EQ(verify["ok"], true) << verify.dump();
  std::set<std::string> actions;
  const json audit = json::parse(c.Get("/api/audit?limit=1000", Bearer(admin))->body);
  for (const auto& a : audit["audit"]) actions.insert(a["action"]);
  for (const char* want : {"login", "token_create", "token_revoke", "user_add", "user_del"})
    EXPECT_TRUE(actions.count(want)) << want;
}

TEST_F(ServerApiTest, CamerasNeverRevealSourceCredentialsAndSnapshotsAreJpeg) {
  auto c = Client();
  const std::string tok = Token("viewer");
  auto r = c.Get("/api/cameras", Bearer(tok));
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->body.find("hunter2secret"), std::string::npos) << r->body;
  auto cams = json::parse(r->body)["cameras"];
  ASSERT_EQ(cams.size(), 2u);
  EXPECT_EQ(cams[0]["state"], "occluded");
  EXPECT_EQ(cams[0]["cause"], "lens covered");
  EXPECT_EQ(cams[0]["position"]["heading_deg"], 180);
  EXPECT_TRUE(cams[0]["counters"].contains("frames_dropped"));
  auto one = c.Get("/api/cameras/c1", Bearer(tok));
  EXPECT_EQ(one->body.find("hunter2secret"), std::string::npos);
  EXPECT_EQ(c.Get("/api/cameras/nope", Bearer(tok))->status, 404);
  auto snap = c.Get("/api/cameras/c2/snapshot.jpg", Bearer(tok));
  ASSERT_EQ(snap->status, 200);
  EXPECT_EQ(snap->get_header_value("Content-Type"), "image/jpeg");
  ASSERT_GE(snap->body.size(), 3u);
  EXPECT_EQ(static_cast<unsigned char>(snap->body[0]), 0xFF);
  EXPECT_EQ(static_cast<unsigned char>(snap->body[1]), 0xD8);
  EXPECT_EQ(c.Get("/api/cameras/c1/snapshot.jpg", Bearer(tok))->status, 404);
}

TEST_F(ServerApiTest, EventsFilterAndPageWithoutGapsAndHealthHistoryListsConditions) {
  std::vector<int64_t> crossings;
  for (int i = 0; i < 7; ++i) crossings.push_back(AddEvent("line_crossing", i % 2 ? "c1" : "c2"));
  const int64_t off = AddEvent("camera_offline", "c2");
  ASSERT_TRUE(store_->SetEnd(off, 9).ok());
  auto c = Client();
  const std::string tok = Token("viewer");
  std::vector<int64_t> seen;
  std::string after = "0";
  for (int page = 0; page < 10; ++page) {
    auto j = json::parse(
        c.Get("/api/events?type=line_crossing&limit=3&after_id=" + after, Bearer(tok))->body);
    for (const auto& e : j["events"]) seen.push_back(e["id"]);
    if (j["next_after_id"].is_null()) break;
    after = std::to_string(j["next_after_id"].get<int64_t>());
  }
  EXPECT_EQ(seen, crossings);
  auto cam = json::parse(c.Get("/api/events?camera=c1&health=false", Bearer(tok))->body)["events"];
  EXPECT_EQ(cam.size(), 3u);
  auto desc = json::parse(c.Get("/api/events?order=desc&limit=2", Bearer(tok))->body);
  EXPECT_EQ(desc["events"][0]["id"], off);
  auto h = json::parse(c.Get("/api/health/history?camera=c2", Bearer(tok))->body)["history"];
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0]["state"], "offline");
  EXPECT_EQ(h[0]["end"], 9);
  auto cov = json::parse(c.Get("/api/coverage", Bearer(tok))->body);
  EXPECT_EQ(cov["available"], false);
  EXPECT_TRUE(cov.contains("reason"));
}

TEST_F(ServerApiTest, MetricsArePrometheusTextPerCamera) {
  auto r = Client().Get("/metrics", Bearer(Token("viewer")));
  ASSERT_EQ(r->status, 200);
  EXPECT_NE(r->get_header_value("Content-Type").find("text/plain"), std::string::npos);
  for (const char* want :
       {"watchline_camera_fps{camera=\"c1\"} 5", "watchline_camera_frames_dropped_total{camera=\"c2\"}",
        "watchline_camera_reconnects_total{camera=\"c1\"}", "watchline_camera_analysis_ms{camera=\"c1\"}",
        "watchline_camera_events_total{camera=\"c2\"}"})
    EXPECT_NE(r->body.find(want), std::string::npos) << want;
}

class CoverageStandIn : public CoverageProvider {
 public:
  json Summary() override { return {{"covered_fraction", 0.8}, {"gaps", json::array()}}; }
  json GeoJson() override { return {{"type", "FeatureCollection"}, {"features", json::array()}}; }
};

TEST_F(ServerApiTest, CoverageComesFromTheProviderWhenSet) {
  server_->SetCoverageProvider(std::make_shared<CoverageStandIn>());
  auto c = Client();
  const std::string tok = Token("viewer");
  auto s = json::parse(c.Get("/api/coverage", Bearer(tok))->body);
  EXPECT_EQ(s["available"], true);
  EXPECT_EQ(s["covered_fraction"], 0.8);
  EXPECT_EQ(json::parse(c.Get("/api/coverage/geojson", Bearer(tok))->body)["type"],
            "FeatureCollection");
}

TEST_F(ServerApiTest, TlsFromCertAndKeyServesHttpsWithSecureCookies) {
  const std::string cert = (dir_ / "cert.pem").string(), key = (dir_ / "key.pem").string();
  const std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
      "-subj /CN=127.0.0.1 -keyout " + key + " -out " + cert + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "the openssl command is not installed";
  ServerDeps deps;
  deps.store = store_.get();
  deps.config = &cfg_;
  ServerOptions opts;
  opts.http.port = 0;
  opts.http.threads = 32;
  opts.http.max_sse_clients = 8;
  opts.http.tls_cert = cert;
  opts.http.tls_key = (dir_ / "missing.pem").string();
  {
    Server bad(deps, opts);
    EXPECT_TRUE(bad.Start().IsInvalidArgument());
  }
  opts.http.tls_key = key;
  Server tls(deps, opts);
  ASSERT_TRUE(tls.Start().ok());
  EXPECT_EQ(tls.url().rfind("https://", 0), 0u);
  httplib::SSLClient c("127.0.0.1", tls.port());
  c.enable_server_certificate_verification(false);  // self-signed, made above
  auto r = c.Get("/healthz");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  auto login = c.Post("/api/login", json{{"user", "viewer"}, {"password", "viewer-password"}}.dump(),
                      "application/json");
  ASSERT_TRUE(login);
  EXPECT_NE(login->get_header_value("Set-Cookie").find("; Secure"), std::string::npos);
  // Plain HTTP to the TLS port gets nothing useful.
  auto plain = httplib::Client("127.0.0.1", tls.port()).Get("/healthz");
  EXPECT_TRUE(!plain || plain->status != 200);
  tls.Stop();
}

}  // namespace
}  // namespace watchline::server
