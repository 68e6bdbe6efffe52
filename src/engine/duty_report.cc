#include "engine/duty_report.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

#include <date/date.h>

#include "duty/duty_monitor.h"

namespace watchline::engine {

namespace {
const char* const kDutyTypes[] = {"post_vacant", "post_inactive", "patrol_missed", "patrol_late",
                                  "patrol_checkpoint"};
}  // namespace

Result<duty::Report> BuildDutyReport(store::Store* store, const config::Config& cfg, double from,
                                     double to) {
  if (!(from < to)) return Status::InvalidArgument("the report period is empty: --from must be before --to");
  std::vector<duty::PostSpec> posts;
  std::vector<duty::PatrolSpec> patrols;
  for (const auto& p : cfg.posts) {
    WL_ASSIGN_OR_RETURN(duty::PostSpec s, duty::PostSpecFromConfig(p));
    posts.push_back(std::move(s));
  }
  for (const auto& p : cfg.patrols) {
    WL_ASSIGN_OR_RETURN(duty::PatrolSpec s, duty::PatrolSpecFromConfig(p));
    patrols.push_back(std::move(s));
  }
  std::vector<events::Event> stored;
  for (const char* type : kDutyTypes) {
    store::EventFilter f;
    f.type = type;
    f.from_wall = from - kReportLookbackS;
    f.to_wall = to;
    f.limit = store::kMaxQueryLimit;
    for (;;) {
      WL_ASSIGN_OR_RETURN(std::vector<events::Event> page, store->Query(f));
      for (events::Event& e : page) {
        f.after_id = e.id;
        const double t0 = e.t;
        e.t = e.wall;
        if (e.end) e.end = e.wall + (*e.end - t0);
        stored.push_back(std::move(e));
      }
      if (static_cast<int>(page.size()) < f.limit) break;
    }
  }
  return duty::BuildReport(posts, patrols, stored, from, to);
}

Result<double> ParseReportTime(const std::string& text) {
  auto bad = [&] {
    return Status::InvalidArgument(
        "cannot read the time '" + text +
        "': use ISO-8601 with a zone (2026-03-28T22:00:00Z, 2026-03-28T23:00+01:00), a date "
        "(2026-03-28, UTC) or epoch seconds");
  };
  if (text.empty()) return bad();
  // Epoch seconds.
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end && *end == '\0' && std::isfinite(v) && text.find('-') == std::string::npos) return v;
  using namespace std::chrono;
  for (const char* fmt : {"%FT%TZ", "%FT%RZ", "%FT%T%Ez", "%FT%R%Ez", "%F %TZ", "%F %T%Ez"}) {
    std::istringstream in(text);
    date::sys_time<milliseconds> tp;
    in >> date::parse(fmt, tp);
    if (!in.fail() && in.peek() == EOF)
      return duration_cast<duration<double>>(tp.time_since_epoch()).count();
  }
  {
    std::istringstream in(text);
    date::sys_days d;
    in >> date::parse("%F", d);
    if (!in.fail() && in.peek() == EOF)
      return static_cast<double>(duration_cast<seconds>(d.time_since_epoch()).count());
  }
  return bad();
}

}  // namespace watchline::engine
