#include "coverage/planner.h"

#include <glpk.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <cmath>
#include <memory>

#include "coverage/intersector.h"

namespace watchline::coverage {
namespace {

// Two interval ends closer than this are the same point (metres).
constexpr double kTouchM = 1e-6;

struct GlpDeleter {
  void operator()(glp_prob* p) const { glp_delete_prob(p); }
};

Result<CoverSolution> Greedy(double length_m, const std::vector<std::vector<Interval>>& covers) {
  struct Item {
    Interval iv;
    size_t cand;
  };
  std::vector<Item> items;
  for (size_t j = 0; j < covers.size(); ++j) {
    if (covers[j].size() > 1)
      return Status::InvalidArgument("greedy cover needs one interval per candidate; candidate " +
                                     std::to_string(j) + " has " +
                                     std::to_string(covers[j].size()));
    if (covers[j].size() == 1) items.push_back({covers[j][0], j});
  }
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.iv.from_m < b.iv.from_m; });
  CoverSolution sol;
  sol.method = "greedy";
  sol.optimal = true;
  size_t i = 0;
  while (i < items.size()) {
    // A connected stretch of what can be reached starts at items[i].
    double pos = items[i].iv.from_m;
    while (true) {
      double best_to = pos;
      size_t best = items.size();
      while (i < items.size() && items[i].iv.from_m <= pos + kTouchM) {
        if (items[i].iv.to_m > best_to) {
          best_to = items[i].iv.to_m;
          best = i;
        }
        ++i;
      }
      if (best == items.size()) break;  // nothing reaches past pos: the stretch ends
      sol.chosen.push_back(items[best].cand);
      pos = best_to;
      if (pos >= length_m - kTouchM) break;
    }
    // Skip items that end within what is already covered.
    while (i < items.size() && items[i].iv.to_m <= pos + kTouchM) ++i;
  }
  std::sort(sol.chosen.begin(), sol.chosen.end());
  sol.lower_bound = static_cast<double>(sol.chosen.size());
  return sol;
}

Result<CoverSolution> Ilp(double length_m, const std::vector<std::vector<Interval>>& covers,
                          int k, double time_limit_s) {
  // Elementary stretches between all interval ends.
  std::vector<double> br;
  for (const auto& c : covers)
    for (const Interval& iv : c) {
      br.push_back(iv.from_m);
      br.push_back(iv.to_m);
    }
  std::sort(br.begin(), br.end());
  br.erase(std::unique(br.begin(), br.end()), br.end());
  CoverSolution sol;
  sol.method = "ilp";
  if (br.size() < 2) {
    sol.optimal = true;
    return sol;
  }
  const size_t n = br.size() - 1;
  std::vector<int> adds(br.size(), 0), removes(br.size(), 0), cnt(n, 0);
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> ranges(covers.size());
  for (size_t j = 0; j < covers.size(); ++j) {
    for (const Interval& iv : covers[j]) {
      const auto a = std::lower_bound(br.begin(), br.end(), iv.from_m) - br.begin();
      const auto b = std::lower_bound(br.begin(), br.end(), iv.to_m) - br.begin();
      if (b <= a) continue;
      ranges[j].push_back({static_cast<uint32_t>(a), static_cast<uint32_t>(b)});
      ++adds[a];
      ++removes[b];
    }
  }
  int running = 0;
  for (size_t e = 0; e < n; ++e) {
    running += adds[e] - removes[e];
    cnt[e] = running;
  }
  auto demand = [&](size_t e) { return std::min(k, cnt[e]); };
  // Drop rows implied by a neighbour: across a break with only additions the
  // later row's set contains the earlier's; with only removals, the reverse.
  std::vector<int> row_of(n, -1);
  int rows = 0;
  for (size_t e = 0; e < n; ++e) {
    if (cnt[e] == 0) continue;
    const bool by_prev = e > 0 && cnt[e - 1] > 0 && removes[e] == 0 && adds[e] > 0 &&
                         demand(e) <= demand(e - 1);
    const bool by_next = e + 1 < n && cnt[e + 1] > 0 && adds[e + 1] == 0 && removes[e + 1] > 0 &&
                         demand(e) <= demand(e + 1);
    if (by_prev || by_next) continue;
    row_of[e] = rows++;
  }
  sol.rows = rows;
  if (rows == 0) {
    sol.optimal = true;
    return sol;
  }
  std::unique_ptr<glp_prob, GlpDeleter> lp(glp_create_prob());
  glp_set_obj_dir(lp.get(), GLP_MIN);
  glp_add_rows(lp.get(), rows);
  for (size_t e = 0; e < n; ++e)
    if (row_of[e] >= 0) glp_set_row_bnds(lp.get(), row_of[e] + 1, GLP_LO, demand(e), 0);
  std::vector<int> used;  // columns that touch a kept row
  std::vector<int> ia{0}, ja{0};
  std::vector<double> ar{0};
  std::vector<int> col_of(covers.size(), -1);
  for (size_t j = 0; j < covers.size(); ++j) {
    for (auto [a, b] : ranges[j]) {
      for (uint32_t e = a; e < b; ++e) {
        if (row_of[e] < 0) continue;
        if (col_of[j] < 0) {
          col_of[j] = static_cast<int>(used.size());
          used.push_back(static_cast<int>(j));
        }
        ia.push_back(row_of[e] + 1);
        ja.push_back(col_of[j] + 1);
        ar.push_back(1);
      }
    }
  }
  glp_add_cols(lp.get(), static_cast<int>(used.size()));
  for (size_t c = 0; c < used.size(); ++c) {
    glp_set_col_kind(lp.get(), static_cast<int>(c) + 1, GLP_BV);
    glp_set_obj_coef(lp.get(), static_cast<int>(c) + 1, 1);
  }
  glp_load_matrix(lp.get(), static_cast<int>(ia.size()) - 1, ia.data(), ja.data(), ar.data());

  const auto t0 = std::chrono::steady_clock::now();
  glp_smcp smcp;
  glp_init_smcp(&smcp);
  smcp.msg_lev = GLP_MSG_OFF;
  smcp.presolve = GLP_ON;
  smcp.tm_lim = static_cast<int>(time_limit_s * 1000);
  if (glp_simplex(lp.get(), &smcp) != 0 || glp_get_status(lp.get()) != GLP_OPT)
    return Status::Internal("GLPK: the LP relaxation did not solve (status " +
                            std::to_string(glp_get_status(lp.get())) + ")");
  sol.lower_bound = std::ceil(glp_get_obj_val(lp.get()) - 1e-6);
  const double used_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  glp_iocp iocp;
  glp_init_iocp(&iocp);
  iocp.msg_lev = GLP_MSG_OFF;
  iocp.presolve = GLP_OFF;  // the LP above is the root
  iocp.cov_cuts = GLP_ON;
  iocp.fp_heur = GLP_ON;
  iocp.tm_lim = std::max(1, static_cast<int>((time_limit_s - used_s) * 1000));
  const int rc = glp_intopt(lp.get(), &iocp);
  const int st = glp_mip_status(lp.get());
  if (st != GLP_OPT && st != GLP_FEAS)
    return Status::Unavailable("GLPK: no feasible plan within " + std::to_string(time_limit_s) +
                               " s (rc " + std::to_string(rc) + ")");
  sol.optimal = st == GLP_OPT;
  for (size_t c = 0; c < used.size(); ++c)
    if (glp_mip_col_val(lp.get(), static_cast<int>(c) + 1) > 0.5)
      sol.chosen.push_back(static_cast<size_t>(used[c]));
  std::sort(sol.chosen.begin(), sol.chosen.end());
  if (sol.optimal) sol.lower_bound = static_cast<double>(sol.chosen.size());
  return sol;
}

}  // namespace

