#!/usr/bin/env bash
# Installs the Debian 12 packages watchline needs to build, test and run, and
# nothing else: it asks dpkg which are missing and installs only those.
# Run as root, or as a user with sudo. Safe to run again: a no-op when all is there.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache
  # video: FFmpeg's libraries (decode, encode, remux) and the ffmpeg CLI used by tests
  ffmpeg libavformat-dev libavcodec-dev libavutil-dev libswscale-dev
  # image work
  libopencv-dev
  # config, JSON, CLI, embedded store
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libsqlite3-dev sqlite3
  # guard duty schedules: IANA time zones and daylight saving (Howard Hinnant's
  # date/tz, the basis of C++20 <chrono> tzdb, which GCC 12 lacks) and the tz database
  libhowardhinnant-date-dev tzdata
  # geometry and coverage: projection to a local metric frame (PROJ, with its
  # EPSG database for DEM CRSs), footprint/perimeter intersection (GEOS C API),
  # terrain line of sight from a DEM GeoTIFF (GDAL), the planner's integer
  # programs (GLPK)
  libproj-dev proj-data libgeos-dev libgdal-dev libglpk-dev
  # tests
  libgtest-dev libgmock-dev
  # the real RTSP server the tests run on loopback (gst-rtsp-server + x264)
  gstreamer1.0-tools libgstreamer1.0-dev libgstrtspserver-1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-libav
  # operator server: HTTP(S) (cpp-httplib, OpenSSL), argon2id passwords (libsodium)
  libcpp-httplib-dev libssl-dev libsodium-dev
  # server tests and benchmark: the browser test's Chromium, wrk for load, curl for scripts
  chromium wrk curl
)

# The web UI's packages come from npm at build time (web/CMakeLists.txt). Debian's
# nodejs/npm only when no npm is on the PATH (a newer Node may be installed otherwise).
if ! command -v npm >/dev/null 2>&1; then PACKAGES+=(nodejs npm); fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} Debian packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: missing packages (${missing[*]}) and not root, no sudo: install them and retry" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${#missing[@]} missing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
