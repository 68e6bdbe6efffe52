#include "eval/foreground.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace watchline::eval {
namespace fs = std::filesystem;

FgCounts& FgCounts::operator+=(const FgCounts& o) {
  tp += o.tp;
  fp += o.fp;
  fn += o.fn;
  tn += o.tn;
  shadow_errors += o.shadow_errors;
  frames += o.frames;
  return *this;
}

namespace {
double Ratio(double num, double den) { return den > 0 ? num / den : 0.0; }
}  // namespace

FgMetrics ComputeFgMetrics(const FgCounts& c) {
  const double tp = static_cast<double>(c.tp), fp = static_cast<double>(c.fp);
  const double fn = static_cast<double>(c.fn), tn = static_cast<double>(c.tn);
  FgMetrics m;
  m.recall = Ratio(tp, tp + fn);
  m.specificity = Ratio(tn, tn + fp);
  m.fpr = Ratio(fp, fp + tn);
  m.fnr = Ratio(fn, tp + fn);
  m.pwc = Ratio(100.0 * (fn + fp), tp + fn + fp + tn);
  m.precision = Ratio(tp, tp + fp);
  m.f_measure = Ratio(2.0 * m.precision * m.recall, m.precision + m.recall);
  return m;
}

Result<FgCounts> ScoreFrame(const cv::Mat& result, const cv::Mat& gt, const cv::Mat& roi) {
  if (result.type() != CV_8UC1 || gt.type() != CV_8UC1) {
    return Status::InvalidArgument("foreground scoring needs 8-bit single-channel masks");
  }
  if (result.size() != gt.size()) {
    return Status::InvalidArgument("result mask is " + std::to_string(result.cols) + "x" +
                                   std::to_string(result.rows) + " but ground truth is " +
                                   std::to_string(gt.cols) + "x" + std::to_string(gt.rows));
  }
  if (!roi.empty() && (roi.type() != CV_8UC1 || roi.size() != gt.size())) {
    return Status::InvalidArgument("ROI mask is " + std::to_string(roi.cols) + "x" +
                                   std::to_string(roi.rows) + ", ground truth " +
                                   std::to_string(gt.cols) + "x" + std::to_string(gt.rows));
  }
  FgCounts c;
  c.frames = 1;
  for (int y = 0; y < gt.rows; ++y) {
    const uint8_t* r = result.ptr<uint8_t>(y);
    const uint8_t* g = gt.ptr<uint8_t>(y);
    const uint8_t* in = roi.empty() ? nullptr : roi.ptr<uint8_t>(y);
    for (int x = 0; x < gt.cols; ++x) {
      if (in && in[x] == 0) continue;
      const uint8_t v = g[x];
      bool positive;
      if (v == kGtForeground) {
        positive = true;
      } else if (v == kGtBackground || v == kGtShadow) {
        positive = false;
      } else {
        continue;  // 85 outside ROI, 170 unknown, or not a CDnet code
      }
      const bool detected = r[x] >= kResultForegroundMin;
      if (detected) {
        if (positive) ++c.tp; else ++c.fp;
        if (v == kGtShadow) ++c.shadow_errors;
      } else {
        if (positive) ++c.fn; else ++c.tn;
      }
    }
  }
  return c;
}

Result<TemporalRoi> ReadTemporalRoi(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot open temporal ROI " + path);
  TemporalRoi r;
  if (!(in >> r.first >> r.last) || r.last < r.first) {
    return Status::InvalidArgument(path + ":1: expected two frame numbers 'first last'");
  }
  return r;
}

Result<cv::Mat> ReadGrayImage(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return Status::NotFound("no such image: " + path);
  cv::Mat m;
  try {
    m = cv::imread(path, cv::IMREAD_GRAYSCALE);
  } catch (const cv::Exception& e) {
    return Status::Corruption("cannot decode image " + path + ": " + e.what());
  }
  if (m.empty()) return Status::Corruption("cannot decode image " + path);
  return m;
}

