#include "server/server.h"

#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "base/log.h"
#include "engine/duty_report.h"
#include "engine/snapshot.h"
#include "events/event.h"
#include "server/metrics.h"

#ifndef WL_WEB_BUILD_DIR
#define WL_WEB_BUILD_DIR ""
#endif

namespace watchline::server {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* kSessionCookie = "wl_session";
constexpr size_t kMaxQueryValueLen = 256;   // any one query parameter
constexpr size_t kMaxCommentLen = 2000;     // an acknowledgement's comment
constexpr size_t kMaxLabelLen = 200;        // an API token's label
constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;          // the API's page cap (the store allows more)
constexpr size_t kRenderCacheSize = 4096;   // rendered live-feed messages kept

// The error body every failure uses.
void Error(httplib::Response& res, int status, const std::string& msg) {
  res.status = status;
  res.set_content(json{{"error", msg}}.dump(), "application/json");
}

void Json(httplib::Response& res, const json& j, int status = 200) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(j.dump(), "application/json");
}

int HttpStatusOf(const Status& s) {
  switch (s.code()) {
    case Status::Code::kInvalidArgument: return 400;
    case Status::Code::kNotFound: return 404;
    case Status::Code::kUnavailable: return 503;
    default: return 500;
  }
}

void ErrorStatus(httplib::Response& res, const Status& s) {
  Error(res, HttpStatusOf(s), s.message());
}

std::string MimeOf(const std::string& path) {
  const std::string ext = fs::path(path).extension().string();
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},   {".png", "image/png"},
      {".svg", "image/svg+xml"},             {".json", "application/json"},
      {".ico", "image/x-icon"},              {".jpg", "image/jpeg"},
  };
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return !in.bad();
}

// Parses a whole decimal integer; false for anything else (no trailing text).
bool ParseInt64(const std::string& s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ParseDouble(const std::string& s, double* out) {
  if (s.empty() || s.size() > 40) return false;
  try {
    size_t pos = 0;
    *out = std::stod(s, &pos);
    return pos == s.size() && std::isfinite(*out);
  } catch (...) {
    return false;
  }
}

// Query parameters, checked: unknown names, over-long values and values that
// do not parse are 400 with a message naming the parameter.
class Query {
 public:
  Query(const httplib::Request& req, std::vector<std::string> allowed) : req_(req) {
    for (const auto& [k, v] : req.params) {
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        error_ = "unknown query parameter '" + k.substr(0, 64) + "'";
      } else if (v.size() > kMaxQueryValueLen) {
        error_ = "query parameter '" + k + "' is too long";
      }
    }
  }
  const std::string& error() const { return error_; }
  std::optional<std::string> Str(const std::string& k) {
    if (!req_.has_param(k.c_str())) return std::nullopt;
    return req_.get_param_value(k.c_str());
  }
  std::optional<double> Num(const std::string& k) {
    auto v = Str(k);
    if (!v) return std::nullopt;
    double d;
    if (!ParseDouble(*v, &d)) {
      error_ = "query parameter '" + k + "' must be a number";
      return std::nullopt;
    }
    return d;
  }
  std::optional<int64_t> Int(const std::string& k, int64_t lo, int64_t hi) {
    auto v = Str(k);
    if (!v) return std::nullopt;
    int64_t i;
    if (!ParseInt64(*v, &i) || i < lo || i > hi) {
      error_ = "query parameter '" + k + "' must be an integer in " + std::to_string(lo) + ".." +
               std::to_string(hi);
      return std::nullopt;
    }
    return i;
  }

 private:
  const httplib::Request& req_;
  std::string error_;
};

// Parses a JSON object body. 400 (false) for anything else.
bool BodyObject(const httplib::Request& req, httplib::Response& res, json* out,
                const std::vector<std::string>& allowed) {
  try {
    *out = json::parse(req.body);
  } catch (const json::exception& e) {
    Error(res, 400, "the body is not valid JSON");
    return false;
  }
  if (!out->is_object()) {
    Error(res, 400, "the body must be a JSON object");
    return false;
  }
  for (const auto& [k, v] : out->items()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      Error(res, 400, "unknown field '" + k.substr(0, 64) + "' in the body");
      return false;
    }
  }
  return true;
}

// A string field of a body: absent gives def; wrong type or too long gives 400.
bool BodyString(const json& body, const std::string& key, size_t max_len, std::string* out,
                httplib::Response& res, bool required = false) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (required) {
      Error(res, 400, "field '" + key + "' is required");
      return false;
    }
    return true;
  }
  if (!it->is_string()) {
    Error(res, 400, "field '" + key + "' must be a string");
    return false;
  }
  *out = it->get<std::string>();
  if (out->size() > max_len) {
    Error(res, 400, "field '" + key + "' is longer than " + std::to_string(max_len) + " bytes");
    return false;
  }
  return true;
}

std::string CookieValue(const httplib::Request& req, const std::string& name) {
  const std::string cookies = req.get_header_value("Cookie");
  size_t pos = 0;
  while (pos < cookies.size()) {
    size_t end = cookies.find(';', pos);
    if (end == std::string::npos) end = cookies.size();
    std::string part = cookies.substr(pos, end - pos);
    const size_t b = part.find_first_not_of(' ');
    if (b != std::string::npos) part = part.substr(b);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    pos = end + 1;
  }
  return "";
}

json AckJson(const store::EventAck& a) {
  return json{{"state", a.state},     {"classification", a.classification},
              {"comment", a.comment}, {"user", a.user},
              {"wall", a.wall}};
}

