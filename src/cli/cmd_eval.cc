// watchline eval: score watchline's output against ground truth.
//   eval events: detected events (JSON Lines) against true events, either a
//   ground-truth events.jsonl (the simulator writes one) or the crossings
//   implied by a MOTChallenge gt.txt and a line.
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "eval/crossings.h"

namespace watchline::cli {
namespace {

struct EvalEventsArgs {
  std::string truth;
  std::string mot_gt;
  std::string found;
  std::string line;      // x1,y1,x2,y2[,x3,y3...] normalised
  std::string line_id = "line";
  std::string size;      // WxH
  double fps = 25;
  double tolerance = 0.5;
  bool ignore_direction = false;
  bool json = false;
  std::string type;      // only events of this type
};

Result<config::LineRule> ParseLine(const std::string& text, const std::string& id) {
  std::vector<double> v;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      v.push_back(std::stod(item));
    } catch (...) {
      return Status::InvalidArgument("--line: '" + item + "' is not a number");
    }
  }
  if (v.size() < 4 || v.size() % 2) {
    return Status::InvalidArgument("--line needs x1,y1,x2,y2[,...] in normalised 0-1 coordinates");
  }
  config::LineRule l;
  l.id = id;
  for (size_t i = 0; i < v.size(); i += 2) l.points.push_back({v[i], v[i + 1]});
  return l;
}

int RunEvalEvents(const EvalEventsArgs& a) {
  std::vector<events::Event> truth;
  if (!a.mot_gt.empty()) {
    auto line = ParseLine(a.line, a.line_id);
    if (!line.ok()) {
      PrintError(line.status().message());
      return 2;
    }
    int w = 0, h = 0;
    if (std::sscanf(a.size.c_str(), "%dx%d", &w, &h) != 2 || w <= 0 || h <= 0) {
      PrintError("--size WxH is required with --mot-gt (the image size of the boxes)");
      return 2;
    }
    auto boxes = eval::ReadMotGt(a.mot_gt);
    if (!boxes.ok()) {
      PrintError(boxes.status().message());
      return boxes.status().ExitCode();
    }
    eval::CrossingOptions opt;
    opt.width = w;
    opt.height = h;
    opt.fps = a.fps;
    truth = eval::CrossingsFromMot(*boxes, *line, opt);
  } else if (!a.truth.empty()) {
    auto t = eval::ReadEventsJsonl(a.truth);
    if (!t.ok()) {
      PrintError(t.status().message());
      return t.status().ExitCode();
    }
    truth = std::move(t).value();
  } else {
    PrintError("give the truth: --truth events.jsonl, or --mot-gt gt.txt with --line and --size");
    return 2;
  }
  auto found = eval::ReadEventsJsonl(a.found);
  if (!found.ok()) {
    PrintError(found.status().message());
    return found.status().ExitCode();
  }
  std::vector<events::Event> f = std::move(found).value();
  auto keep = [&](std::vector<events::Event>& v) {
    std::erase_if(v, [&](const events::Event& e) {
      if (!a.type.empty()) return e.type != a.type;
      return e.IsHealth();  // health events are scored by the health evaluation
    });
  };
  keep(truth);
  keep(f);
  eval::MatchOptions mo;
  mo.tolerance_s = a.tolerance;
  mo.match_direction = !a.ignore_direction;
  mo.match_rule = a.mot_gt.empty();  // a drawn --line has no rule id to match against
  auto r = eval::MatchEvents(truth, f, mo);
  if (a.json) {
    nlohmann::json j = {{"truth", truth.size()},        {"found", f.size()},
                        {"true_positives", r.true_positives},
                        {"false_positives", r.false_positives},
                        {"false_negatives", r.false_negatives},
                        {"precision", r.precision}, {"recall", r.recall},
                        {"f1", r.f1},               {"tolerance_s", a.tolerance}};
    nlohmann::json missed = nlohmann::json::array(), spurious = nlohmann::json::array();
    for (const auto& e : r.missed) missed.push_back(events::ToJson(e));
    for (const auto& e : r.spurious) spurious.push_back(events::ToJson(e));
    j["missed"] = missed;
    j["spurious"] = spurious;
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("truth %zu, found %zu: TP %d, FP %d, FN %d\n", truth.size(), f.size(),
                r.true_positives, r.false_positives, r.false_negatives);
    std::printf("precision %.3f  recall %.3f  F1 %.3f  (tolerance %.2f s)\n", r.precision, r.recall,
                r.f1, a.tolerance);
    for (const auto& e : r.missed)
      std::printf("  missed:   t=%.2f %s %s %s\n", e.t, e.type.c_str(), e.rule.c_str(),
                  e.direction.c_str());
    for (const auto& e : r.spurious)
      std::printf("  spurious: t=%.2f %s %s %s track %lld\n", e.t, e.type.c_str(), e.rule.c_str(),
                  e.direction.c_str(), static_cast<long long>(e.track));
  }
  return 0;
}

}  // namespace

void RegisterEval(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("eval", "Score watchline's output against ground truth");
  cmd->require_subcommand(1);
  auto* ev = cmd->add_subcommand(
      "events", "Match detected events to true ones by type, rule, direction and time");
  auto a = std::make_shared<EvalEventsArgs>();
  ev->add_option("--found", a->found, "detected events, JSON Lines (watchline analyze output)")
      ->required();
  ev->add_option("--truth", a->truth, "true events, JSON Lines (e.g. the simulator's events.jsonl)");
  ev->add_option("--mot-gt", a->mot_gt, "MOTChallenge gt.txt: derive true crossings of --line");
  ev->add_option("--line", a->line, "x1,y1,x2,y2[,...] normalised line for --mot-gt");
  ev->add_option("--line-id", a->line_id, "rule id of --line");
  ev->add_option("--size", a->size, "WxH image size of the --mot-gt boxes");
  ev->add_option("--fps", a->fps, "frame rate of the --mot-gt sequence")->capture_default_str();
  ev->add_option("--tolerance", a->tolerance, "time tolerance, seconds")->capture_default_str();
  ev->add_option("--type", a->type, "score only events of this type");
  ev->add_flag("--ignore-direction", a->ignore_direction, "match crossings regardless of direction");
  ev->add_flag("--json", a->json, "print the result as JSON");
  ev->callback([a, exit_code] { *exit_code = RunEvalEvents(*a); });
  RegisterEvalHealth(cmd, exit_code);
}

}  // namespace watchline::cli