std::optional<int64_t> FileNumber(const std::string& filename) {
  const std::string stem = fs::path(filename).stem().string();
  size_t end = stem.size();
  while (end > 0 && !std::isdigit(static_cast<unsigned char>(stem[end - 1]))) --end;
  if (end == 0) return std::nullopt;
  size_t begin = end;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(stem[begin - 1]))) --begin;
  if (end - begin > 18) return std::nullopt;
  return std::stoll(stem.substr(begin, end - begin));
}

namespace {

bool IsImageName(const std::string& name) {
  std::string ext = fs::path(name).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".tif" ||
         ext == ".tiff";
}

// Splits a file name around its last run of digits: (before, after).
std::pair<std::string, std::string> Shape(const std::string& name) {
  size_t end = name.size();
  while (end > 0 && !std::isdigit(static_cast<unsigned char>(name[end - 1]))) --end;
  size_t begin = end;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(name[begin - 1]))) --begin;
  return {name.substr(0, begin), name.substr(end)};
}

void SortByNumber(std::vector<NumberedFile>* v) {
  std::sort(v->begin(), v->end(),
            [](const NumberedFile& a, const NumberedFile& b) { return a.number < b.number; });
}

}  // namespace

Result<std::vector<NumberedFile>> ListSequence(const std::string& spec) {
  std::error_code ec;
  std::vector<NumberedFile> out;
  const size_t pct = spec.find('%');
  if (pct != std::string::npos) {
    const fs::path p(spec);
    const std::string pattern = p.filename().string();
    const size_t ppos = pattern.find('%');
    const size_t dpos = pattern.find('d', ppos);
    if (ppos == std::string::npos || dpos == std::string::npos) {
      return Status::InvalidArgument("image pattern " + spec + " must contain %d or %0Nd");
    }
    const std::string prefix = pattern.substr(0, ppos), suffix = pattern.substr(dpos + 1);
    const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    if (!fs::is_directory(dir, ec)) return Status::NotFound("no such directory: " + dir.string());
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      const std::string name = e.path().filename().string();
      if (name.size() <= prefix.size() + suffix.size()) continue;
      if (name.compare(0, prefix.size(), prefix) != 0) continue;
      if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
      const std::string digits =
          name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
      if (digits.empty() || digits.size() > 18 ||
          !std::all_of(digits.begin(), digits.end(),
                       [](unsigned char ch) { return std::isdigit(ch); })) {
        continue;
      }
      out.push_back({std::stoll(digits), e.path().string()});
    }
  } else if (fs::is_directory(spec, ec)) {
    std::map<std::pair<std::string, std::string>, std::vector<NumberedFile>> by_shape;
    for (const auto& e : fs::directory_iterator(spec, ec)) {
      const std::string name = e.path().filename().string();
      if (!e.is_regular_file() || !IsImageName(name)) continue;
      const auto n = FileNumber(name);
      if (!n) continue;
      by_shape[Shape(name)].push_back({*n, e.path().string()});
    }
    size_t best = 0;
    for (auto& [shape, files] : by_shape) {
      if (files.size() > best) {
        best = files.size();
        out = files;
      }
    }
  } else if (fs::is_regular_file(spec, ec)) {
    const auto n = FileNumber(fs::path(spec).filename().string());
    if (!n) return Status::InvalidArgument("image " + spec + " has no frame number in its name");
    out.push_back({*n, spec});
  } else {
    return Status::NotFound("no such file or directory: " + spec);
  }
  if (out.empty()) return Status::NotFound("no numbered images in " + spec);
  SortByNumber(&out);
  for (size_t i = 1; i < out.size(); ++i) {
    if (out[i].number == out[i - 1].number) {
      return Status::InvalidArgument("two images share frame number " +
                                     std::to_string(out[i].number) + ": " + out[i - 1].path +
                                     " and " + out[i].path);
    }
  }
  return out;
}

}  // namespace watchline::eval