json EventJson(const events::Event& e, const store::EventAck* ack) {
  json j = events::ToJson(e);
  j["id"] = e.id;
  j["wall"] = e.wall;
  j["health"] = e.IsHealth();
  j["state"] = ack ? ack->state : "new";
  j["ack"] = ack ? AckJson(*ack) : json(nullptr);
  if (!e.IsHealth()) j["snapshot"] = "/api/events/" + std::to_string(e.id) + "/snapshot.jpg";
  return j;
}

bool ValidCameraId(const std::string& id) {
  return !id.empty() && id.size() <= 64 &&
         id.find_first_not_of(
             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") ==
             std::string::npos;
}

}  // namespace

// Server state that needs httplib types or caches.
struct Server::Impl {
  std::map<std::string, std::pair<std::string, std::string>> assets;  // path -> (body, mime)
  std::mutex render_mu;
  std::map<int64_t, std::string> rendered;  // seq -> SSE message; GUARDED_BY(render_mu)
};

ServerDeps ServerDeps::FromEngine(engine::Engine* engine) {
  ServerDeps d;
  d.store = engine->store();
  d.config = &engine->config();
  d.cameras = [engine] { return engine->Cameras(); };
  d.latest_frame = [engine](const std::string& id) { return engine->LatestFrame(id); };
  d.data_dir = engine->data_dir();
  d.scan_checkpoint = [engine](const std::string& cp, double t, const std::string& source) {
    return engine->ScanCheckpoint(cp, t, source);
  };
  return d;
}

std::string DefaultWebDir() {
  if (const char* env = std::getenv("WATCHLINE_WEB_DIR"); env && *env) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path beside = exe.parent_path() / "web";
    if (fs::exists(beside / "index.html", ec)) return beside.string();
  }
  return WL_WEB_BUILD_DIR;
}

Server::Server(ServerDeps deps, ServerOptions opts)
    : deps_(std::move(deps)),
      opts_(std::move(opts)),
      auth_(deps_.store, opts_.http.session_ttl_s, deps_.clock),
      limiter_(opts_.http.login_max_failures, opts_.http.login_window_s, deps_.clock),
      hub_(deps_.store),
      impl_(std::make_unique<Impl>()) {
  if (!deps_.cameras) {
    // No engine: the store's last known states, for every configured camera.
    store::Store* st = deps_.store;
    const config::Config* cfg = deps_.config;
    deps_.cameras = [st, cfg] {
      std::vector<engine::CameraStatus> out;
      std::map<std::string, store::CameraState> states;
      if (auto r = st->ListCameraStates(); r.ok())
        for (auto& s : *r) states[s.camera] = s;
      for (const auto& c : cfg->cameras) {
        engine::CameraStatus s;
        s.id = c.id;
        auto it = states.find(c.id);
        s.state = it != states.end() ? it->second.state : (c.enabled ? "unknown" : "disabled");
        if (it != states.end()) {
          s.cause = it->second.cause;
          s.since_wall = it->second.since_wall;
        }
        out.push_back(std::move(s));
      }
      return out;
    };
  }
}

Server::~Server() { Stop(); }

std::string Server::url() const {
  const bool tls = !opts_.http.tls_cert.empty();
  return std::string(tls ? "https://" : "http://") + opts_.http.bind + ":" + std::to_string(port_);
}

void Server::AttachEngine(engine::Engine* engine) {
  engine->AddListener([this](const events::Event&, bool) { Notify(); });
}

void Server::SetCoverageProvider(std::shared_ptr<CoverageProvider> p) {
  std::lock_guard<std::mutex> lock(coverage_mu_);
  coverage_ = std::move(p);
}

void Server::Audit(const std::string& actor, const std::string& action, const std::string& target,
                   const json& detail) {
  store::AuditEntry a;
  a.wall = deps_.clock->WallNow();
  a.actor = actor;
  a.action = action;
  a.target = target;
  a.detail = detail.is_null() ? "" : detail.dump();
  if (Status s = deps_.store->AppendAudit(&a); !s.ok())
    WL_LOG(Error) << "audit log: cannot record " << action << " by " << actor << ": "
                  << s.ToString();
}

