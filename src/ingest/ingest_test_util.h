// Helpers for ingest tests: a temporary folder and clips made on the spot
// with the ffmpeg command-line tool (real H.264/MJPEG, no stored media).
// Test-only; not part of wl_ingest.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/config.h"

namespace watchline::ingest::testing {

// A fresh folder under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "wl_ingest_XXXXXX").string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) != nullptr) path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Runs the ffmpeg CLI quietly with `args`; true on success.
inline bool RunFfmpeg(const std::string& args) {
  const std::string cmd = "ffmpeg -nostdin -hide_banner -loglevel error -y " + args;
  return std::system(cmd.c_str()) == 0;
}

// An H.264 clip of the testsrc2 pattern. `extra` goes before the output name
// (e.g. "-movflags +faststart").
inline std::string MakeClip(const TempDir& dir, const std::string& name, int width, int height,
                            int fps, double seconds, const std::string& extra = "") {
  const std::string out = dir.File(name);
  const std::string args = "-f lavfi -i testsrc2=size=" + std::to_string(width) + "x" +
                           std::to_string(height) + ":rate=" + std::to_string(fps) + " -t " +
                           std::to_string(seconds) +
                           " -c:v libx264 -preset ultrafast -g 25 -pix_fmt yuv420p " + extra +
                           " " + out;
  EXPECT_TRUE(RunFfmpeg(args)) << "ffmpeg failed making " << out;
  return out;
}

// Keeps the first `fraction` of a file's bytes.
inline void TruncateFile(const std::string& path, double fraction) {
  const auto size = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, static_cast<uintmax_t>(size * fraction));
}

inline void WriteRandomBytes(const std::string& path, size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::ofstream out(path, std::ios::binary);
  for (size_t i = 0; i < n; ++i) out.put(static_cast<char>(rng() & 0xff));
}

inline config::CameraConfig Camera(const std::string& source, int width, double fps) {
  config::CameraConfig c;
  c.id = "cam1";
  c.source = source;
  c.analysis.width = width;
  c.analysis.fps = fps;
  return c;
}

}  // namespace watchline::ingest::testing
