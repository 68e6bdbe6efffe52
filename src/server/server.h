// Server: the operator HTTP server of `watchline serve` and `watchline demo`.
// Start here for src/server. It serves
//   - the REST API (docs/api.md): cameras, events and their handling,
//     coverage, health history, users, tokens and the audit log;
//   - /api/stream, the live feed as Server-Sent Events (feed_hub.h);
//   - /metrics (Prometheus text) and /healthz;
//   - the web UI (index.html and its assets, read from web_dir at Start).
// Every /api route but /api/login, and /metrics, needs a session cookie or an
// API token (auth.h); roles gate what a user may do.
//
// HTTP is cpp-httplib: one thread per connection from a fixed pool
// (ServerConfig::threads). A live-feed client holds its thread for as long as
// it is connected, so the pool must exceed max_sse_clients plus the ordinary
// connections; Start refuses a config where it does not.
//
// Thread safety: Start/Stop from one thread; Notify, Audit and
// SetCoverageProvider from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "config/config.h"
#include "engine/engine.h"
#include "ingest/frame.h"
#include "server/auth.h"
#include "server/coverage_provider.h"
#include "server/feed_hub.h"
#include "store/store.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace watchline::server {

// Seconds between keep-alive comments on an idle live feed. Proxies and
// browsers drop connections that stay silent much longer.
inline constexpr double kSseHeartbeatS = 15;
// Threads kept for ordinary requests on top of max_sse_clients.
inline constexpr int kReservedHttpThreads = 16;

// What the server reads of the running system. The engine provides all of
// it (FromEngine); tests can provide a stand-in.
struct ServerDeps {
  store::Store* store = nullptr;            // required
  const config::Config* config = nullptr;   // required: cameras, positions, server block
  // Live camera status; empty = derived from the store's camera_state rows.
  std::function<std::vector<engine::CameraStatus>()> cameras;
  // The latest analysed frame of a camera; empty or null = no live snapshot.
  std::function<ingest::FramePtr(const std::string&)> latest_frame;
  std::string data_dir;                     // where event snapshots are (engine/snapshot.h)
  Clock* clock = Clock::Real();
  // An outside checkpoint scan (Engine::ScanCheckpoint); empty = 404 on
  // POST /api/checkpoints/scan.
  std::function<Status(const std::string& checkpoint, double t, const std::string& source)>
      scan_checkpoint;

  // Everything from a started engine; also registers Server::Notify as its
  // listener once the server exists (see AttachEngine).
  static ServerDeps FromEngine(engine::Engine* engine);
};

struct ServerOptions {
  config::ServerConfig http;  // bind, port (0 = any free port), TLS, limits
  std::string web_dir;        // the built web UI; "" = DefaultWebDir()
};

// The web UI's folder: $WATCHLINE_WEB_DIR, else <dir of the binary>/web, else
// the build tree's copy (compiled in).
std::string DefaultWebDir();

class Server {
 public:
  Server(ServerDeps deps, ServerOptions opts);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving on a thread of its own. InvalidArgument for a
  // bad TLS cert/key or thread budget; Unavailable when the port is taken.
  Status Start();
  void Stop();
  int port() const { return port_; }
  std::string url() const;

  // Something was committed to the store: the live feed reads it now.
  void Notify() { hub_.Notify(); }
  // Adds the listener that calls Notify to engine.
  void AttachEngine(engine::Engine* engine);
  void SetCoverageProvider(std::shared_ptr<CoverageProvider> p);

  // Appends to the audit log; logs (does not fail) when the store refuses.
  void Audit(const std::string& actor, const std::string& action, const std::string& target,
             const nlohmann::json& detail);

 private:
  struct Impl;
  void Routes();
  // One SSE message for a change, cached: every client sends the same bytes.
  std::string RenderChange(const store::Change& c);

  ServerDeps deps_;
  ServerOptions opts_;
  Auth auth_;
  LoginRateLimiter limiter_;
  FeedHub hub_;
  std::unique_ptr<httplib::Server> http_;
  std::unique_ptr<Impl> impl_;
  std::thread listen_thread_;
  int port_ = 0;
  std::atomic<int> sse_clients_{0};
  std::atomic<uint64_t> requests_{0};
  std::mutex coverage_mu_;
  std::shared_ptr<CoverageProvider> coverage_;  // GUARDED_BY(coverage_mu_)
};

}  // namespace watchline::server