Status Server::Start() {
  const config::ServerConfig& h = opts_.http;
  if (h.threads < h.max_sse_clients + kReservedHttpThreads) {
    return Status::InvalidArgument(
        "server.threads (" + std::to_string(h.threads) + ") must be at least max_sse_clients (" +
        std::to_string(h.max_sse_clients) + ") + " + std::to_string(kReservedHttpThreads) +
        ": every live-feed client holds one thread");
  }
  // The web UI, read once: requests never touch the file system for it.
  const std::string web = opts_.web_dir.empty() ? DefaultWebDir() : opts_.web_dir;
  std::error_code ec;
  if (!web.empty() && fs::is_directory(web, ec)) {
    for (auto it = fs::recursive_directory_iterator(web, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      std::string body;
      if (!ReadFile(it->path().string(), &body)) continue;
      const std::string rel = "/" + fs::relative(it->path(), web).generic_string();
      impl_->assets[rel] = {std::move(body), MimeOf(rel)};
    }
  }
  if (impl_->assets.count("/index.html") == 0) {
    WL_LOG(Warn) << "web UI not found in '" << web
                 << "' (build the 'web' target, or set WATCHLINE_WEB_DIR); serving the API only";
  }

  if (!h.tls_cert.empty()) {
    auto ssl = std::make_unique<httplib::SSLServer>(h.tls_cert.c_str(), h.tls_key.c_str());
    if (!ssl->is_valid()) {
      return Status::InvalidArgument("server: cannot load TLS certificate " + h.tls_cert +
                                     " and key " + h.tls_key);
    }
    http_ = std::move(ssl);
  } else {
    http_ = std::make_unique<httplib::Server>();
  }
  const size_t threads = static_cast<size_t>(h.threads);
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_->set_payload_max_length(static_cast<size_t>(h.max_body_bytes));
  http_->set_keep_alive_max_count(1000);
  http_->set_read_timeout(10, 0);
  http_->set_write_timeout(10, 0);
  Routes();

  WL_RETURN_IF_ERROR(hub_.Start());
  if (h.port == 0) {
    port_ = http_->bind_to_any_port(h.bind);
    if (port_ <= 0) return Status::Unavailable("server: cannot bind " + h.bind);
  } else {
    if (!http_->bind_to_port(h.bind, h.port)) {
      return Status::Unavailable("server: cannot listen on " + h.bind + ":" +
                                 std::to_string(h.port) + " (in use, or not a local address?)");
    }
    port_ = h.port;
  }
  listen_thread_ = std::thread([this] { http_->listen_after_bind(); });
  WL_LOG(Info) << "server: listening on " << url();
  return Status::Ok();
}

void Server::Stop() {
  // The hub first: it releases every live-feed client, whose threads the
  // HTTP server's pool waits for.
  hub_.Stop();
  if (http_) http_->stop();
  if (listen_thread_.joinable()) listen_thread_.join();
}

void Server::Routes() {
  httplib::Server& s = *http_;

  // Authentication of everything but the login, the health probe and the UI's
  // static files. Handlers then check roles with `need`.
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    requests_.fetch_add(1, std::memory_order_relaxed);
    const std::string& p = req.path;
    const bool open = p == "/healthz" || p == "/api/login" ||
                      (req.method == "GET" && (impl_->assets.count(p) > 0 || p == "/"));
    if (open) return httplib::Server::HandlerResponse::Unhandled;
    std::string secret;
    const std::string authz = req.get_header_value("Authorization");
    bool by_cookie = false;
    if (authz.rfind("Bearer ", 0) == 0) {
      secret = authz.substr(7);
    } else {
      secret = CookieValue(req, kSessionCookie);
      by_cookie = true;
    }
    auto who = auth_.Authenticate(secret);
    if (!who.ok()) {
      res.set_header("WWW-Authenticate", "Bearer");
      Error(res, 401, "authentication required: log in, or send an API token");
      return httplib::Server::HandlerResponse::Handled;
    }
    // A cookie rides along with cross-site requests; a custom header cannot
    // be sent cross-site without a CORS preflight, which this server never
    // grants. So state changes by cookie must carry it.
    if (by_cookie && req.method != "GET" && req.method != "HEAD" &&
        req.get_header_value("X-Requested-With") != "watchline") {
      Error(res, 403, "missing X-Requested-With: watchline header");
      return httplib::Server::HandlerResponse::Handled;
    }
    // Handlers read the principal back from these headers; they are set
    // here from the verified credential and never taken from the client.
    auto& r = const_cast<httplib::Request&>(req);
    r.headers.erase("X-WL-User");
    r.headers.erase("X-WL-Role");
    r.headers.erase("X-WL-Cred");
    r.headers.emplace("X-WL-User", who->user);
    r.headers.emplace("X-WL-Role", RoleName(who->role));
    r.headers.emplace("X-WL-Cred", who->token_hash);
    return httplib::Server::HandlerResponse::Unhandled;
  });

  s.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        WL_LOG(Error) << "server: " << req.method << " " << req.path << ": " << what;
        Error(res, 500, "internal error");
      });
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.body.empty()) {
      const char* msg = res.status == 413   ? "request body too large"
                        : res.status == 404 ? "not found"
                        : res.status == 400 ? "bad request"
                                            : "error";
      res.set_content(json{{"error", msg}}.dump(), "application/json");
    }
  });

  // Who is asking, and may they? Writes 403 and returns false when not.
  auto need = [](const httplib::Request& req, httplib::Response& res, Role min) {
    auto role = ParseRole(req.get_header_value("X-WL-Role"));
    if (!role || static_cast<int>(*role) < static_cast<int>(min)) {
      Error(res, 403, std::string("this needs the ") + RoleName(min) + " role");
      return false;
    }
    return true;
  };
  auto user_of = [](const httplib::Request& req) { return req.get_header_value("X-WL-User"); };

  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });

  // ---- session ----
  s.Post("/api/login", [this](const httplib::Request& req, httplib::Response& res) {
    json body;
    if (!BodyObject(req, res, &body, {"user", "password"})) return;
    std::string user, password;
    if (!BodyString(body, "user", 64, &user, res, true)) return;
    if (!BodyString(body, "password", kMaxPasswordLen, &password, res, true)) return;
    const std::string ip_key = "ip:" + req.remote_addr;
    const std::string user_key = "user:" + user;
    const double wait = std::max(limiter_.RetryAfter(ip_key), limiter_.RetryAfter(user_key));
    if (wait > 0) {
      res.set_header("Retry-After", std::to_string(static_cast<int>(std::ceil(wait))));
      return Error(res, 429, "too many failed logins; try again later");
    }
    auto secret = auth_.Login(user, password);
    if (!secret.ok()) {
      if (!secret.status().IsInvalidArgument()) return ErrorStatus(res, secret.status());
      limiter_.RecordFailure(ip_key);
      limiter_.RecordFailure(user_key);
      Audit(user, "login_failed", user, json{{"remote", req.remote_addr}});
      return Error(res, 401, secret.status().message());
    }
    limiter_.Reset(user_key);
    Audit(user, "login", user, json{{"remote", req.remote_addr}});
    auto u = deps_.store->GetUser(user);
    std::string cookie = std::string(kSessionCookie) + "=" + *secret +
                         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                         std::to_string(static_cast<int64_t>(opts_.http.session_ttl_s));
    if (!opts_.http.tls_cert.empty()) cookie += "; Secure";
    res.set_header("Set-Cookie", cookie);
    Json(res, json{{"user", user}, {"role", u.ok() ? u->role : ""}});
  });

  s.Post("/api/logout", [this, user_of](const httplib::Request& req, httplib::Response& res) {
    (void)deps_.store->RevokeCredential(req.get_header_value("X-WL-Cred"));
    Audit(user_of(req), "logout", user_of(req), nullptr);
    res.set_header("Set-Cookie", std::string(kSessionCookie) +
                                     "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    Json(res, json{{"ok", true}});
  });

  s.Get("/api/me", [user_of](const httplib::Request& req, httplib::Response& res) {
    Json(res, json{{"user", user_of(req)}, {"role", req.get_header_value("X-WL-Role")}});
  });

  // ---- site and cameras ----
  s.Get("/api/site", [this](const httplib::Request&, httplib::Response& res) {
    const config::Config& cfg = *deps_.config;
    double lat = 0, lon = 0;
    int n = 0;
    for (const auto& c : cfg.cameras) {
      if (!c.position) continue;
      lat += c.position->lat;
      lon += c.position->lon;
      ++n;
    }
    std::lock_guard<std::mutex> lock(coverage_mu_);
    Json(res, json{{"name", cfg.site.name},
                   {"cameras", cfg.cameras.size()},
                   {"center", n ? json{{"lat", lat / n}, {"lon", lon / n}} : json(nullptr)},
                   {"tiles", !opts_.http.tiles_dir.empty()},
                   {"coverage_available", coverage_ != nullptr}});
  });

  auto camera_json = [this](const engine::CameraStatus& st, bool detail) {
    const config::CameraConfig* c = deps_.config->FindCamera(st.id);
    json j{{"id", st.id},
           {"state", st.state},
           {"cause", st.cause},
           {"since_wall", st.since_wall},
           {"connected", st.connected},
           {"fps", st.fps},
           {"analysis_ms", st.analysis_ms},
           {"enabled", c ? c->enabled : true},
           {"snapshot", "/api/cameras/" + st.id + "/snapshot.jpg"}};
    if (c && c->position) {
      const auto& p = *c->position;
      j["position"] = json{{"lat", p.lat},           {"lon", p.lon},
                           {"height_m", p.height_m}, {"heading_deg", p.heading_deg},
                           {"hfov_deg", p.hfov_deg}, {"tilt_deg", p.tilt_deg},
                           {"range_m", p.range_m ? json(*p.range_m) : json(nullptr)}};
    } else {
      j["position"] = nullptr;
    }
    if (detail) {
      j["counters"] = json{{"frames_decoded", st.frames_decoded},
                           {"frames_analysed", st.frames_analysed},
                           {"frames_dropped", st.frames_dropped},
                           {"reconnects", st.reconnects},
                           {"events", st.events}};
      // Credentials in a source URL never leave the server.
      j["source"] = c ? RedactUrl(c->source) : "";
      j["last_error"] = RedactUrl(st.last_error);
      if (c) {
        json rules = json::array();
        for (const auto& l : c->lines) rules.push_back({{"id", l.id}, {"kind", "line"}});
        for (const auto& z : c->zones) rules.push_back({{"id", z.id}, {"kind", "zone"}});
        j["rules"] = rules;
      }
    }
    return j;
  };

  s.Get("/api/cameras", [this, camera_json](const httplib::Request& req, httplib::Response& res) {
    json arr = json::array();
    for (const auto& st : deps_.cameras()) arr.push_back(camera_json(st, true));
    Json(res, json{{"cameras", arr}});
  });

  s.Get(R"(/api/cameras/([A-Za-z0-9_.\-]{1,64}))",
        [this, camera_json](const httplib::Request& req, httplib::Response& res) {
          const std::string id = req.matches[1];
          for (const auto& st : deps_.cameras())
            if (st.id == id) return Json(res, camera_json(st, true));
          Error(res, 404, "no camera '" + id + "'");
        });

  s.Get(R"(/api/cameras/([A-Za-z0-9_.\-]{1,64})/snapshot\.jpg)",
        [this](const httplib::Request& req, httplib::Response& res) {
          const std::string id = req.matches[1];
          const config::CameraConfig* c = deps_.config->FindCamera(id);
          if (!c) return Error(res, 404, "no camera '" + id + "'");
          ingest::FramePtr f = deps_.latest_frame ? deps_.latest_frame(id) : nullptr;
          if (!f) return Error(res, 404, "camera " + id + " has no frame yet");
          auto jpeg = engine::RenderSnapshotJpeg(*f, c->privacy, std::nullopt);
          if (!jpeg.ok()) return ErrorStatus(res, jpeg.status());
          res.set_header("Cache-Control", "no-store");
          res.set_content(std::move(*jpeg), "image/jpeg");
        });

  // ---- events ----
  s.Get("/api/events", [this](const httplib::Request& req, httplib::Response& res) {
    Query q(req, {"from", "to", "type", "camera", "state", "after_id", "before_id", "limit",
                  "health", "order"});
    store::EventFilter f;
    f.from_wall = q.Num("from");
    f.to_wall = q.Num("to");
    f.type = q.Str("type");
    f.camera = q.Str("camera");
    f.ack_state = q.Str("state");
    f.after_id = q.Int("after_id", 0, INT64_MAX).value_or(0);
    f.limit = static_cast<int>(q.Int("limit", 1, kMaxPageSize).value_or(kDefaultPageSize));
    f.before_id = q.Int("before_id", 1, INT64_MAX).value_or(0);
    if (auto o = q.Str("order")) {
      if (*o != "asc" && *o != "desc") return Error(res, 400, "order must be asc or desc");
      f.newest_first = *o == "desc";
    }
    if (auto h = q.Str("health")) {
      if (*h != "true" && *h != "false") return Error(res, 400, "health must be true or false");
      f.health = *h == "true";
    }
    if (!q.error().empty()) return Error(res, 400, q.error());
    if (f.camera && !ValidCameraId(*f.camera)) return Error(res, 400, "bad camera id");
    auto evs = deps_.store->Query(f);
    if (!evs.ok()) return ErrorStatus(res, evs.status());
    std::vector<int64_t> ids;
    for (const auto& e : *evs) ids.push_back(e.id);
    auto acks = deps_.store->GetAcks(ids);
    if (!acks.ok()) return ErrorStatus(res, acks.status());
    std::map<int64_t, store::EventAck> by_id;
    for (auto& a : *acks) by_id[a.event_id] = a;
    json arr = json::array();
    for (const auto& e : *evs) {
      auto it = by_id.find(e.id);
      arr.push_back(EventJson(e, it == by_id.end() ? nullptr : &it->second));
    }
    json out{{"events", arr}};
    // A full page may have more behind it: pass this as after_id (asc) or
    // before_id (desc) for the next page.
    const bool full = static_cast<int>(evs->size()) == f.limit;
    out[f.newest_first ? "next_before_id" : "next_after_id"] =
        full ? json(evs->back().id) : json(nullptr);
    Json(res, out);
  });

  s.Get(R"(/api/events/(\d{1,18}))", [this](const httplib::Request& req, httplib::Response& res) {
    int64_t id = 0;
    ParseInt64(req.matches[1], &id);
    auto e = deps_.store->Get(id);
    if (!e.ok()) return ErrorStatus(res, e.status());
    auto acks = deps_.store->GetAcks({id});
    if (!acks.ok()) return ErrorStatus(res, acks.status());
    Json(res, EventJson(*e, acks->empty() ? nullptr : &acks->front()));
  });

  s.Get(R"(/api/events/(\d{1,18})/snapshot\.jpg)",
        [this](const httplib::Request& req, httplib::Response& res) {
          int64_t id = 0;
          ParseInt64(req.matches[1], &id);
          std::string body;
          if (!ReadFile(engine::EventSnapshotPath(deps_.data_dir, id), &body))
            return Error(res, 404, "event " + std::to_string(id) + " has no snapshot");
          res.set_header("Cache-Control", "private, max-age=86400");
          res.set_content(std::move(body), "image/jpeg");
        });

  s.Post(R"(/api/events/(\d{1,18})/ack)",
         [this, need, user_of](const httplib::Request& req, httplib::Response& res) {
           if (!need(req, res, Role::kOperator)) return;
           int64_t id = 0;
           ParseInt64(req.matches[1], &id);
           json body;
           if (!BodyObject(req, res, &body, {"state", "classification", "comment"})) return;
           store::EventAck a;
           a.event_id = id;
           a.state = "acknowledged";
           if (!BodyString(body, "state", 32, &a.state, res)) return;
           if (!BodyString(body, "classification", 32, &a.classification, res)) return;
           if (!BodyString(body, "comment", kMaxCommentLen, &a.comment, res)) return;
           a.user = user_of(req);
           a.wall = deps_.clock->WallNow();
           if (Status st = deps_.store->SetAck(a); !st.ok()) return ErrorStatus(res, st);
           Audit(a.user, "ack", std::to_string(id),
                 json{{"state", a.state},
                      {"classification", a.classification},
                      {"comment", a.comment}});
           Notify();
           Json(res, AckJson(a));
         });

  // ---- guard duty ----
  s.Post("/api/checkpoints/scan",
         [this, need, user_of](const httplib::Request& req, httplib::Response& res) {
           if (!need(req, res, Role::kOperator)) return;
           json body;
           if (!BodyObject(req, res, &body, {"checkpoint", "t", "source"})) return;
           std::string checkpoint, source = "scan";
           if (!BodyString(body, "checkpoint", 64, &checkpoint, res, true)) return;
           if (!BodyString(body, "source", 128, &source, res)) return;
           double t = deps_.clock->WallNow();
           if (auto it = body.find("t"); it != body.end() && !it->is_null()) {
             if (it->is_number()) {
               t = it->get<double>();
             } else if (it->is_string()) {
               auto parsed = engine::ParseReportTime(it->get<std::string>());
               if (!parsed.ok()) return Error(res, 400, "field 't': " + parsed.status().message());
               t = *parsed;
             } else {
               return Error(res, 400, "field 't' must be an ISO-8601 time or epoch seconds");
             }
           }
           if (!std::isfinite(t)) return Error(res, 400, "field 't' must be finite");
           if (!deps_.scan_checkpoint) return Error(res, 404, "this server has no patrols");
           const std::string src = "scan:" + source;
           if (Status st = deps_.scan_checkpoint(checkpoint, t, src); !st.ok())
             return ErrorStatus(res, st);
           Audit(user_of(req), "checkpoint_scan", checkpoint, json{{"t", t}, {"source", source}});
           Json(res, json{{"checkpoint", checkpoint}, {"t", t}, {"source", src}, {"accepted", true}});
         });

  s.Get("/api/report", [this](const httplib::Request& req, httplib::Response& res) {
    Query q(req, {"from", "to", "format"});
    auto from_s = q.Str("from");
    auto to_s = q.Str("to");
    auto format = q.Str("format").value_or("json");
    if (!q.error().empty()) return Error(res, 400, q.error());
    if (!from_s || !to_s) return Error(res, 400, "from and to are required");
    if (format != "json" && format != "csv") return Error(res, 400, "format must be json or csv");
    auto from = engine::ParseReportTime(*from_s);
    if (!from.ok()) return Error(res, 400, "from: " + from.status().message());
    auto to = engine::ParseReportTime(*to_s);
    if (!to.ok()) return Error(res, 400, "to: " + to.status().message());
    auto report = engine::BuildDutyReport(deps_.store, *deps_.config, *from, *to);
    if (!report.ok()) return ErrorStatus(res, report.status());
    if (format == "csv") {
      res.set_header("Content-Disposition", "attachment; filename=\"watchline-report.csv\"");
      res.set_content(duty::ReportToCsv(*report), "text/csv; charset=utf-8");
    } else {
      res.set_content(duty::ReportToJson(*report), "application/json");
    }
  });

  s.Get("/api/health/history", [this](const httplib::Request& req, httplib::Response& res) {
    Query q(req, {"from", "to", "camera", "after_id", "limit"});
    store::EventFilter f;
    f.health = true;
    f.from_wall = q.Num("from");
    f.to_wall = q.Num("to");
    f.camera = q.Str("camera");
    f.after_id = q.Int("after_id", 0, INT64_MAX).value_or(0);
    f.limit = static_cast<int>(q.Int("limit", 1, kMaxPageSize).value_or(kDefaultPageSize));
    if (!q.error().empty()) return Error(res, 400, q.error());
    auto evs = deps_.store->Query(f);
    if (!evs.ok()) return ErrorStatus(res, evs.status());
    json arr = json::array();
    for (const auto& e : *evs) {
      json j{{"id", e.id},         {"camera", e.camera}, {"state", e.type.substr(7)},
             {"type", e.type},     {"cause", e.detail},  {"t", e.t},
             {"end", e.end ? json(*e.end) : json(nullptr)}, {"wall", e.wall}};
      if (e.end) j["end_wall"] = e.wall + (*e.end - e.t);
      arr.push_back(j);
    }
    json out{{"history", arr}};
    out["next_after_id"] = static_cast<int>(evs->size()) == f.limit ? json(evs->back().id)
                                                                     : json(nullptr);
    Json(res, out);
  });

  // ---- coverage ----
  s.Get("/api/coverage", [this](const httplib::Request&, httplib::Response& res) {
    std::shared_ptr<CoverageProvider> p;
    {
      std::lock_guard<std::mutex> lock(coverage_mu_);
      p = coverage_;
    }
    if (!p) {
      return Json(res, json{{"available", false},
                            {"reason", "coverage is not computed by this build or site (no "
                                       "perimeter or coverage module)"}});
    }
    json j = p->Summary();
    if (j.is_object() && !j.contains("available")) j["available"] = true;
    Json(res, j);
  });
  s.Get("/api/coverage/geojson", [this](const httplib::Request&, httplib::Response& res) {
    std::shared_ptr<CoverageProvider> p;
    {
      std::lock_guard<std::mutex> lock(coverage_mu_);
      p = coverage_;
    }
    if (!p) {
      return Json(res, json{{"available", false},
                            {"reason", "coverage is not computed by this build or site"}});
    }
    Json(res, p->GeoJson());
  });

  // ---- live feed ----
  s.Get("/api/stream", [this](const httplib::Request& req, httplib::Response& res) {
    int64_t after = -1;
    std::string last = req.get_header_value("Last-Event-ID");
    if (last.empty() && req.has_param("last_event_id")) last = req.get_param_value("last_event_id");
    if (!last.empty() && (!ParseInt64(last, &after) || after < 0))
      return Error(res, 400, "Last-Event-ID must be a non-negative integer");
    if (after < 0) after = hub_.last_seq();
    if (sse_clients_.fetch_add(1) >= opts_.http.max_sse_clients) {
      sse_clients_.fetch_sub(1);
      return Error(res, 503, "too many live-feed clients");
    }
    struct State {
      int64_t after;
      std::string cred;
      bool hello = false;
      double last_check = 0;
    };
    auto st = std::make_shared<State>(State{after, req.get_header_value("X-WL-Cred")});
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, st](size_t, httplib::DataSink& sink) -> bool {
          if (!st->hello) {
            st->hello = true;
            st->last_check = deps_.clock->Now();
            const std::string hello = "retry: 2000\n: watchline live feed from seq " +
                                      std::to_string(st->after) + "\n\n";
            return sink.write(hello.data(), hello.size());
          }
          auto changes = hub_.Wait(st->after, kSseHeartbeatS);
          if (hub_.stopped()) return false;
          if (!changes.ok()) {
            WL_LOG(Warn) << "live feed: " << changes.status().ToString();
            return false;
          }
          if (changes->empty()) {
            // A revoked or expired credential ends its feed at the next beat.
            if (auto c = deps_.store->GetCredential(st->cred);
                !c.ok() || c->revoked ||
                (c->expires_wall > 0 && deps_.clock->WallNow() >= c->expires_wall)) {
              return false;
            }
            static const std::string kPing = ": ping\n\n";
            return sink.write(kPing.data(), kPing.size());
          }
          std::string out;
          for (const auto& c : *changes) {
            out += RenderChange(c);
            st->after = c.seq;
          }
          return sink.write(out.data(), out.size());
        },
        [this](bool) { sse_clients_.fetch_sub(1); });
  });

  // ---- metrics ----
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    ServerGauges g;
    g.sse_clients = sse_clients_.load();
    g.feed_seq = hub_.last_seq();
    g.http_requests = requests_.load();
    res.set_content(RenderMetrics(deps_.cameras(), g), "text/plain; version=0.0.4");
  });

  // ---- users (admin) ----
  s.Get("/api/users", [this, need](const httplib::Request& req, httplib::Response& res) {
    if (!need(req, res, Role::kAdmin)) return;
    auto users = deps_.store->ListUsers();
    if (!users.ok()) return ErrorStatus(res, users.status());
    json arr = json::array();
    for (const auto& u : *users)
      arr.push_back({{"name", u.name}, {"role", u.role}, {"created_wall", u.created_wall}});
    Json(res, json{{"users", arr}});
  });
  s.Post("/api/users", [this, need, user_of](const httplib::Request& req, httplib::Response& res) {
    if (!need(req, res, Role::kAdmin)) return;
    json body;
    if (!BodyObject(req, res, &body, {"name", "role", "password"})) return;
    store::User u;
    std::string password;
    if (!BodyString(body, "name", 64, &u.name, res, true)) return;
    if (!BodyString(body, "role", 16, &u.role, res, true)) return;
    if (!BodyString(body, "password", kMaxPasswordLen, &password, res, true)) return;
    if (!ParseRole(u.role)) return Error(res, 400, "role must be viewer, operator or admin");
    auto h = HashPassword(password);
    if (!h.ok()) return ErrorStatus(res, h.status());
    u.pw_hash = *h;
    u.created_wall = deps_.clock->WallNow();
    if (Status st = deps_.store->CreateUser(u); !st.ok()) return ErrorStatus(res, st);
    Audit(user_of(req), "user_add", u.name, json{{"role", u.role}});
    Json(res, json{{"name", u.name}, {"role", u.role}}, 201);
  });
  s.Post(R"(/api/users/([A-Za-z0-9_.\-]{1,64}))",
         [this, need, user_of](const httplib::Request& req, httplib::Response& res) {
           if (!need(req, res, Role::kAdmin)) return;
           json body;
           if (!BodyObject(req, res, &body, {"role", "password"})) return;
           auto u = deps_.store->GetUser(req.matches[1]);
           if (!u.ok()) return ErrorStatus(res, u.status());
           std::string role = u->role, password;
           if (!BodyString(body, "role", 16, &role, res)) return;
           if (!BodyString(body, "password", kMaxPasswordLen, &password, res)) return;
           if (!ParseRole(role)) return Error(res, 400, "role must be viewer, operator or admin");
           json detail;
           if (role != u->role) detail["role"] = role;
           u->role = role;
           if (!password.empty()) {
             auto h = HashPassword(password);
             if (!h.ok()) return ErrorStatus(res, h.status());
             u->pw_hash = *h;
             detail["password"] = "changed";
           }
           if (Status st = deps_.store->UpdateUser(*u); !st.ok()) return ErrorStatus(res, st);
           // A changed password or role ends every session of the user.
           (void)deps_.store->RevokeUserCredentials(u->name);
           Audit(user_of(req), "user_change", u->name, detail);
           Json(res, json{{"name", u->name}, {"role", u->role}});
         });
  s.Delete(R"(/api/users/([A-Za-z0-9_.\-]{1,64}))",
           [this, need, user_of](const httplib::Request& req, httplib::Response& res) {
             if (!need(req, res, Role::kAdmin)) return;
             const std::string name = req.matches[1];
             if (name == user_of(req)) return Error(res, 400, "you cannot delete yourself");
             if (Status st = deps_.store->DeleteUser(name); !st.ok()) return ErrorStatus(res, st);
             Audit(user_of(req), "user_del", name, nullptr);
             Json(res, json{{"ok", true}});
           });

  // ---- API tokens ----
  s.Get("/api/tokens", [this, user_of](const httplib::Request& req, httplib::Response& res) {
    const bool admin = req.get_header_value("X-WL-Role") == "admin";
    auto creds = deps_.store->ListCredentials(admin ? "" : user_of(req));
    if (!creds.ok()) return ErrorStatus(res, creds.status());
    json arr = json::array();
    for (const auto& c : *creds) {
      if (c.kind != "token") continue;
      arr.push_back({{"id", c.token_hash},
                     {"user", c.user},
                     {"label", c.label},
                     {"created_wall", c.created_wall},
                     {"expires_wall", c.expires_wall},
                     {"revoked", c.revoked}});
    }
    Json(res, json{{"tokens", arr}});
  });
  s.Post("/api/tokens", [this, user_of](const httplib::Request& req, httplib::Response& res) {
    json body;
    if (!BodyObject(req, res, &body, {"label", "ttl_s"})) return;
    std::string label;
    if (!BodyString(body, "label", kMaxLabelLen, &label, res)) return;
    double ttl = 0;
    if (auto it = body.find("ttl_s"); it != body.end()) {
      if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > 10 * 365 * 86400.0)
        return Error(res, 400, "ttl_s must be a number of seconds, 0..10 years");
      ttl = it->get<double>();
    }
    auto secret = auth_.CreateToken(user_of(req), label, ttl);
    if (!secret.ok()) return ErrorStatus(res, secret.status());
    const std::string id = store::Sha256Hex(*secret);
    Audit(user_of(req), "token_create", id, json{{"label", label}});
    // The secret is shown once, here; only its hash is kept.
    Json(res, json{{"token", *secret}, {"id", id}}, 201);
  });
  s.Delete(R"(/api/tokens/([0-9a-f]{64}))",
           [this, user_of](const httplib::Request& req, httplib::Response& res) {
             const std::string id = req.matches[1];
             auto c = deps_.store->GetCredential(id);
             if (!c.ok() || c->kind != "token") return Error(res, 404, "no such token");
             if (c->user != user_of(req) && req.get_header_value("X-WL-Role") != "admin")
               return Error(res, 403, "not your token");
             if (Status st = deps_.store->RevokeCredential(id); !st.ok())
               return ErrorStatus(res, st);
             Audit(user_of(req), "token_revoke", id, json{{"user", c->user}});
             Json(res, json{{"ok", true}});
           });

  // ---- audit (admin) ----
  s.Get("/api/audit", [this, need](const httplib::Request& req, httplib::Response& res) {
    if (!need(req, res, Role::kAdmin)) return;
    Query q(req, {"after_id", "limit"});
    const int64_t after = q.Int("after_id", 0, INT64_MAX).value_or(0);
    const int limit = static_cast<int>(q.Int("limit", 1, kMaxPageSize).value_or(kDefaultPageSize));
    if (!q.error().empty()) return Error(res, 400, q.error());
    auto rows = deps_.store->ListAudit(after, limit);
    if (!rows.ok()) return ErrorStatus(res, rows.status());
    json arr = json::array();
    for (const auto& a : *rows) {
      json detail = nullptr;
      if (!a.detail.empty()) detail = json::parse(a.detail, nullptr, false);
      if (detail.is_discarded()) detail = a.detail;
      arr.push_back({{"id", a.id},
                     {"wall", a.wall},
                     {"actor", a.actor},
                     {"action", a.action},
                     {"target", a.target},
                     {"detail", detail},
                     {"hash", a.hash}});
    }
    json out{{"audit", arr}};
    out["next_after_id"] =
        static_cast<int>(rows->size()) == limit ? json(rows->back().id) : json(nullptr);
    Json(res, out);
  });
  s.Get("/api/audit/verify", [this, need](const httplib::Request& req, httplib::Response& res) {
    if (!need(req, res, Role::kAdmin)) return;
    auto problems = store::VerifyAuditChain(deps_.store);
    if (!problems.ok()) return ErrorStatus(res, problems.status());
    json arr = json::array();
    for (const auto& p : *problems) arr.push_back({{"id", p.id}, {"problem", p.what}});
    Json(res, json{{"ok", problems->empty()}, {"problems", arr}});
  });

  // ---- optional local map tiles ----
  if (!opts_.http.tiles_dir.empty()) {
    s.Get(R"(/tiles/(\d{1,2})/(\d{1,7})/(\d{1,7})\.png)",
          [this](const httplib::Request& req, httplib::Response& res) {
            const fs::path p = fs::path(opts_.http.tiles_dir) / std::string(req.matches[1]) /
                               std::string(req.matches[2]) /
                               (std::string(req.matches[3]) + ".png");
            std::string body;
            if (!ReadFile(p.string(), &body)) return Error(res, 404, "no tile");
            res.set_header("Cache-Control", "private, max-age=86400");
            res.set_content(std::move(body), "image/png");
          });
  }

  // ---- static UI ----
  s.Get(R"(/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string p = req.path == "/" ? "/index.html" : req.path;
    auto it = impl_->assets.find(p);
    if (it == impl_->assets.end()) return Error(res, 404, "not found");
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Content-Type-Options", "nosniff");
    if (p == "/index.html") {
      // Only our own files: no CDN, no inline script from elsewhere.
      res.set_header("Content-Security-Policy",
                     "default-src 'self'; img-src 'self' data: blob:; style-src 'self' "
                     "'unsafe-inline'; frame-ancestors 'none'");
    }
    res.set_content(it->second.first, it->second.second);
  });
}

std::string Server::RenderChange(const store::Change& c) {
  {
    std::lock_guard<std::mutex> lock(impl_->render_mu);
    auto it = impl_->rendered.find(c.seq);
    if (it != impl_->rendered.end()) return it->second;
  }
  json data{{"seq", c.seq}, {"kind", c.kind}, {"event_id", c.event_id}};
  auto e = deps_.store->Get(c.event_id);
  if (e.ok()) {
    auto acks = deps_.store->GetAcks({c.event_id});
    const store::EventAck* ack = acks.ok() && !acks->empty() ? &acks->front() : nullptr;
    data["event"] = EventJson(*e, ack);
  } else {
    data["event"] = nullptr;
  }
  std::string msg = "id: " + std::to_string(c.seq) + "\nevent: " + c.kind +
                    "\ndata: " + data.dump() + "\n\n";
  std::lock_guard<std::mutex> lock(impl_->render_mu);
  impl_->rendered.emplace(c.seq, msg);
  while (impl_->rendered.size() > kRenderCacheSize) impl_->rendered.erase(impl_->rendered.begin());
  return msg;
}

}  // namespace watchline::server
