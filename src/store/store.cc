#include "store/store.h"

#include <openssl/evp.h>

#include <cmath>
#include <cstdio>
#include <string>

namespace watchline::store {

namespace {

// "event line_crossing (camera c1)": how messages name the event at fault.
std::string Describe(const events::Event& e) {
  return "event " + (e.type.empty() ? std::string("<no type>") : e.type) + " (camera " +
         (e.camera.empty() ? std::string("<none>") : e.camera) + ")";
}

bool Finite(double v) { return std::isfinite(v); }

}  // namespace

Status ValidateForAppend(const events::Event& e) {
  if (e.id != 0) {
    return Status::InvalidArgument(Describe(e) + " already has id " + std::to_string(e.id) +
                                   "; Append assigns ids");
  }
  if (e.type.empty()) return Status::InvalidArgument(Describe(e) + ": type is empty");
  if (e.camera.empty()) return Status::InvalidArgument(Describe(e) + ": camera is empty");
  if (!Finite(e.t)) return Status::InvalidArgument(Describe(e) + ": t is not finite");
  if (e.end && !Finite(*e.end)) return Status::InvalidArgument(Describe(e) + ": end is not finite");
  if (!Finite(e.confidence)) {
    return Status::InvalidArgument(Describe(e) + ": confidence is not finite");
  }
  if (!Finite(e.wall)) return Status::InvalidArgument(Describe(e) + ": wall is not finite");
  if (e.box && !(Finite(e.box->x) && Finite(e.box->y) && Finite(e.box->w) && Finite(e.box->h))) {
    return Status::InvalidArgument(Describe(e) + ": box has a non-finite coordinate");
  }
  if (e.position && !(Finite(e.position->lat) && Finite(e.position->lon))) {
    return Status::InvalidArgument(Describe(e) + ": position is not finite");
  }
  return Status::Ok();
}

Status ValidateFilter(const EventFilter& f) {
  if (f.limit < 1 || f.limit > kMaxQueryLimit) {
    return Status::InvalidArgument("event query limit " + std::to_string(f.limit) +
                                   " is outside 1.." + std::to_string(kMaxQueryLimit));
  }
  if (f.after_id < 0) {
    return Status::InvalidArgument("event query after_id " + std::to_string(f.after_id) +
                                   " is negative");
  }
  if ((f.from_wall && !Finite(*f.from_wall)) || (f.to_wall && !Finite(*f.to_wall))) {
    return Status::InvalidArgument("event query wall range is not finite");
  }
  if (f.ack_state && *f.ack_state != "new" && *f.ack_state != "acknowledged" &&
      *f.ack_state != "resolved") {
    return Status::InvalidArgument("event query state '" + *f.ack_state +
                                   "' is not new, acknowledged or resolved");
  }
  return Status::Ok();
}

Status ValidateCameraState(const CameraState& s) {
  if (s.camera.empty()) return Status::InvalidArgument("camera state has an empty camera id");
  if (s.state.empty()) {
    return Status::InvalidArgument("camera state of camera " + s.camera + " is empty");
  }
  if (!Finite(s.since_wall) || !Finite(s.updated_wall)) {
    return Status::InvalidArgument("camera state of camera " + s.camera + " has a non-finite time");
  }
  return Status::Ok();
}

std::string Sha256Hex(const std::string& bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (unsigned int i = 0; i < n; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

std::string AuditHash(const std::string& prev_hash, const AuditEntry& a) {
  char wall[64];
  std::snprintf(wall, sizeof wall, "%.6f", a.wall);
  std::string text;
  for (const std::string& f : {prev_hash, std::to_string(a.id), std::string(wall), a.actor,
                               a.action, a.target, a.detail}) {
    text += std::to_string(f.size());
    text += ':';
    text += f;
    text += ';';
  }
  return Sha256Hex(text);
}

Result<std::vector<AuditProblem>> VerifyAuditChain(Store* store) {
  std::vector<AuditProblem> problems;
  int64_t expect_id = 1;
  std::string prev_hash;  // the stored hash of the previous row
  int64_t after = 0;
  while (true) {
    WL_ASSIGN_OR_RETURN(std::vector<AuditEntry> rows, store->ListAudit(after, 1000));
    if (rows.empty()) break;
    for (const AuditEntry& a : rows) {
      if (a.id != expect_id) {
        problems.push_back({expect_id, "deleted (rows " + std::to_string(expect_id) + ".." +
                                           std::to_string(a.id - 1) + " are missing)"});
      }
      if (a.hash != AuditHash(a.prev_hash, a)) {
        problems.push_back({a.id, "edited (its content does not match its hash)"});
      } else if (a.prev_hash != prev_hash) {
        problems.push_back({a.id, "chain broken (its prev_hash does not match the row before; "
                                  "the row before was edited or deleted)"});
      }
      prev_hash = a.hash;
      expect_id = a.id + 1;
      after = a.id;
    }
  }
  WL_ASSIGN_OR_RETURN(int64_t last, store->LastAuditId());
  if (last >= expect_id) {
    problems.push_back({expect_id, "deleted (rows " + std::to_string(expect_id) + ".." +
                                       std::to_string(last) + " are missing at the end)"});
  }
  return problems;
}

}  // namespace watchline::store
