// watchline eval: score watchline's output against ground truth.
//   eval events: detected events (JSON Lines) against true events, either a
//   ground-truth events.jsonl (the simulator writes one) or the crossings
//   implied by a MOTChallenge gt.txt and a line.
//   eval foreground: CDnet scoring of watchline's foreground against OpenCV's
//   MOG2, KNN and CNT on the same decoded frames, or of a foreground dump.
//   eval tracks: CLEAR MOT and IDF1 of tracks (a MOT file, or watchline's
//   tracker run over a clip) against a MOTChallenge gt.txt.
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "analysis/camera_analyzer.h"
#include "base/clock.h"
#include "cli/commands.h"
#include "eval/crossings.h"
#include "eval/fg_methods.h"
#include "eval/foreground.h"
#include "eval/mot.h"
#include "ingest/ffmpeg_source.h"

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

// ---- eval foreground ------------------------------------------------------

struct EvalForegroundArgs {
  std::string input;         // image pattern, directory, or a video file
  std::string gt;            // ground-truth masks: directory, pattern or one file
  std::string roi;           // ROI.bmp
  std::string temporal_roi;  // temporalROI.txt
  std::string methods = "watchline,mog2,knn,cnt";
  std::string fg;            // score this foreground dump (fg%06d.png) instead
  std::string dump;          // write each method's masks to dump/<method>/fg%06d.png
  std::string config, camera;  // detection settings for watchline (default: the defaults)
  double fps = 25;
  double warmup_s = 0;
  bool json = false;
};

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool IsImagePath(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (auto& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".tif" ||
         ext == ".tiff";
}

// The camera a --config/--camera pair names, or InvalidArgument.
Result<config::CameraConfig> FindCamera(const std::string& path, const std::string& id) {
  WL_ASSIGN_OR_RETURN(config::Config cfg, config::LoadConfig(path));
  for (const auto& c : cfg.cameras) {
    if (c.id == id) return c;
  }
  return Status::InvalidArgument(path + ": no camera '" + id + "'");
}

// Decodes every frame of `input` into memory: an image sequence with
// cv::imread (grey), anything else (a video file) with FfmpegSource at its own
// resolution. Frame times are (number - first number) / fps for images, media
// time for video.
Status LoadFrames(const std::string& input, double fps, eval::FgSequence* seq) {
  std::error_code ec;
  const bool video = std::filesystem::is_regular_file(input, ec) && !IsImagePath(input);
  if (!video) {
    WL_ASSIGN_OR_RETURN(auto files, eval::ListSequence(input));
    for (const auto& f : files) {
      WL_ASSIGN_OR_RETURN(cv::Mat m, eval::ReadGrayImage(f.path));
      if (!seq->frames.empty() && m.size() != seq->frames[0].size()) {
        return Status::InvalidArgument(f.path + " is " + std::to_string(m.cols) + "x" +
                                       std::to_string(m.rows) + ", unlike the frames before it");
      }
      seq->frames.push_back(std::move(m));
      seq->numbers.push_back(f.number);
      seq->times.push_back(static_cast<double>(f.number - files.front().number) / fps);
    }
    return Status::Ok();
  }
  config::CameraConfig cam;
  cam.id = "eval";
  cam.source = input;
  cam.fps = fps;
  cam.analysis.width = 0;  // the input's own size
  cam.analysis.fps = 0;    // every frame
  ingest::FfmpegSource source(cam, Clock::Real(), /*want_color=*/false);
  WL_RETURN_IF_ERROR(source.Open().WithContext(input));
  while (true) {
    WL_ASSIGN_OR_RETURN(ingest::FramePtr f, source.Next());
    if (!f) break;
    seq->frames.push_back(f->gray.clone());
    seq->numbers.push_back(f->index);
    seq->times.push_back(f->t);
  }
  if (seq->frames.empty()) return Status::InvalidArgument(input + ": no frames");
  return Status::Ok();
}

// Ground truth inside the temporal ROI, by frame number.
Status LoadGroundTruth(const std::string& spec, const std::optional<eval::TemporalRoi>& troi,
                       eval::FgSequence* seq) {
  WL_ASSIGN_OR_RETURN(auto files, eval::ListSequence(spec));
  for (const auto& f : files) {
    if (troi && !troi->Contains(f.number)) continue;
    WL_ASSIGN_OR_RETURN(cv::Mat m, eval::ReadGrayImage(f.path));
    seq->gt[f.number] = std::move(m);
  }
  if (seq->gt.empty()) return Status::InvalidArgument(spec + ": no ground-truth mask in the temporal ROI");
  return Status::Ok();
}

nlohmann::json FgResultJson(const eval::FgMethodResult& r) {
  return {{"method", r.method},
          {"description", r.description},
          {"f_measure", r.metrics.f_measure},
          {"precision", r.metrics.precision},
          {"recall", r.metrics.recall},
          {"pwc", r.metrics.pwc},
          {"specificity", r.metrics.specificity},
          {"fpr", r.metrics.fpr},
          {"fnr", r.metrics.fnr},
          {"tp", r.counts.tp},
          {"fp", r.counts.fp},
          {"fn", r.counts.fn},
          {"tn", r.counts.tn},
          {"shadow_errors", r.counts.shadow_errors},
          {"scored_frames", r.counts.frames},
          {"scored_learning_frames", r.scored_learning},
          {"frames_run", r.frames_run},
          {"ms_per_frame", r.ms_per_frame}};
}

int RunEvalForeground(const EvalForegroundArgs& a) {
  auto fail = [](const Status& s) {
    PrintError(s.message());
    return s.ExitCode();
  };
  if (a.fps <= 0) return fail(Status::InvalidArgument("--fps must be positive"));
  if (!a.fg.empty() && !a.dump.empty()) {
    return fail(Status::InvalidArgument("--dump writes the masks of methods that run; it cannot "
                                        "be used with --fg"));
  }
  if (a.input.empty() && a.fg.empty()) {
    return fail(Status::InvalidArgument("give --input frames to run the methods on, or --fg DIR"));
  }
  eval::FgSequence seq;
  seq.warmup_s = a.warmup_s;
  if (!a.temporal_roi.empty()) {
    auto t = eval::ReadTemporalRoi(a.temporal_roi);
    if (!t.ok()) return fail(t.status());
    seq.temporal_roi = *t;
  }
  if (!a.roi.empty()) {
    auto r = eval::ReadGrayImage(a.roi);
    if (!r.ok()) return fail(r.status());
    seq.roi = std::move(r).value();
  }
  if (Status s = LoadGroundTruth(a.gt, seq.temporal_roi, &seq); !s.ok()) return fail(s);
  const cv::Size gt_size = seq.gt.begin()->second.size();
  for (const auto& [n, m] : seq.gt) {
    if (m.size() != gt_size) {
      return fail(Status::InvalidArgument(a.gt + ": mask " + std::to_string(n) +
                                          " differs in size from the first"));
    }
  }
  if (!seq.roi.empty() && seq.roi.size() != gt_size) {
    return fail(Status::InvalidArgument(a.roi + " is not the size of the ground truth"));
  }

  std::vector<eval::FgMethodResult> results;
  if (!a.fg.empty()) {
    // A foreground dump: fg%06d.png named by the input's 1-based frame number.
    auto files = eval::ListSequence(a.fg);
    if (!files.ok()) return fail(files.status());
    std::vector<int64_t> input_numbers;
    if (!a.input.empty()) {
      std::error_code ec;
      if (std::filesystem::is_regular_file(a.input, ec) && !IsImagePath(a.input)) {
        return fail(Status::InvalidArgument("--fg with --input needs an image sequence; a video's "
                                            "frame numbers are the dump's own"));
      }
      auto in = eval::ListSequence(a.input);
      if (!in.ok()) return fail(in.status());
      for (const auto& f : *in) input_numbers.push_back(f.number);
    }
    std::map<int64_t, cv::Mat> masks;
    for (const auto& f : *files) {
      int64_t n = f.number;
      if (!input_numbers.empty()) {
        if (n < 1 || n > static_cast<int64_t>(input_numbers.size())) {
          return fail(Status::InvalidArgument(f.path + ": frame " + std::to_string(n) +
                                              " is not in the input"));
        }
        n = input_numbers[n - 1];
      }
      auto m = eval::ReadGrayImage(f.path);
      if (!m.ok()) return fail(m.status());
      masks[n] = std::move(m).value();
    }
    if (input_numbers.empty()) {
      for (const auto& [n, m] : seq.gt) seq.numbers.push_back(n);
    } else {
      seq.numbers = input_numbers;
    }
    for (int64_t n : seq.numbers) seq.times.push_back(static_cast<double>(n - seq.numbers.front()) / a.fps);
    auto r = eval::ScoreMasks("dump", masks, seq);
    if (!r.ok()) return fail(r.status());
    r->description = "masks from " + a.fg;
    results.push_back(std::move(r).value());
  } else {
    config::DetectionConfig det;
    if (!a.config.empty()) {
      auto cam = FindCamera(a.config, a.camera);
      if (!cam.ok()) return fail(cam.status());
      det = cam->detection;
    }
    std::vector<std::unique_ptr<eval::ForegroundMethod>> methods;
    for (const auto& name : SplitComma(a.methods)) {
      auto m = eval::MakeForegroundMethod(name, det);
      if (!m.ok()) return fail(m.status().WithContext("--methods"));
      methods.push_back(std::move(m).value());
    }
    if (methods.empty()) return fail(Status::InvalidArgument("--methods names no method"));
    if (Status s = LoadFrames(a.input, a.fps, &seq); !s.ok()) return fail(s);
    if (seq.frames[0].size() != gt_size) {
      return fail(Status::InvalidArgument(
          a.input + ": frames are " + std::to_string(seq.frames[0].cols) + "x" +
          std::to_string(seq.frames[0].rows) + " but the ground truth is " +
          std::to_string(gt_size.width) + "x" + std::to_string(gt_size.height)));
    }
    for (auto& m : methods) {
      const std::string dir =
          a.dump.empty() ? "" : (std::filesystem::path(a.dump) / m->name()).string();
      auto r = eval::RunForegroundMethod(m.get(), seq, dir);
      if (!r.ok()) return fail(r.status());
      results.push_back(std::move(r).value());
    }
  }

  int64_t scored = 0;
  for (size_t i = 0; i < seq.numbers.size(); ++i) {
    if (eval::IsScored(seq, seq.numbers[i], seq.times[i])) ++scored;
  }
  if (a.json) {
    nlohmann::json j = {{"input", a.input.empty() ? a.fg : a.input},
                        {"gt", a.gt},
                        {"frames", seq.numbers.size()},
                        {"scored_frames", scored},
                        {"warmup_s", a.warmup_s},
                        {"fps", a.fps},
                        {"protocol", "CDnet 2014: counts summed over scored frames; ROI.bmp and "
                                     "temporal ROI applied; 170/85 not scored; 50 = background; "
                                     "output >= 128 = foreground"}};
    if (seq.temporal_roi) j["temporal_roi"] = {seq.temporal_roi->first, seq.temporal_roi->last};
    nlohmann::json ms = nlohmann::json::array();
    for (const auto& r : results) ms.push_back(FgResultJson(r));
    j["methods"] = ms;
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  std::printf("%s: %zu frames, %lld scored", a.input.empty() ? a.fg.c_str() : a.input.c_str(),
              seq.numbers.size(), static_cast<long long>(scored));
  if (seq.temporal_roi) {
    std::printf(" (temporal ROI %lld-%lld)", static_cast<long long>(seq.temporal_roi->first),
                static_cast<long long>(seq.temporal_roi->last));
  }
  if (a.warmup_s > 0) std::printf(", from t >= %.2f s", a.warmup_s);
  std::printf(", CDnet protocol\n");
  std::printf("%-10s %7s %9s %7s %8s %9s %s\n", "method", "F", "precision", "recall", "PWC",
              "ms/frame", "scored frames while learning");
  for (const auto& r : results) {
    std::printf("%-10s %7.3f %9.3f %7.3f %8.3f %9.3f %lld\n", r.method.c_str(), r.metrics.f_measure,
                r.metrics.precision, r.metrics.recall, r.metrics.pwc, r.ms_per_frame,
                static_cast<long long>(r.scored_learning));
  }
  for (const auto& r : results) std::printf("  %s: %s\n", r.method.c_str(), r.description.c_str());
  return 0;
}

// ---- eval tracks ----------------------------------------------------------

struct EvalTracksArgs {
  std::string gt;
  std::string tracks;       // a MOT file to score
  std::string input;        // or a clip to run watchline's tracker on
  std::string config, camera;
  std::string tracks_out;   // where to write the tracker's boxes (MOT format)
  double fps = 25;          // frame rate of an image-sequence --input
  double iou = 0.5;
  bool coast = false;       // also report confirmed tracks that were not seen on the frame
  bool json = false;
};

// Runs CameraAnalyzer over every frame of cam.source and returns the boxes of
// its confirmed tracks, in input pixels, numbered by the input's 1-based frame.
Result<std::vector<eval::MotBox>> TrackClip(config::CameraConfig cam, bool coast) {
  cam.analysis.fps = 0;  // every frame
  ingest::FfmpegSource source(cam, Clock::Real(), /*want_color=*/false);
  WL_RETURN_IF_ERROR(source.Open().WithContext("camera " + cam.id));
  analysis::CameraAnalyzer analyzer(cam);
  std::vector<eval::MotBox> out;
  while (true) {
    WL_ASSIGN_OR_RETURN(ingest::FramePtr f, source.Next());
    if (!f) break;
    analyzer.Process(*f);
    const double sx = f->gray.cols > 0 ? static_cast<double>(f->src_width) / f->gray.cols : 1.0;
    const double sy = f->gray.rows > 0 ? static_cast<double>(f->src_height) / f->gray.rows : 1.0;
    for (const auto& tv : analyzer.Tracks()) {
      if (!tv.confirmed) continue;
      // Seen on this frame; a coasting track (a prediction) only with --coast.
      if (!coast && std::abs(tv.last_seen_t - f->t) > 1e-9) continue;
      out.push_back({static_cast<int>(f->index), static_cast<int>(tv.id), tv.box.x * sx,
                     tv.box.y * sy, tv.box.width * sx, tv.box.height * sy});
    }
  }
  return out;
}

Status WriteMot(const std::string& path, const std::vector<eval::MotBox>& boxes) {
  std::ofstream out(path);
  if (!out) return Status::IOError("cannot write " + path);
  char line[160];
  for (const auto& b : boxes) {
    std::snprintf(line, sizeof line, "%d,%d,%.2f,%.2f,%.2f,%.2f,1,-1,-1,-1\n", b.frame, b.id, b.x,
                  b.y, b.w, b.h);
    out << line;
  }
  if (!out) return Status::IOError("cannot write " + path);
  return Status::Ok();
}

int RunEvalTracks(const EvalTracksArgs& a) {
  auto fail = [](const Status& s) {
    PrintError(s.message());
    return s.ExitCode();
  };
  if (a.iou <= 0 || a.iou > 1) return fail(Status::InvalidArgument("--iou must be in (0, 1]"));
  auto gt = eval::ReadMotGt(a.gt);
  if (!gt.ok()) return fail(gt.status());
  std::vector<eval::MotBox> hyp;
  if (!a.tracks.empty()) {
    auto t = eval::ReadMotGt(a.tracks);
    if (!t.ok()) return fail(t.status());
    hyp = std::move(t).value();
  } else if (!a.input.empty()) {
    config::CameraConfig cam;
    if (!a.config.empty()) {
      auto c = FindCamera(a.config, a.camera);
      if (!c.ok()) return fail(c.status());
      cam = std::move(c).value();
    } else {
      cam.id = "eval";
      cam.analysis.width = 0;  // the input's own width
    }
    cam.source = a.input;
    cam.fps = a.fps;
    auto t = TrackClip(cam, a.coast);
    if (!t.ok()) return fail(t.status());
    hyp = std::move(t).value();
    if (!a.tracks_out.empty()) {
      if (Status s = WriteMot(a.tracks_out, hyp); !s.ok()) return fail(s);
    }
  } else {
    return fail(Status::InvalidArgument("give --tracks tracks.txt, or --input CLIP to run the tracker"));
  }
  eval::MotOptions opt;
  opt.iou_threshold = a.iou;
  const eval::MotMetrics m = eval::EvaluateMot(*gt, hyp, opt);
  if (a.json) {
    nlohmann::json j = {{"gt", a.gt},
                        {"tracks", a.tracks.empty() ? a.input : a.tracks},
                        {"iou_threshold", a.iou},
                        {"frames", m.frames},
                        {"gt_boxes", m.gt},
                        {"hyp_boxes", m.hyp},
                        {"gt_ids", m.gt_ids},
                        {"hyp_ids", m.hyp_ids},
                        {"tp", m.tp},
                        {"fp", m.fp},
                        {"fn", m.fn},
                        {"idsw", m.idsw},
                        {"mota", m.mota},
                        {"motp", m.motp},
                        {"precision", m.precision},
                        {"recall", m.recall},
                        {"idtp", m.idtp},
                        {"idfp", m.idfp},
                        {"idfn", m.idfn},
                        {"idf1", m.idf1},
                        {"idp", m.idp},
                        {"idr", m.idr},
                        {"mostly_tracked", m.mostly_tracked},
                        {"mostly_lost", m.mostly_lost}};
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  std::printf("%lld frames; ground truth %lld boxes, %lld ids; tracks %lld boxes, %lld ids (IoU >= %.2f)\n",
              static_cast<long long>(m.frames), static_cast<long long>(m.gt),
              static_cast<long long>(m.gt_ids), static_cast<long long>(m.hyp),
              static_cast<long long>(m.hyp_ids), a.iou);
  std::printf("MOTA %.3f  MOTP %.3f  IDF1 %.3f  (IDP %.3f IDR %.3f)\n", m.mota, m.motp, m.idf1, m.idp,
              m.idr);
  std::printf("precision %.3f  recall %.3f  TP %lld  FP %lld  FN %lld  IDSW %lld  MT %lld  ML %lld\n",
              m.precision, m.recall, static_cast<long long>(m.tp), static_cast<long long>(m.fp),
              static_cast<long long>(m.fn), static_cast<long long>(m.idsw),
              static_cast<long long>(m.mostly_tracked), static_cast<long long>(m.mostly_lost));
  return 0;
}

void RegisterEvalForeground(CLI::App* eval, int* exit_code) {
  auto* cmd = eval->add_subcommand(
      "foreground",
      "CDnet scoring of foreground masks: watchline against OpenCV MOG2, KNN and CNT (OpenCV "
      "defaults) on the same decoded frames, or a --fg dump");
  auto a = std::make_shared<EvalForegroundArgs>();
  cmd->add_option("--input", a->input,
                  "frames: a directory of numbered images, a pattern (in%06d.jpg) or a video file");
  cmd->add_option("--gt", a->gt, "ground-truth masks (CDnet codes): directory, pattern or one file")
      ->required();
  cmd->add_option("--roi", a->roi, "ROI.bmp: only its non-zero pixels are scored");
  cmd->add_option("--temporal-roi", a->temporal_roi,
                  "temporalROI.txt: first and last scored frame, in the file names' numbering");
  cmd->add_option("--methods", a->methods, "comma-separated: watchline,mog2,knn,cnt")
      ->capture_default_str();
  cmd->add_option("--fg", a->fg, "score this dump of fg%06d.png (watchline analyze --dump-foreground)");
  cmd->add_option("--dump", a->dump,
                  "also write each method's masks to DIR/<method>/fg%06d.png (1-based frame "
                  "position; --fg reads them back)");
  cmd->add_option("--fps", a->fps, "frame rate of an image sequence, for stream time")
      ->capture_default_str();
  cmd->add_option("--warmup-s", a->warmup_s,
                  "do not score frames before this stream time, for every method alike")
      ->capture_default_str();
  cmd->add_option("--config", a->config, "take watchline's detection settings from this config");
  cmd->add_option("--camera", a->camera, "camera id in --config");
  cmd->add_flag("--json", a->json, "print the result as JSON");
  cmd->callback([a, exit_code] { *exit_code = RunEvalForeground(*a); });
}

void RegisterEvalTracks(CLI::App* eval, int* exit_code) {
  auto* cmd = eval->add_subcommand(
      "tracks", "MOTA and IDF1 of tracks against a MOTChallenge gt.txt (boxes, 1-based frames)");
  auto a = std::make_shared<EvalTracksArgs>();
  cmd->add_option("--gt", a->gt, "ground truth, MOT format")->required();
  cmd->add_option("--tracks", a->tracks, "tracks to score, MOT format");
  cmd->add_option("--input", a->input, "or run watchline's tracker over this clip (every frame)");
  cmd->add_option("--config", a->config, "camera settings for --input (analysis width, detection)");
  cmd->add_option("--camera", a->camera, "camera id in --config");
  cmd->add_option("--tracks-out", a->tracks_out, "write the tracker's boxes here, MOT format");
  cmd->add_option("--fps", a->fps, "frame rate of an image-sequence --input")->capture_default_str();
  cmd->add_option("--iou", a->iou, "minimum IoU for a match")->capture_default_str();
  cmd->add_flag("--coast", a->coast,
                "also report confirmed tracks on frames where they were only predicted");
  cmd->add_flag("--json", a->json, "print the result as JSON");
  cmd->callback([a, exit_code] { *exit_code = RunEvalTracks(*a); });
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
  RegisterEvalForeground(cmd, exit_code);
  RegisterEvalTracks(cmd, exit_code);
}

}  // namespace watchline::cli