Result<CoverSolution> SolveCover(double length_m, const std::vector<std::vector<Interval>>& covers,
                                 int k, CoverMethod method, double time_limit_s) {
  if (k < 1) return Status::InvalidArgument("k must be 1 or more, got " + std::to_string(k));
  std::vector<std::vector<Interval>> norm;
  norm.reserve(covers.size());
  bool single = true;
  for (const auto& c : covers) {
    norm.push_back(Normalise(c, length_m));
    single &= norm.back().size() <= 1;
  }
  if (method == CoverMethod::kGreedy || (method == CoverMethod::kAuto && k == 1 && single)) {
    if (k != 1) return Status::InvalidArgument("the greedy cover is exact only for k = 1");
    return Greedy(length_m, norm);
  }
  glp_term_out(GLP_OFF);
  return Ilp(length_m, norm, k, time_limit_s);
}

Result<PlanResult> Plan(const geometry::Perimeter& per, const PlanOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  if (opt.k < 1) return Status::InvalidArgument("k must be 1 or more");
  if (opt.sites.empty() && !(opt.spacing_m > 0))
    return Status::InvalidArgument("candidate spacing must be positive");
  WL_ASSIGN_OR_RETURN(auto inter, FootprintIntersector::Create(per));

  geometry::CameraSpec base;
  base.optics = opt.model.optics;
  if (opt.hfov_deg) {
    base.optics.hfov_deg = *opt.hfov_deg;
    base.optics.vfov_deg = 0;
  }
  base.height_m = opt.height_m.value_or(opt.model.height_m);
  base.tilt_deg = opt.tilt_deg.value_or(opt.model.tilt_deg);

  std::vector<PlannedCamera> cands;
  std::vector<std::vector<Interval>> covers;
  auto add = [&](PlannedCamera pc, double scale) -> Status {
    geometry::CameraSpec s = base;
    s.id = pc.name;
    s.position = pc.position;
    s.heading_deg = pc.heading_deg;
    s.height_m = pc.height_m;
    s.frame_scale = scale;
    WL_ASSIGN_OR_RETURN(geometry::Footprint fp, geometry::BuildFootprint(s, opt.footprint));
    WL_ASSIGN_OR_RETURN(pc.covers, inter->Intersect(fp.polygon));
    if (pc.covers.empty()) return Status::Ok();
    pc.tilt_deg = s.tilt_deg;
    pc.hfov_deg = s.optics.hfov_deg;
    covers.push_back(pc.covers);
    cands.push_back(std::move(pc));
    return Status::Ok();
  };
  // Headings for a camera beside the line, from its tangent turned toward it.
  auto headings = [&](geometry::Vec2 tangent, geometry::Vec2 to_line) {
    std::vector<double> hs;
    for (double off : opt.heading_offsets_deg) {
      const double a = off * 3.14159265358979323846 / 180;
      for (double dir : {1.0, -1.0}) {
        const geometry::Vec2 d = tangent * (dir * std::cos(a)) + to_line * std::sin(a);
        const double h = geometry::BearingOf(d);
        bool dup = false;
        for (double x : hs) dup |= std::abs(x - h) < 1e-6;
        if (!dup) hs.push_back(h);
      }
    }
    return hs;
  };
  auto tangent_at = [&](double c) {
    const geometry::Vec2 n = per.InsideNormalAt(c);
    // Inside normal is the tangent turned left (inside left) or right.
    return per.inside() == geometry::InsideSide::kLeft ? geometry::Vec2{n.y, -n.x}
                                                       : geometry::Vec2{-n.y, n.x};
  };
  size_t serial = 0;
  if (opt.sites.empty()) {
    for (const auto& part : per.parts()) {
      for (double c = part.from_m; c <= part.to_m + kTouchM; c += opt.spacing_m) {
        const geometry::Vec2 p = per.PointAt(c), n = per.InsideNormalAt(c), t = tangent_at(c);
        for (int side = 0; side < 2; ++side) {
          if ((side == 0 && !opt.inside) || (side == 1 && !opt.outside)) continue;
          const geometry::Vec2 out = side == 0 ? n : n * -1;
          const geometry::Vec2 pos = p + out * opt.offset_m;
          const double scale = per.frame().ScaleAt(per.frame().ToLatLon(pos));
          ++serial;
          for (double h : headings(t, out * -1)) {
            PlannedCamera pc;
            pc.name = "s" + std::to_string(serial);
            pc.position = pos;
            pc.heading_deg = h;
            pc.height_m = base.height_m;
            pc.chainage_m = c;
            pc.side = side == 0 ? "inside" : "outside";
            WL_RETURN_IF_ERROR(add(std::move(pc), scale));
          }
        }
      }
    }
  } else {
    for (const CandidateSite& site : opt.sites) {
      const auto loc = per.Locate(site.position);
      const double scale = per.frame().ScaleAt(per.frame().ToLatLon(site.position));
      std::vector<double> hs;
      if (site.heading_deg) {
        hs = {*site.heading_deg};
      } else {
        geometry::Vec2 to_line = loc.nearest - site.position;
        const double d = geometry::Norm(to_line);
        to_line = d > 0 ? to_line * (1 / d) : per.InsideNormalAt(loc.chainage_m) * -1;
        hs = headings(tangent_at(loc.chainage_m), to_line);
      }
      for (double h : hs) {
        PlannedCamera pc;
        pc.name = site.name;
        pc.position = site.position;
        pc.heading_deg = h;
        pc.height_m = site.height_m.value_or(base.height_m);
        pc.chainage_m = loc.chainage_m;
        pc.side = "given";
        WL_RETURN_IF_ERROR(add(std::move(pc), scale));
      }
    }
  }

  PlanResult r;
  r.candidate_count = cands.size();
  WL_ASSIGN_OR_RETURN(r.solution, SolveCover(per.length_m(), covers, opt.k, opt.method,
                                             opt.time_limit_s));
  std::vector<CameraIntervals> chosen_iv;
  for (size_t j : r.solution.chosen) {
    r.chosen.push_back(cands[j]);
    chosen_iv.push_back({cands[j].name, cands[j].covers});
  }
  // Number the chosen cameras in chainage order.
  std::vector<size_t> order(r.chosen.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return r.chosen[a].chainage_m < r.chosen[b].chainage_m;
  });
  std::vector<PlannedCamera> sorted;
  std::vector<CameraIntervals> sorted_iv;
  for (size_t i : order) {
    sorted.push_back(std::move(r.chosen[i]));
    sorted_iv.push_back(std::move(chosen_iv[i]));
  }
  r.chosen = std::move(sorted);
  std::map<std::string, int> seen;
  for (size_t i = 0; i < r.chosen.size(); ++i) {
    if (opt.sites.empty()) {
      r.chosen[i].name = "p" + std::to_string(i + 1);
    } else if (const int n = ++seen[r.chosen[i].name]; n > 1) {
      r.chosen[i].name += "-" + std::to_string(n);  // a second camera on the same post
    }
    sorted_iv[i].camera = r.chosen[i].name;
  }
  std::vector<CameraIntervals> all_iv;
  for (size_t j = 0; j < cands.size(); ++j) all_iv.push_back({cands[j].name, cands[j].covers});
  r.unreachable = ComputeCoverage(per.length_m(), all_iv).gaps;
  r.coverage = ComputeCoverage(per.length_m(), sorted_iv);
  const double n = static_cast<double>(r.chosen.size());
  r.gap = n > 0 ? (n - r.solution.lower_bound) / n : 0;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace watchline::coverage
